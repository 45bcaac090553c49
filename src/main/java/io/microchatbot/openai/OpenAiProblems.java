package io.microchatbot.openai;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.microchatbot.correlation.CorrelationId;
import io.microchatbot.problem.ApiException;
import io.microchatbot.problem.Problem;

/**
 * Problems as this door answers them: the RFC 9457 problem every endpoint sends, plus OpenAI's {@code error}
 * member. The same body is an HTTP answer before a stream started and the one error event of a stream that broke.
 */
@ApplicationScoped
public class OpenAiProblems {

    private final ObjectMapper json;

    OpenAiProblems(ObjectMapper json) {
        this.json = json;
    }

    public ObjectNode body(ApiException failure, String instance) {
        return body(Problem.of(failure, instance, CorrelationId.current()));
    }

    public ObjectNode body(Problem problem) {
        ObjectNode body = json.valueToTree(problem);
        body.set("error", json.valueToTree(OpenAiError.of(problem)));
        return body;
    }

    public String text(ApiException failure, String instance) {
        try {
            return json.writeValueAsString(body(failure, instance));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot encode a problem", e);
        }
    }
}
