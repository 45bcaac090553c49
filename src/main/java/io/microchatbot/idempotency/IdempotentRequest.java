package io.microchatbot.idempotency;

import io.microchatbot.identity.Caller;

/** A request that carries a key: whose key, which key, and what the request asked for. */
public record IdempotentRequest(Caller caller, IdempotencyKey key, Fingerprint fingerprint) {
}
