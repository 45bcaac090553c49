package io.microchatbot.llm;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;

/**
 * Counts tokens with the o200k_base BPE (GPT-4o family) via jtokkit. For other model families it is an estimate
 * within a few percent, which is what the context budget needs: the budget keeps a margin anyway.
 */
@ApplicationScoped
public class TokenCounter {

    /** Per-message framing of the chat format (role and separators), as OpenAI documents it. */
    static final int TOKENS_PER_MESSAGE = 3;
    /** Every reply is primed with these. */
    static final int TOKENS_PER_REPLY = 3;

    private final Encoding encoding = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);

    public int count(String text) {
        return text == null || text.isEmpty() ? 0 : encoding.countTokens(text);
    }

    /** Tokens one message of the given content takes in a prompt. */
    public int countMessage(int contentTokens) {
        return contentTokens + TOKENS_PER_MESSAGE;
    }

    public int countPrompt(List<ChatMessage> messages) {
        int total = TOKENS_PER_REPLY;
        for (ChatMessage message : messages) {
            total += countMessage(count(message.content()));
        }
        return total;
    }
}
