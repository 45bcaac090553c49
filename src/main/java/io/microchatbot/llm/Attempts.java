package io.microchatbot.llm;

/**
 * The calls one request has made so far, retries and fallback models included, and the target it asked last: the
 * one whose answer (or failure) the request reports.
 */
record Attempts(Target first, Target latest, int count) {

    /** Before the first call: nothing asked yet, so the request reports its first target. */
    static Attempts none(Target first) {
        return new Attempts(first, first, 0);
    }

    /** One more call, to {@code target}. */
    Attempts then(Target target) {
        return new Attempts(first, target, count + 1);
    }

    /** Whether the target asked last is another than the one asked first. */
    boolean fallback() {
        return !latest.equals(first);
    }

    String provider() {
        return latest.provider().name();
    }

    String model() {
        return latest.model();
    }
}
