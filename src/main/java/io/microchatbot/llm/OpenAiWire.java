package io.microchatbot.llm;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The OpenAI chat-completions wire format; nothing outside this package sees it. Registered for reflection because
 * the application's ObjectMapper reads and writes these records itself, where a native image would not find them.
 */
@RegisterForReflection(targets = { OpenAiWire.Request.class, OpenAiWire.StreamOptions.class,
        OpenAiWire.WireMessage.class, OpenAiWire.WireTool.class, OpenAiWire.WireFunction.class,
        OpenAiWire.WireToolCall.class, OpenAiWire.WireCall.class, OpenAiWire.Response.class, OpenAiWire.Choice.class,
        OpenAiWire.Content.class, OpenAiWire.Usage.class, OpenAiWire.PromptDetails.class, OpenAiWire.Error.class })
final class OpenAiWire {

    private OpenAiWire() {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Request(
            String model,
            List<WireMessage> messages,
            @JsonProperty("max_tokens") int maxTokens,
            double temperature,
            @JsonProperty("top_p") Double topP,
            List<String> stop,
            Long seed,
            String user,
            List<WireTool> tools,
            @JsonProperty("tool_choice") Object toolChoice,
            @JsonProperty("response_format") Object responseFormat,
            boolean stream,
            @JsonProperty("stream_options") StreamOptions streamOptions) {

        static Request of(LlmRequest request, boolean stream) {
            Sampling sampling = request.sampling();
            return new Request(request.model(),
                    request.messages().stream().map(WireMessage::of).toList(),
                    sampling.maxTokens(), sampling.temperature(), sampling.topP(),
                    sampling.stop() == null || sampling.stop().isEmpty() ? null : sampling.stop(),
                    sampling.seed(), sampling.user(),
                    request.tools().isEmpty() ? null : request.tools().stream().map(WireTool::of).toList(),
                    toolChoice(request.toolChoice()),
                    responseFormat(request.responseFormat()),
                    stream,
                    stream ? new StreamOptions(true) : null);
        }

        private static Object toolChoice(ToolChoice choice) {
            if (choice == null) {
                return null;
            }
            return ToolChoice.FUNCTION.equals(choice.mode())
                    ? Map.of("type", "function", "function", Map.of("name", choice.name()))
                    : choice.mode();
        }

        private static Object responseFormat(ResponseFormat format) {
            if (format == null) {
                return null;
            }
            if (!ResponseFormat.JSON_SCHEMA.equals(format.type())) {
                return Map.of("type", format.type());
            }
            Map<String, Object> schema = new java.util.LinkedHashMap<>();
            schema.put("name", format.name());
            schema.put("schema", format.schema());
            if (format.strict() != null) {
                schema.put("strict", format.strict());
            }
            return Map.of("type", format.type(), "json_schema", schema);
        }
    }

    record StreamOptions(@JsonProperty("include_usage") boolean includeUsage) {
    }

    /** A prompt entry; an assistant entry with tool calls and no text sends {@code content: null}, as OpenAI does. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record WireMessage(
            String role,
            @JsonInclude(JsonInclude.Include.ALWAYS) String content,
            @JsonProperty("tool_calls") List<WireToolCall> toolCalls,
            @JsonProperty("tool_call_id") String toolCallId) {

        static WireMessage of(ChatMessage message) {
            boolean calls = !message.toolCalls().isEmpty();
            return new WireMessage(message.role(),
                    calls && (message.content() == null || message.content().isEmpty()) ? null : message.content(),
                    calls ? message.toolCalls().stream().map(WireToolCall::of).toList() : null,
                    message.toolCallId());
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record WireTool(String type, WireFunction function) {

        static WireTool of(Tool tool) {
            return new WireTool("function",
                    new WireFunction(tool.name(), tool.description(), tool.parameters(), tool.strict()));
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record WireFunction(String name, String description, JsonNode parameters, Boolean strict) {
    }

    /** A tool call, in a request and in a reply; streamed fragments carry an {@code index}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    record WireToolCall(Integer index, String id, String type, WireCall function) {

        static WireToolCall of(ToolCall call) {
            return new WireToolCall(null, call.id(), "function", new WireCall(call.name(), call.arguments()));
        }

        ToolCall toToolCall() {
            return new ToolCall(id, function == null ? null : function.name(),
                    function == null || function.arguments() == null ? "" : function.arguments());
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    record WireCall(String name, String arguments) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Response(String model, List<Choice> choices, Usage usage, Error error) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Choice(Content message, Content delta, @JsonProperty("finish_reason") String finishReason) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Content(String role, String content, @JsonProperty("tool_calls") List<WireToolCall> toolCalls) {

        boolean hasToolCalls() {
            return toolCalls != null && !toolCalls.isEmpty();
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Usage(
            @JsonProperty("prompt_tokens") Integer promptTokens,
            @JsonProperty("completion_tokens") Integer completionTokens,
            @JsonProperty("total_tokens") Integer totalTokens,
            @JsonProperty("prompt_tokens_details") PromptDetails promptTokensDetails) {

        LlmUsage toUsage() {
            int prompt = promptTokens == null ? 0 : promptTokens;
            int completion = completionTokens == null ? 0 : completionTokens;
            int cached = promptTokensDetails == null || promptTokensDetails.cachedTokens() == null ? 0
                    : Math.min(prompt, Math.max(0, promptTokensDetails.cachedTokens()));
            return new LlmUsage(prompt, completion, totalTokens == null ? prompt + completion : totalTokens, cached);
        }
    }

    /** Of the prompt tokens, those the provider's prompt cache served (priced lower by OpenAI). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record PromptDetails(@JsonProperty("cached_tokens") Integer cachedTokens) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Error(String message, String type, Object code) {
    }
}
