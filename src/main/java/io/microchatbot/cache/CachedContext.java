package io.microchatbot.cache;

import java.util.List;

import io.microchatbot.Message;

/** A conversation's newest messages as the cache holds them (newest first), and the message count they are at. */
public record CachedContext(long messageCount, List<Message> newestFirst) {
}
