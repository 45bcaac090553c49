package io.microchatbot.webhook;

/**
 * How one attempt ended: a status code when the receiver answered (2xx is delivered), an error when it did not
 * (or answered otherwise). The error is ours, never the receiver's response body.
 */
record AttemptOutcome(Integer statusCode, String error) {

    static AttemptOutcome answered(int statusCode) {
        return new AttemptOutcome(statusCode, statusCode / 100 == 2 ? null : "HTTP " + statusCode);
    }

    static AttemptOutcome failed(String error) {
        return new AttemptOutcome(null, error);
    }

    boolean delivered() {
        return statusCode != null && statusCode / 100 == 2;
    }
}
