package io.microchatbot.webhook;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class WebhookRetryScheduleTest {

    private final RetrySchedule defaults = new RetrySchedule(Duration.ofMinutes(1), Duration.ofHours(1), 8);

    @Test
    void delayDoublesFromTheBaseAndStopsAtTheMaximum() {
        // The table of docs/webhooks.md.
        assertThat(IntStream.rangeClosed(1, 7).mapToObj(defaults::delayAfter).toList()).isEqualTo(List.of(
                Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(4), Duration.ofMinutes(8),
                Duration.ofMinutes(16), Duration.ofMinutes(32), Duration.ofHours(1)));
        assertThat(defaults.delayAfter(40)).isEqualTo(Duration.ofHours(1));
        assertThat(defaults.delayAfter(Integer.MAX_VALUE)).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void theLastAttemptIsTheMaxAttemptsTh() {
        assertThat(defaults.exhausted(7)).isFalse();
        assertThat(defaults.exhausted(8)).isTrue();
        assertThat(new RetrySchedule(Duration.ofSeconds(1), Duration.ofSeconds(1), 1).exhausted(1)).isTrue();
    }
}
