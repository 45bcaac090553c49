package io.microchatbot.llm;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The OpenAI chat-completions wire format; nothing outside this package sees it. Registered for reflection because
 * the application's ObjectMapper reads and writes these records itself, where a native image would not find them.
 */
@RegisterForReflection(targets = { OpenAiWire.Request.class, OpenAiWire.StreamOptions.class,
        OpenAiWire.Response.class, OpenAiWire.Choice.class, OpenAiWire.Content.class, OpenAiWire.Usage.class,
        OpenAiWire.Error.class, ChatMessage.class })
final class OpenAiWire {

    private OpenAiWire() {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Request(
            String model,
            List<ChatMessage> messages,
            @JsonProperty("max_tokens") int maxTokens,
            double temperature,
            boolean stream,
            @JsonProperty("stream_options") StreamOptions streamOptions) {

        static Request of(LlmRequest request, boolean stream) {
            return new Request(request.model(), request.messages(), request.maxTokens(), request.temperature(), stream,
                    stream ? new StreamOptions(true) : null);
        }
    }

    record StreamOptions(@JsonProperty("include_usage") boolean includeUsage) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Response(String model, List<Choice> choices, Usage usage, Error error) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Choice(Content message, Content delta, @JsonProperty("finish_reason") String finishReason) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Content(String role, String content) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Usage(
            @JsonProperty("prompt_tokens") Integer promptTokens,
            @JsonProperty("completion_tokens") Integer completionTokens,
            @JsonProperty("total_tokens") Integer totalTokens) {

        LlmUsage toUsage() {
            int prompt = promptTokens == null ? 0 : promptTokens;
            int completion = completionTokens == null ? 0 : completionTokens;
            return new LlmUsage(prompt, completion, totalTokens == null ? prompt + completion : totalTokens);
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Error(String message, String type, Object code) {
    }
}
