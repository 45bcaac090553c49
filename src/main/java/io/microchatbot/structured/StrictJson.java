package io.microchatbot.structured;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * Reads text that must be exactly one JSON value: surrounding whitespace is fine, anything after the value is not,
 * and neither are duplicate keys (their meaning differs between parsers). A Markdown code fence is not tolerated:
 * providers in JSON mode send bare JSON, and a fenced reply is one a program reading it cannot parse as it stands.
 */
final class StrictJson {

    static final JsonMapper MAPPER = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    /** What the text is, as the reasons name it. */
    enum Subject {
        REPLY("reply is"),
        ARGUMENTS("arguments are");

        private final String is;

        Subject(String is) {
            this.is = is;
        }
    }

    sealed interface Parsed {
    }

    record Value(JsonNode node) implements Parsed {
    }

    record NotJson(String reason) implements Parsed {
    }

    private StrictJson() {
    }

    static Parsed parse(Subject subject, String text) {
        if (text == null || text.isBlank()) {
            return new NotJson(subject.is + " empty, not JSON");
        }
        if (text.strip().startsWith("```")) {
            return new NotJson(subject.is + " wrapped in a Markdown code fence; bare JSON is required");
        }
        try (JsonParser parser = MAPPER.createParser(text)) {
            JsonNode node = MAPPER.readTree(parser);
            if (parser.nextToken() != null) {
                return new NotJson(subject.is + " more than one JSON value (more after the first, "
                        + at(parser.currentTokenLocation()) + ")");
            }
            return new Value(node);
        } catch (JsonProcessingException e) {
            return new NotJson(subject.is + " not JSON: " + e.getOriginalMessage() + " (" + at(e.getLocation()) + ")");
        } catch (IOException e) {
            return new NotJson(subject.is + " not JSON: " + e.getMessage());
        }
    }

    /** Only for a value that must be an object (json_object replies, tool call arguments). */
    static Parsed parseObject(Subject subject, String text) {
        Parsed parsed = parse(subject, text);
        if (parsed instanceof Value value && !value.node().isObject()) {
            return new NotJson(subject.is + " a JSON " + value.node().getNodeType().name().toLowerCase()
                    + ", not a JSON object");
        }
        return parsed;
    }

    private static String at(JsonLocation location) {
        return location == null ? "position unknown"
                : "line " + location.getLineNr() + ", column " + location.getColumnNr();
    }
}
