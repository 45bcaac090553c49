package io.microchatbot.grpc;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;

import io.microchatbot.api.ConversationPatch;
import io.microchatbot.api.CreateConversationRequest;
import io.microchatbot.api.SendMessageRequest;
import io.microchatbot.grpc.v1.SortOrder;
import io.microchatbot.grpc.v1.UpdateConversationRequest;
import io.microchatbot.problem.ApiException;
import io.microchatbot.validation.Ids;

/**
 * The proto's requests as the API's request records ({@code io.microchatbot.api}), so that the same Bean
 * Validation checks them with the same field names and messages as REST's, and the same fingerprint covers them.
 */
@ApplicationScoped
class ProtoRequests {

    private static final double EXACT_DOUBLE = 9_007_199_254_740_992d;

    private final ObjectMapper json;

    ProtoRequests(ObjectMapper json) {
        this.json = json;
    }

    CreateConversationRequest conversation(io.microchatbot.grpc.v1.CreateConversationRequest request) {
        return new CreateConversationRequest(
                request.hasTitle() ? request.getTitle() : null,
                request.hasSystemPrompt() ? request.getSystemPrompt() : null,
                request.hasModel() ? request.getModel() : null,
                request.hasMetadata() ? metadata(request.getMetadata()) : null);
    }

    /**
     * The merge-patch REST's PATCH would have sent: each path of the mask (or, without one, each field the request
     * sets) with its value, or JSON null when unset; a path that is no field stays in, to be refused by name.
     */
    ConversationPatch patch(UpdateConversationRequest request) {
        List<String> paths = request.hasUpdateMask() && request.getUpdateMask().getPathsCount() > 0
                ? request.getUpdateMask().getPathsList()
                : setFields(request);
        ObjectNode patch = json.createObjectNode();
        for (String path : paths) {
            patch.set(path, switch (path) {
                case "title" -> request.hasTitle() ? TextNode.valueOf(request.getTitle()) : NullNode.getInstance();
                case "system_prompt" -> request.hasSystemPrompt() ? TextNode.valueOf(request.getSystemPrompt())
                        : NullNode.getInstance();
                case "model" -> request.hasModel() ? TextNode.valueOf(request.getModel()) : NullNode.getInstance();
                case "metadata" -> request.hasMetadata() ? metadata(request.getMetadata()) : NullNode.getInstance();
                default -> NullNode.getInstance();
            });
        }
        return ConversationPatch.of(patch);
    }

    private static List<String> setFields(UpdateConversationRequest request) {
        List<String> set = new ArrayList<>();
        if (request.hasTitle()) {
            set.add("title");
        }
        if (request.hasSystemPrompt()) {
            set.add("system_prompt");
        }
        if (request.hasModel()) {
            set.add("model");
        }
        if (request.hasMetadata()) {
            set.add("metadata");
        }
        return set;
    }

    SendMessageRequest message(io.microchatbot.grpc.v1.SendMessageRequest request) {
        return new SendMessageRequest(request.getContent(),
                request.hasMetadata() ? metadata(request.getMetadata()) : null, null);
    }

    static UUID id(String raw, String field) {
        return Ids.parse(raw, field);
    }

    static boolean ascending(SortOrder order) {
        return switch (order) {
            case SORT_ORDER_UNSPECIFIED, SORT_ORDER_ASCENDING -> true;
            case SORT_ORDER_DESCENDING -> false;
            case UNRECOGNIZED -> throw ApiException.invalid("order", "must be SORT_ORDER_ASCENDING or"
                    + " SORT_ORDER_DESCENDING");
        };
    }

    static String cursor(String raw) {
        return raw.isEmpty() ? null : raw;
    }

    /**
     * A Struct as the JSON object REST would have received. Struct numbers are doubles: whole ones become integers
     * again (up to 2^53, where doubles are exact), so that {@code 42} is stored as {@code 42}, not {@code 42.0}.
     */
    private JsonNode metadata(Struct metadata) {
        ObjectNode object = json.createObjectNode();
        metadata.getFieldsMap().forEach((name, value) -> object.set(name, node(value)));
        return object;
    }

    private JsonNode node(Value value) {
        return switch (value.getKindCase()) {
            case NULL_VALUE, KIND_NOT_SET -> NullNode.getInstance();
            case BOOL_VALUE -> BooleanNode.valueOf(value.getBoolValue());
            case STRING_VALUE -> TextNode.valueOf(value.getStringValue());
            case NUMBER_VALUE -> number(value.getNumberValue());
            case STRUCT_VALUE -> metadata(value.getStructValue());
            case LIST_VALUE -> {
                ArrayNode array = json.createArrayNode();
                value.getListValue().getValuesList().forEach(element -> array.add(node(element)));
                yield array;
            }
        };
    }

    private static JsonNode number(double number) {
        if (number == Math.rint(number) && Math.abs(number) <= EXACT_DOUBLE) {
            return LongNode.valueOf((long) number);
        }
        if (Double.isNaN(number) || Double.isInfinite(number)) {
            throw ApiException.invalid("metadata", "must hold finite numbers only");
        }
        return DoubleNode.valueOf(number);
    }
}
