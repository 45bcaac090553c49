package io.microchatbot.idempotency;

import java.util.UUID;

/** What claiming a key found: the key is this request's now, or another request holds or held it. */
sealed interface Claim {

    /** This request holds the key and runs; only {@code owner} may complete or release the row. */
    record Acquired(IdempotentRequest request, UUID owner) implements Claim {
    }

    /** The key is in use: {@code recorded} is null while the request holding it is still running. */
    record Existing(Fingerprint fingerprint, Outcome.Recorded recorded) implements Claim {
    }
}
