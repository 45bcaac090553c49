package io.microchatbot;

/**
 * How a message ended. A user message is always {@code complete}; a reply is {@code incomplete} when its
 * stream broke or the caller left after some tokens, {@code failed} when nothing was generated, {@code invalid}
 * when the model answered but not in the shape the turn asked for (its response format, or tool-call arguments
 * that are not JSON).
 */
public enum MessageStatus {
    complete,
    incomplete,
    failed,
    invalid
}
