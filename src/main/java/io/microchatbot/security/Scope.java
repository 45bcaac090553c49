package io.microchatbot.security;

/** What a caller may do: chat turns and other writes, reads, the admin endpoints. */
public enum Scope {
    chat,
    read,
    admin
}
