package io.microchatbot.structured;

import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.microchatbot.llm.ResponseFormat;
import io.microchatbot.problem.FieldError;

/** PLACEHOLDER until the validator lands (replaced at merge). */
@ApplicationScoped
public class ReplyFormats {

    private static final ObjectMapper JSON = new ObjectMapper();

    public List<FieldError> formatProblems(String field, ResponseFormat format) {
        return List.of();
    }

    public List<FieldError> parametersProblems(String field, JsonNode parameters) {
        return List.of();
    }

    public Optional<String> violation(ResponseFormat format, String reply) {
        return argumentsViolation(reply);
    }

    public Optional<String> argumentsViolation(String arguments) {
        try {
            return JSON.readTree(arguments).isObject() ? Optional.empty() : Optional.of("not an object");
        } catch (Exception e) {
            return Optional.of("not JSON");
        }
    }
}
