package io.microchatbot.event;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A command as other services write it to the commands stream (field {@code command}), see docs/events.md. Its
 * {@code data} is the body the REST API takes for the same action.
 */
@RegisterForReflection
public record CommandEnvelope(
        String commandType,
        String commandId,
        Integer version,
        String timestamp,
        String correlationId,
        String tenantId,
        String userId,
        JsonNode data) {

    public static final String CREATE_CONVERSATION = "chatbot.create-conversation";
    public static final String SEND_MESSAGE = "chatbot.send-message";
    public static final int VERSION = 1;
}
