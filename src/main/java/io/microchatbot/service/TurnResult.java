package io.microchatbot.service;

import io.microchatbot.Message;

/** A finished non-streaming turn. */
public record TurnResult(Message userMessage, Message assistantMessage) {
}
