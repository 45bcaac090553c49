package io.microchatbot.service;

import io.microchatbot.Message;
import io.microchatbot.usage.Spend;

/**
 * A stored reply, the conversation's message count with it (null when the conversation moved on), and what the
 * reply cost, stored with it (null when nothing was paid for).
 */
record StoredReply(Message reply, Long messageCount, Spend spend) {
}
