package io.microchatbot.service;

/** A validated user message: its text, its metadata as a JSON object text, and its token count. */
public record UserInput(String content, String metadataJson, int contentTokens) {
}
