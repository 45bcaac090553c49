package io.microchatbot.service;

/**
 * A validated request to open a conversation; null fields take the service defaults. {@code generationJson} holds
 * its turns' default tools, tool choice and response format (null: none).
 */
public record NewConversation(String title, String systemPrompt, String model, String metadataJson,
        String generationJson) {

    public NewConversation(String title, String systemPrompt, String model, String metadataJson) {
        this(title, systemPrompt, model, metadataJson, null);
    }
}
