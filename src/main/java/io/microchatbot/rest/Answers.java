package io.microchatbot.rest;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.RestResponse;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.microchatbot.idempotency.Outcome;
import io.microchatbot.problem.Problem;
import io.smallrye.mutiny.Multi;

/**
 * Writes the outcomes of the idempotent writes as HTTP: the one place where an outcome becomes a status, headers
 * and a body. Views are serialised with the application's ObjectMapper, exactly as the resources would, so that
 * the bytes of a replay are the bytes of the first answer.
 */
@ApplicationScoped
public class Answers {

    /** Header that marks a replayed response. */
    static final String REPLAYED_HEADER = "Idempotent-Replayed";
    static final String JSON = MediaType.APPLICATION_JSON + ";charset=UTF-8";

    private final ObjectMapper json;

    Answers(ObjectMapper json) {
        this.json = json;
    }

    /** A view as the text an {@link Outcome.Answered} keeps. */
    String view(Object view) {
        try {
            return json.writeValueAsString(view);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot encode an answer", e);
        }
    }

    /** A whole outcome as a JAX-RS response, for resources that do not stream. */
    Response response(Outcome outcome) {
        HttpAnswer answer = http(outcome);
        Response.ResponseBuilder response = Response.status(answer.status()).entity(answer.body());
        answer.headers().forEach((name, values) -> values.forEach(value -> response.header(name, value)));
        return response.build();
    }

    /** Any outcome, a stream included, as the parts {@code RestMulti} writes. */
    HttpAnswer http(Outcome outcome) {
        return switch (outcome) {
            case Outcome.Answered answered -> new HttpAnswer(RestResponse.StatusCode.CREATED,
                    answered.location() == null ? Map.of("Content-Type", List.of(JSON))
                            : Map.of("Content-Type", List.of(JSON), "Location", List.of(answered.location())),
                    Multi.createFrom().item(answered.view()), answered.view());
            case Outcome.Refused refused -> problem(refused);
            case Outcome.Transcript transcript -> new HttpAnswer(RestResponse.StatusCode.OK,
                    TurnRepresentation.EVENT_STREAM_HEADERS, Multi.createFrom().item(transcript.events()),
                    transcript.events());
            case Outcome.Streaming streaming -> new HttpAnswer(RestResponse.StatusCode.OK,
                    TurnRepresentation.EVENT_STREAM_HEADERS, streaming.events(), null);
            case Outcome.Replayed replayed -> http(replayed.recorded()).replayed();
        };
    }

    private HttpAnswer problem(Outcome.Refused refused) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("Content-Type", List.of(Problem.MEDIA_TYPE));
        if (refused.retryAfterSeconds() != null) {
            headers.put("Retry-After", List.of(String.valueOf(refused.retryAfterSeconds())));
        }
        if (refused.turnEvents() != null) {
            headers.put("Link", List.of(ProblemMappers.monitorLink(refused.turnEvents())));
        }
        String body = view(Problem.of(refused.problem(), refused.instance(), refused.correlationId()));
        return new HttpAnswer(refused.code().status(), Map.copyOf(headers), Multi.createFrom().item(body), body);
    }

    /** Status, headers and body of an outcome; {@code body} is null while a stream is still being produced. */
    record HttpAnswer(int status, Map<String, List<String>> headers, Multi<String> chunks, String body) {

        HttpAnswer replayed() {
            Map<String, List<String>> marked = new LinkedHashMap<>(headers);
            marked.put(REPLAYED_HEADER, List.of("true"));
            return new HttpAnswer(status, Map.copyOf(marked), chunks, body);
        }
    }
}
