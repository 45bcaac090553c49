package io.microchatbot.service;

import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A validated merge-patch: a field that is null is left alone, {@code Optional.empty()} clears it, a value
 * replaces it. {@code metadataPatch} is itself an RFC 7396 patch of the metadata object (null: untouched;
 * JSON null: cleared to {}).
 */
public record ConversationChanges(
        Optional<String> title,
        Optional<String> systemPrompt,
        Optional<String> model,
        JsonNode metadataPatch) {
}
