package io.microchatbot.event;

/** The events the service publishes, named {@code {domain}.{action}}; see docs/events.md for their data. */
public enum EventType {
    CONVERSATION_CREATED("chatbot.conversation-created"),
    CONVERSATION_DELETED("chatbot.conversation-deleted"),
    MESSAGE_CREATED("chatbot.message-created"),
    REPLY_COMPLETED("chatbot.reply-completed"),
    REPLY_FAILED("chatbot.reply-failed"),
    BUDGET_SOFT_LIMIT_REACHED("chatbot.budget-soft-limit-reached");

    /** Version of every envelope and data schema published today. A breaking change publishes version 2. */
    public static final int VERSION = 1;

    private final String wireName;

    EventType(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
