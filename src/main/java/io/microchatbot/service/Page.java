package io.microchatbot.service;

import java.util.List;

/** One keyset page; {@code nextCursor} is null on the last page. */
public record Page<T>(List<T> items, boolean hasMore, String nextCursor, long totalCount) {
}
