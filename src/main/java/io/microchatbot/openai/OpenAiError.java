package io.microchatbot.openai;

import io.microchatbot.problem.ErrorCode;
import io.microchatbot.problem.FieldError;
import io.microchatbot.problem.Problem;

/**
 * The {@code error} member OpenAI's clients read from a failed call ({@code message}, {@code type}, {@code param},
 * {@code code}), added to our RFC 9457 problem as an extension member so that the official SDKs surface the
 * problem's detail. {@code code} is our stable error code; {@code type} is OpenAI's family of it.
 */
public record OpenAiError(String message, String type, String param, String code) {

    public static OpenAiError of(Problem problem) {
        String param = problem.errors() == null || problem.errors().isEmpty() ? null
                : problem.errors().stream().map(FieldError::field).findFirst().orElse(null);
        return new OpenAiError(problem.detail() != null ? problem.detail() : problem.title(), type(problem),
                param, problem.code());
    }

    /** OpenAI's own type of a spent quota, which its clients know; else the family of the status. */
    private static String type(Problem problem) {
        return ErrorCode.budget_exhausted.name().equals(problem.code()) ? "insufficient_quota" : type(problem.status());
    }

    private static String type(int status) {
        return switch (status) {
            case 401 -> "authentication_error";
            case 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 409 -> "conflict_error";
            case 429 -> "rate_limit_error";
            default -> status >= 500 ? "server_error" : "invalid_request_error";
        };
    }
}
