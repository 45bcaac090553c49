package io.microchatbot.grpc;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.google.protobuf.Struct;

import io.microchatbot.api.ConversationPatch;
import io.microchatbot.api.CreateConversationRequest;
import io.microchatbot.api.SendMessageRequest;
import io.microchatbot.grpc.v1.SortOrder;
import io.microchatbot.grpc.v1.UpdateConversationRequest;
import io.microchatbot.problem.ApiException;
import io.microchatbot.validation.Ids;

/**
 * The proto's requests as the API's request records ({@code io.microchatbot.api}), so that the same checks (Bean
 * Validation, {@code validation.TurnRequests}) refuse them with the same field names and messages as REST's, and
 * the same fingerprint covers them.
 */
@ApplicationScoped
class ProtoRequests {

    private final ObjectMapper json;
    private final StructJson structs;
    private final ToolInputsJson tools;

    ProtoRequests(ObjectMapper json, StructJson structs, ToolInputsJson tools) {
        this.json = json;
        this.structs = structs;
        this.tools = tools;
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

    /**
     * The turn as REST's body: unset optional fields and empty lists are absent members (as REST's absent ones, so
     * that a plain message's fingerprint is unchanged); content is absent when tool results are sent, since proto3
     * cannot tell an empty string from none.
     */
    SendMessageRequest message(io.microchatbot.grpc.v1.SendMessageRequest request) {
        boolean answersToolCalls = request.getToolResultsCount() > 0;
        return new SendMessageRequest(
                answersToolCalls && request.getContent().isEmpty() ? null : request.getContent(),
                tools.toolResults(request.getToolResultsList()),
                request.hasMetadata() ? metadata(request.getMetadata()) : null,
                null,
                request.hasModel() ? request.getModel() : null,
                request.hasTemperature() ? request.getTemperature() : null,
                request.hasTopP() ? request.getTopP() : null,
                request.hasMaxTokens() ? request.getMaxTokens() : null,
                request.getStopCount() > 0 ? List.copyOf(request.getStopList()) : null,
                request.hasSeed() ? request.getSeed() : null,
                request.hasUser() ? request.getUser() : null,
                tools.tools(request.getToolsList()),
                request.hasToolChoice() ? tools.toolChoice(request.getToolChoice()) : null,
                request.hasResponseFormat() ? tools.responseFormat(request.getResponseFormat()) : null);
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

    private JsonNode metadata(Struct metadata) {
        return structs.object(metadata, "metadata");
    }
}
