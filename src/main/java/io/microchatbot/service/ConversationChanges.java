package io.microchatbot.service;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A validated merge-patch of a conversation. {@code metadataPatch}, when given, is itself an RFC 7396 patch of the
 * metadata object; given as null (JSON null), it clears the metadata to {@code {}}.
 */
public record ConversationChanges(
        Change<String> title,
        Change<String> systemPrompt,
        Change<String> model,
        Change<JsonNode> metadataPatch,
        GenerationChanges generation) {

    public ConversationChanges(Change<String> title, Change<String> systemPrompt, Change<String> model,
            Change<JsonNode> metadataPatch) {
        this(title, systemPrompt, model, metadataPatch, null);
    }
}
