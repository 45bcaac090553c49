package io.microchatbot.service;

import java.util.Optional;

/**
 * A validated merge-patch: a field that is null is left alone, {@code Optional.empty()} clears it, a value
 * replaces it.
 */
public record ConversationChanges(
        Optional<String> title,
        Optional<String> systemPrompt,
        Optional<String> model,
        String metadataJson) {
}
