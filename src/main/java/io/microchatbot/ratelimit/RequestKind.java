package io.microchatbot.ratelimit;

/** Requests are limited in two families with buckets of their own, so that reads never eat the turn budget. */
public enum RequestKind {
    /** A chat turn: it calls the LLM. */
    turn,
    /** Any other API call: reads, conversation changes. */
    read
}
