package io.microchatbot;

/**
 * How a message ended. A user message is always {@code complete}; a reply is {@code incomplete} when its
 * stream broke or the caller left after some tokens, {@code failed} when nothing was generated.
 */
public enum MessageStatus {
    complete,
    incomplete,
    failed
}
