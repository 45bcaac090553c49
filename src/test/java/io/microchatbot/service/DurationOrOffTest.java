package io.microchatbot.service;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** chatbot.turn.recovery-interval: a Quarkus duration, or off; anything else must fail at start, not be ignored. */
class DurationOrOffTest {

    private final DurationOrOff converter = new DurationOrOff();

    @Test
    void readsQuarkusDurationsAndOff() {
        assertThat(converter.convert("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(converter.convert("PT2M")).isEqualTo(Duration.ofMinutes(2));
        assertThat(converter.convert("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(converter.convert(" OFF ")).isNull();
    }

    @Test
    void refusesWhatIsNeither() {
        assertThatThrownBy(() -> converter.convert("soon")).isInstanceOf(IllegalArgumentException.class);
    }
}
