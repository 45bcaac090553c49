package io.microchatbot.rest;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.microchatbot.correlation.CorrelationId;
import io.microchatbot.idempotency.Answer;
import io.microchatbot.problem.ApiException;
import io.microchatbot.problem.Problem;

/**
 * Writes the answers of the idempotent writes as the bytes that are both sent and recorded for replays: JSON
 * bodies and problems serialized here with the application's ObjectMapper, exactly as the mappers would.
 */
@ApplicationScoped
public class Answers {

    static final String JSON = MediaType.APPLICATION_JSON + ";charset=UTF-8";

    private final ObjectMapper json;

    Answers(ObjectMapper json) {
        this.json = json;
    }

    /** A JSON answer with the given status and headers besides Content-Type. */
    public Answer.Whole json(int status, Map<String, List<String>> headers, Object value) {
        Map<String, List<String>> all = new LinkedHashMap<>(headers);
        all.put("Content-Type", List.of(JSON));
        return new Answer.Whole(status, Map.copyOf(all), write(value));
    }

    /**
     * Turns failures of this request's work into problems like {@link ProblemMappers} does. The instance and the
     * correlation id are read now, on the request.
     */
    Function<Throwable, Answer.Whole> problems(UriInfo uri) {
        return problems(uri.getPath());
    }

    /** As {@link #problems(UriInfo)}, for work that did not come over HTTP (the instance names what it was). */
    public Function<Throwable, Answer.Whole> problems(String instance) {
        String correlationId = CorrelationId.current();
        return failure -> problem(ProblemMappers.describe(failure), instance, correlationId);
    }

    private Answer.Whole problem(ApiException e, String instance, String correlationId) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("Content-Type", List.of(Problem.MEDIA_TYPE));
        e.retryAfterSeconds().ifPresent(seconds -> headers.put("Retry-After", List.of(String.valueOf(seconds))));
        return new Answer.Whole(e.code().status(), Map.copyOf(headers),
                write(Problem.of(e, instance, correlationId)));
    }

    /** A whole answer as a JAX-RS response, for resources that do not stream. */
    static Response response(Answer answer) {
        if (!(answer instanceof Answer.Whole whole)) {
            throw new IllegalStateException("Only a whole answer is a plain response");
        }
        Response.ResponseBuilder response = Response.status(whole.status()).entity(whole.body());
        whole.headers().forEach((name, values) -> values.forEach(value -> response.header(name, value)));
        return response.build();
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot encode an answer", e);
        }
    }
}
