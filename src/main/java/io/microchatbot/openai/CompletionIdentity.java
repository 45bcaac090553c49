package io.microchatbot.openai;

import java.time.Instant;
import java.util.UUID;

/** What every object of one answer shares: its {@code chatcmpl-} id and its creation time (Unix seconds). */
record CompletionIdentity(String id, long created) {

    static CompletionIdentity next() {
        return new CompletionIdentity("chatcmpl-" + UUID.randomUUID(), Instant.now().getEpochSecond());
    }
}
