package io.microchatbot.grpc;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;

import io.microchatbot.api.CreateConversationRequest;
import io.microchatbot.api.SendMessageRequest;
import io.microchatbot.grpc.v1.SortOrder;
import io.microchatbot.problem.ApiException;
import io.microchatbot.validation.Ids;

/**
 * The proto's requests as the API's request records ({@code io.microchatbot.api}), so that the same Bean
 * Validation checks them with the same field names and messages as REST's, and the same fingerprint covers them.
 */
@ApplicationScoped
class ProtoRequests {

    private static final JsonFormat.Printer JSON = JsonFormat.printer().omittingInsignificantWhitespace();

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

    private JsonNode metadata(Struct metadata) {
        try {
            return json.readTree(JSON.print(metadata));
        } catch (InvalidProtocolBufferException | JsonProcessingException e) {
            throw ApiException.invalid("metadata", "must be a JSON object");
        }
    }
}
