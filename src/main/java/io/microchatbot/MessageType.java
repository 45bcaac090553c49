package io.microchatbot;

/** Who wrote a message; stored and served in lower case. */
public enum MessageType {
    user,
    assistant,
    system,
    /** The result of a tool call the previous reply asked for ({@code tool_call_id} names it). */
    tool
}
