package io.microchatbot.service;

import io.microchatbot.Message;

/** A stored reply and the conversation's message count with it (null when the conversation moved on). */
record StoredReply(Message reply, Long messageCount) {
}
