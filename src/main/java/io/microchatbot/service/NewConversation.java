package io.microchatbot.service;

/** A validated request to open a conversation; null fields take the service defaults. */
public record NewConversation(String title, String systemPrompt, String model, String metadataJson) {
}
