package io.microchatbot.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.microchatbot.Conversation;
import io.microchatbot.Message;
import io.microchatbot.MessageStatus;
import io.microchatbot.MessageType;
import io.microchatbot.generation.GenerationOptions;
import io.microchatbot.llm.ChatMessage;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How a prompt is built around a summary, and where a summary asked for begins, on histories made to measure (the
 * default window: 8192 tokens, 1024 for the reply, threshold 0.8, keep 0.4). Each message below costs its content
 * tokens plus 3.
 */
@QuarkusTest
class CompactedPromptTest {

    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    @Inject
    PromptBuilder prompts;

    @Inject
    MeterRegistry registry;

    private final Conversation conversation = conversation();
    private final Message input = message(MessageType.user, 100, 1000);

    @Test
    void aHistoryUnderTheThresholdNeedsNoSummary() {
        List<Message> history = history(MessageType.assistant, 6, 797); // 103 + 6 * 800 < 0.8 * 7165

        PromptBuilder.Prompt prompt = prompts.build(conversation, List.of(input), history, GenerationOptions.NONE);

        assertThat(prompt.compaction()).isNull();
        assertThat(prompt.messages()).hasSize(7);
    }

    @Test
    void pastTheThresholdTheMessagesBeyondTheKeptShareAreToBeSummarisedAndTheTrimmedPromptIsCounted() {
        List<Message> history = history(MessageType.assistant, 10, 797);
        double trimmed = trimmed();

        PromptBuilder.Prompt prompt = prompts.build(conversation, List.of(input), history, GenerationOptions.NONE);

        // 103 + 3 * 800 fit in 0.4 of 7165 (2866); the fourth newest is the newest to summarise.
        assertThat(prompt.compaction().newestCovered()).isSameAs(history.get(3));
        assertThat(prompt.compaction().previous()).isNull();
        assertThat(prompt.compaction().summaryMaxTokens()).isEqualTo(512);
        assertThat(prompt.messages()).hasSize(1 + 8); // 7165 - 103 holds eight of them
        assertThat(trimmed()).isEqualTo(trimmed + 1);
    }

    @Test
    void toolResultsGoIntoTheSummaryWithTheCallThatAskedForThem() {
        List<Message> history = history(MessageType.assistant, 10, 797);
        history.get(1).messageType = MessageType.tool;
        history.get(2).messageType = MessageType.tool;

        PromptBuilder.Prompt prompt = prompts.build(conversation, List.of(input), history, GenerationOptions.NONE);

        // The cut fell after the results at 2 and 1, whose call (at 3) is summarised: they go with it.
        assertThat(prompt.compaction().newestCovered()).isSameAs(history.get(1));
    }

    @Test
    void aSummaryStandsForWhatItCoversRightAfterTheSystemPromptAndOlderSummariesAreLeftOut() {
        conversation.systemPrompt = "Be brief.";
        List<Message> history = history(MessageType.user, 6, 10);
        // Newest first: 0, 1, the summary (written after 2, covering up to 3), 2, 3, 4, an older summary, 5.
        Message summary = summary(history.get(3), 50, history.get(2).createdAt.plusMillis(1));
        Message older = summary(history.get(5), 50, history.get(5).createdAt.plusMillis(1));
        history.add(2, summary);
        history.add(6, older);

        PromptBuilder.Prompt prompt = prompts.build(conversation, List.of(input), history, GenerationOptions.NONE);

        List<String> contents = prompt.messages().stream().map(ChatMessage::content).toList();
        assertThat(contents).containsExactly("Be brief.", PromptBuilder.SUMMARY_PREFIX + summary.content,
                history.get(3).content, history.get(1).content, history.get(0).content, input.content);
        assertThat(prompt.messages().get(1).role()).isEqualTo("system");
        assertThat(prompt.compaction()).isNull();
    }

    @Test
    void aSummaryThatNoLongerFitsIsLeftOutAndCountedAsTrimmedWhileWhatItCoversStaysOut() {
        List<Message> history = history(MessageType.user, 4, 10);
        Message summary = summary(history.get(2), 7100, history.get(1).createdAt.plusMillis(1));
        history.add(1, summary);
        double trimmed = trimmed();

        PromptBuilder.Prompt prompt = prompts.build(conversation, List.of(input), history, GenerationOptions.NONE);

        assertThat(prompt.messages().stream().map(ChatMessage::content))
                .containsExactly(history.get(2).content, history.get(0).content, input.content);
        assertThat(trimmed()).isEqualTo(trimmed + 1);
    }

    private double trimmed() {
        return registry.find("chatbot.context.trimmed").counter().count();
    }

    /** {@code count} messages of {@code tokens} each, newest first, one second apart, all before the input. */
    private List<Message> history(MessageType type, int count, int tokens) {
        List<Message> newestFirst = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            newestFirst.add(message(type, tokens, count - i));
        }
        return newestFirst;
    }

    private Message message(MessageType type, int tokens, int second) {
        Message message = new Message();
        message.id = UUID.randomUUID();
        message.conversationId = conversation.id;
        message.messageType = type;
        message.status = MessageStatus.complete;
        message.content = type + " message at second " + second;
        message.contentTokens = tokens;
        message.createdAt = START.plusSeconds(second);
        return message;
    }

    private Message summary(Message newestCovered, int tokens, Instant at) {
        Message summary = message(MessageType.system, tokens, 0);
        summary.kind = Message.SUMMARY;
        summary.content = "A summary up to " + newestCovered.content;
        summary.coversFromId = UUID.randomUUID();
        summary.coversToId = newestCovered.id;
        summary.coversUntil = newestCovered.createdAt;
        summary.coversCount = 3;
        summary.createdAt = at;
        return summary;
    }

    private static Conversation conversation() {
        Conversation conversation = new Conversation();
        conversation.id = UUID.randomUUID();
        conversation.tenantId = "default";
        conversation.userId = "user";
        return conversation;
    }
}
