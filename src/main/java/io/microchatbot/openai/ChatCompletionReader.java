package io.microchatbot.openai;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import io.microchatbot.generation.ToolsReader;
import io.microchatbot.llm.ChatMessage;
import io.microchatbot.llm.LlmConfig;
import io.microchatbot.llm.LlmRequest;
import io.microchatbot.llm.ResponseFormat;
import io.microchatbot.llm.Sampling;
import io.microchatbot.llm.TokenCounter;
import io.microchatbot.llm.Tool;
import io.microchatbot.llm.ToolChoice;
import io.microchatbot.problem.ApiException;
import io.microchatbot.problem.ErrorCode;
import io.microchatbot.service.LimitsConfig;
import io.microchatbot.structured.ReplyFormats;
import io.microchatbot.validation.FieldErrors;

/**
 * Reads and checks an OpenAI chat completion request body. Every invalid member is reported at once as one
 * {@code 400 validation_failed} naming each ({@code temperature}, {@code messages[2].tool_call_id}); members this
 * service does not know are ignored, as OpenAI's SDKs send more than any one server supports. Absent sampling
 * parameters take the service's defaults ({@code chatbot.llm.max-tokens}, {@code chatbot.llm.temperature}), and the
 * prompt with its reply budget must fit {@code chatbot.llm.context-window}.
 */
@ApplicationScoped
public class ChatCompletionReader {

    private static final Pattern MODEL = Pattern.compile("[A-Za-z0-9._:/@+-]+");
    private static final int MAX_STOPS = 4;

    private final LlmConfig llm;
    private final LimitsConfig limits;
    private final TokenCounter tokens;
    private final ReplyFormats formats;

    ChatCompletionReader(LlmConfig llm, LimitsConfig limits, TokenCounter tokens, ReplyFormats formats) {
        this.formats = formats;
        this.llm = llm;
        this.limits = limits;
        this.tokens = tokens;
    }

    public ChatCompletionCall read(JsonNode body) {
        return read(body, false);
    }

    /**
     * The call; {@code bound} to a conversation, its transcript need not fit the window (only its last message is
     * used, and the conversation's own history is trimmed to fit by the turn).
     */
    public ChatCompletionCall read(JsonNode body, boolean bound) {
        if (body != null && !body.isObject() && !body.isNull() && !body.isMissingNode()) {
            throw new ApiException(ErrorCode.invalid_json, "The body must be a JSON object");
        }
        JsonNode request = body == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : body;
        FieldErrors errors = new FieldErrors();
        String model = model(errors, request.get("model"));
        List<ChatMessage> messages = new PromptReader(errors).read(request.get("messages"));
        Sampling sampling = sampling(errors, request);
        ToolsReader toolsReader = new ToolsReader(errors, formats);
        List<Tool> tools = toolsReader.tools(request.get("tools"));
        ToolChoice toolChoice = toolsReader.toolChoice(request.get("tool_choice"), tools);
        ResponseFormat format = toolsReader.responseFormat(request.get("response_format"));
        Long n = errors.integer(request.get("n"), "n", 1, 1);
        boolean stream = Boolean.TRUE.equals(errors.bool(request.get("stream"), "stream"));
        JsonNode options = errors.object(request.get("stream_options"), "stream_options");
        boolean includeUsage = options != null
                && Boolean.TRUE.equals(errors.bool(options.get("include_usage"), "stream_options.include_usage"));
        errors.throwIfAny();
        if (!bound) {
            ensureFits(messages, sampling.maxTokens());
        }
        return new ChatCompletionCall(new LlmRequest(model, messages, sampling, tools, toolChoice, format), stream,
                stream && includeUsage);
    }

    private String model(FieldErrors errors, JsonNode node) {
        String model = errors.matching(node, "model", MODEL, "must be letters, digits and . _ : / @ + -", true);
        if (model != null && model.length() > limits.modelMaxChars()) {
            errors.add("model", "must be at most " + limits.modelMaxChars() + " characters");
            return null;
        }
        return model;
    }

    /** {@code max_completion_tokens} (OpenAI's newer name) wins over {@code max_tokens}; both are capped. */
    private Sampling sampling(FieldErrors errors, JsonNode request) {
        int cap = llm.maxTokens();
        Long maxTokens = errors.integer(request.get("max_tokens"), "max_tokens", 1, cap);
        Long maxCompletionTokens = errors.integer(request.get("max_completion_tokens"), "max_completion_tokens", 1,
                cap);
        Double temperature = errors.number(request.get("temperature"), "temperature", 0, 2);
        Double topP = errors.number(request.get("top_p"), "top_p", 0, 1);
        List<String> stop = stop(errors, request.get("stop"));
        Long seed = errors.integer(request.get("seed"), "seed", Long.MIN_VALUE, Long.MAX_VALUE);
        String user = errors.text(request.get("user"), "user");
        int budget = maxCompletionTokens != null ? maxCompletionTokens.intValue()
                : maxTokens != null ? maxTokens.intValue() : cap;
        return new Sampling(budget, temperature != null ? temperature : llm.temperature(), topP, stop, seed, user);
    }

    private static List<String> stop(FieldErrors errors, JsonNode node) {
        if (FieldErrors.absent(node)) {
            return null;
        }
        if (node.isTextual()) {
            return node.textValue().isEmpty() ? null : List.of(node.textValue());
        }
        if (!node.isArray()) {
            errors.add("stop", "must be a string or an array of strings");
            return null;
        }
        if (node.size() > MAX_STOPS) {
            errors.add("stop", "must have at most " + MAX_STOPS + " sequences");
            return null;
        }
        List<String> stops = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            String stop = errors.text(node.get(i), "stop[" + i + "]");
            if (stop != null && stop.isEmpty()) {
                errors.add("stop[" + i + "]", "must not be empty");
            } else if (stop != null) {
                stops.add(stop);
            }
        }
        return stops.isEmpty() ? null : stops;
    }

    /** A prompt that cannot fit the model's window would be refused by the provider: say so here, as 400. */
    private void ensureFits(List<ChatMessage> messages, int maxTokens) {
        int prompt = tokens.countPrompt(messages);
        if (prompt + maxTokens > llm.contextWindow()) {
            throw new ApiException(ErrorCode.context_window_exceeded, "The messages take " + prompt
                    + " tokens; with " + maxTokens + " for the reply they exceed the context window of "
                    + llm.contextWindow() + " tokens");
        }
    }
}
