package io.microchatbot.admission;

import java.util.OptionalInt;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TurnCapacityTest {

    private static final long MIB = 1024 * 1024;
    private static final long PER_TURN = 80 * 1024;

    @Test
    void limitIsTheMaxHeapDividedByTheHeapPerTurn() {
        // the image: 30 % of a 768 MiB pod, ~222 MiB usable heap with the serial collector
        assertThat(TurnCapacity.limitFor(222 * MIB, PER_TURN, OptionalInt.empty())).isEqualTo(2841);
        assertThat(TurnCapacity.limitFor(1024 * MIB, PER_TURN, OptionalInt.empty())).isEqualTo(13107);
    }

    @Test
    void imageHeapAdmitsTheBifrostScenariosTurnsInFlight() {
        // 500 turns/s with a 1.5 s upstream keep ~750 turns in flight: they must all be admitted by default
        assertThat(TurnCapacity.limitFor(222 * MIB, PER_TURN, OptionalInt.empty())).isGreaterThanOrEqualTo(750 * 3);
    }

    @Test
    void anExplicitLimitCapsTheHeapDerivedOneButNeverRaisesIt() {
        assertThat(TurnCapacity.limitFor(222 * MIB, PER_TURN, OptionalInt.of(100))).isEqualTo(100);
        assertThat(TurnCapacity.limitFor(222 * MIB, PER_TURN, OptionalInt.of(1_000_000))).isEqualTo(2841);
    }

    @Test
    void aTinyHeapStillAdmitsOneTurn() {
        assertThat(TurnCapacity.limitFor(10 * 1024, PER_TURN, OptionalInt.empty())).isEqualTo(1);
    }

    @Test
    void nonsenseSettingsAreRefusedAtStart() {
        assertThatThrownBy(() -> TurnCapacity.limitFor(222 * MIB, 0, OptionalInt.empty()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("heap-per-turn");
        assertThatThrownBy(() -> TurnCapacity.limitFor(222 * MIB, PER_TURN, OptionalInt.of(0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max-concurrent-turns");
    }
}
