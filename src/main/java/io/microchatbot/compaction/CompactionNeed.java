package io.microchatbot.compaction;

import java.util.UUID;

import io.microchatbot.Message;

/**
 * What a turn's prompt found too long: the messages up to {@code newestCovered} (since {@code previous}, the
 * conversation's newest summary, null when it has none) are to be summarised in at most {@code summaryMaxTokens}.
 */
public record CompactionNeed(UUID conversationId, String tenantId, String userId, Message newestCovered,
        Message previous, int summaryMaxTokens) {
}
