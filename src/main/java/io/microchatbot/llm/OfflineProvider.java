package io.microchatbot.llm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Answers when no provider is configured, so the API can be tried without a key. Its replies say what it is and
 * are deterministic; every reply it stores is labelled {@code provider: offline}.
 */
public class OfflineProvider implements LlmProvider {

    public static final String NAME = "offline";
    private static final int ECHO_CHARS = 200;
    private static final Duration CHUNK_PACE = Duration.ofMillis(15);

    private final TokenCounter tokens;

    public OfflineProvider(TokenCounter tokens) {
        this.tokens = tokens;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Uni<LlmCompletion> complete(LlmRequest request) {
        String reply = replyTo(request);
        return Uni.createFrom().item(new LlmCompletion(reply, request.model(), NAME, "stop", usage(request, reply), 1));
    }

    @Override
    public Multi<LlmChunk> stream(LlmRequest request) {
        String reply = replyTo(request);
        Multi<LlmChunk> deltas = Multi.createFrom().iterable(words(reply))
                .onItem().call(word -> Uni.createFrom().nullItem().onItem().delayIt().by(CHUNK_PACE))
                .map(LlmChunk.Delta::new);
        return Multi.createBy().concatenating().streams(deltas,
                Multi.createFrom().item(new LlmChunk.Finished(request.model(), "stop", usage(request, reply), 1, NAME)));
    }

    private static String replyTo(LlmRequest request) {
        String said = request.messages().isEmpty() ? "" : request.messages().get(request.messages().size() - 1).content();
        if (said.length() > ECHO_CHARS) {
            said = said.substring(0, ECHO_CHARS) + "…";
        }
        return "[offline provider] No LLM is configured (set CHATBOT_LLM_BASE_URL), so this is a fixed reply. You said: "
                + said;
    }

    private LlmUsage usage(LlmRequest request, String reply) {
        int prompt = tokens.countPrompt(request.messages());
        int completion = tokens.count(reply);
        return new LlmUsage(prompt, completion, prompt + completion);
    }

    /** Words with their following space, so that the deltas concatenate back to the reply. */
    private static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == ' ') {
                words.add(text.substring(start, i + 1));
                start = i + 1;
            }
        }
        if (start < text.length()) {
            words.add(text.substring(start));
        }
        return words;
    }
}
