package io.microchatbot.llm;

import io.microchatbot.problem.ApiException;
import io.microchatbot.problem.ErrorCode;

/** The provider failed; the code says how ({@code llm_timeout}, {@code llm_rate_limited}, ...). */
public class LlmException extends ApiException {

    public LlmException(ErrorCode code, String detail, Integer retryAfterSeconds) {
        super(code, detail, retryAfterSeconds);
    }

    public static LlmException timeout(String what) {
        return new LlmException(ErrorCode.llm_timeout, what, null);
    }

    public static LlmException badResponse(String detail) {
        return new LlmException(ErrorCode.llm_bad_response, detail, null);
    }

    public static LlmException unavailable(String detail, Integer retryAfterSeconds) {
        return new LlmException(ErrorCode.llm_unavailable, detail, retryAfterSeconds);
    }
}
