package io.microchatbot.openai;

/** Where the OpenAI-compatible door is: under {@code /v1/}, as OpenAI's clients expect from a base URL. */
public final class OpenAiPaths {

    public static final String PREFIX = "/v1/";
    public static final String CHAT_COMPLETIONS = "/v1/chat/completions";
    public static final String MODELS = "/v1/models";

    private OpenAiPaths() {
    }

    public static boolean isOpenAi(String path) {
        return path != null && path.startsWith(PREFIX);
    }
}
