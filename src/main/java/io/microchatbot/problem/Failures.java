package io.microchatbot.problem;

import io.microchatbot.database.DatabaseUnavailable;
import io.quarkus.logging.Log;

/**
 * The problem a failure of the work behind a request is answered with, logged once here: shared by the exception
 * mappers and by the idempotent writes, which record that problem as their outcome.
 */
public final class Failures {

    private static final int DATABASE_RETRY_AFTER_SECONDS = 2;

    private Failures() {
    }

    public static ApiException describe(Throwable e) {
        if (e instanceof ApiException api) {
            if (api.code().status() >= 500) {
                Log.warnf("%s: %s", api.code(), api.getMessage());
            }
            return api;
        }
        if (DatabaseUnavailable.test(e)) {
            Log.warnf("Database unreachable: %s", e.getMessage());
            return new ApiException(ErrorCode.database_unavailable, "The database is unreachable; retry shortly",
                    DATABASE_RETRY_AFTER_SECONDS);
        }
        Log.error("Unhandled failure", e);
        return new ApiException(ErrorCode.internal_error,
                "The request failed; see the service log with this correlation id");
    }
}
