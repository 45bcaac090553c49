package io.microchatbot;

/** Who wrote a message; stored and served in lower case. */
public enum MessageType {
    user,
    assistant,
    system
}
