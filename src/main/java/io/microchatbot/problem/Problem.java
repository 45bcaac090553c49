package io.microchatbot.problem;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/** RFC 9457 problem details, with our stable {@code code} and the request's correlation id as extensions. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(
        String type,
        String title,
        int status,
        String detail,
        String instance,
        String code,
        String correlation_id,
        List<FieldError> errors,
        String turn_events) {

    public static final String MEDIA_TYPE = "application/problem+json";

    public static Problem of(ApiException e, String instance, String correlationId) {
        ErrorCode code = e.code();
        return new Problem(code.type(), code.title(), code.status(), e.getMessage(), instance, code.name(),
                correlationId, e.errors(), e.turnEvents().orElse(null));
    }
}
