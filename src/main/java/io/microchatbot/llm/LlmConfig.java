package io.microchatbot.llm;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The LLM providers and how each call to them is bounded (chatbot.llm.*, CHATBOT_LLM_*). */
@ConfigMapping(prefix = "chatbot.llm")
public interface LlmConfig {
    /**
     * Base URL of an OpenAI-compatible API, e.g. {@code https://api.openai.com/v1}. Absent: the offline provider answers.
     */
    Optional<String> baseUrl();

    /** Bearer key for the provider; never logged. Falls back to OPENAI_API_KEY / OPENROUTER_API_KEY. */
    Optional<String> apiKey();

    /** Model used when a conversation does not name one. */
    @WithDefault("gpt-4o-mini")
    String model();

    /** Provider label stored with every reply; derived from the base URL when absent. */
    Optional<String> provider();

    @WithDefault("1024")
    int maxTokens();

    @WithDefault("0.7")
    double temperature();

    /** Context window of the model, in tokens; the prompt is cut to fit it minus max-tokens. */
    @WithDefault("8192")
    int contextWindow();

    /** Whole non-streaming call. */
    @WithDefault("30s")
    Duration timeout();

    /** Streaming: time allowed until the first token. */
    @WithDefault("30s")
    Duration firstTokenTimeout();

    /** Streaming: time allowed between two chunks once the stream has started. */
    @WithDefault("60s")
    Duration idleTimeout();

    /**
     * Pooled HTTP connections to the provider per pod (streams hold one each); absent: the admission limit
     * (chatbot.admission.*), so that every admitted turn finds a connection without waiting.
     */
    OptionalInt maxConnections();

    /** Messages read back from the conversation when building the context, newest first. */
    @WithDefault("200")
    int contextMaxMessages();

    /** Streaming: the longest a whole reply may take; keep it below chatbot.turn.lease. */
    @WithDefault("5m")
    Duration streamMaxDuration();

    /**
     * Models tried in this order when the conversation's model keeps failing (after its retries, or while its
     * circuit is open), e.g. {@code gpt-4o-mini,gpt-4.1-mini}. Empty: no fallback.
     */
    Optional<List<String>> fallbackModels();

    /** A second OpenAI-compatible endpoint, tried when every model of the first one has failed. */
    Secondary secondary();

    Retry retry();

    CircuitBreaker circuitBreaker();

    Bulkhead bulkhead();

    /** TCP connect timeout to the provider. */
    @WithDefault("5s")
    Duration connectTimeout();

    /** OpenRouter's attribution headers (HTTP-Referer, X-Title), sent when set. */
    Optional<String> httpReferer();

    Optional<String> appTitle();

    interface Secondary {
        /** Base URL of the second provider; absent: none. Timeouts and limits are the first one's. */
        Optional<String> baseUrl();

        /** Its key; OPENAI_API_KEY / OPENROUTER_API_KEY apply as for the first provider. */
        Optional<String> apiKey();

        /** Model asked of it; absent: the conversation's model. */
        Optional<String> model();

        /** Label stored with its replies; derived from its base URL when absent. */
        Optional<String> provider();
    }

    /** Retries of one model, before its first token: only connect errors, timeouts, 429 and 5xx. */
    interface Retry {
        /** Retries after the first attempt (0 disables retrying). */
        @WithDefault("2")
        int maxRetries();

        /** Delay before the first retry; it doubles with each retry up to max-delay, plus random jitter. */
        @WithDefault("500ms")
        Duration initialDelay();

        @WithDefault("8s")
        Duration maxDelay();

        @WithDefault("250ms")
        Duration jitter();

        /**
         * A provider's Retry-After is honoured up to this long; a longer one is not waited for: the caller gets it
         * (or the next fallback model is tried) at once.
         */
        @WithDefault("10s")
        Duration maxRetryAfter();
    }

    /** One circuit breaker per provider and model. */
    interface CircuitBreaker {
        /** Calls in the rolling window. */
        @WithDefault("20")
        int requestVolumeThreshold();

        /** Share of failed calls in the window that opens the circuit. */
        @WithDefault("0.5")
        double failureRatio();

        /** How long an open circuit refuses calls before letting trial calls through. */
        @WithDefault("30s")
        Duration delay();

        /** Successful trial calls that close it again. */
        @WithDefault("2")
        int successThreshold();
    }

    /** Bounds the LLM calls one pod makes at once; a stream holds its place until it ends. */
    interface Bulkhead {
        /**
         * Absent: the admission limit (chatbot.admission.*). An admitted turn makes one LLM call at a time, so the
         * bulkhead then never refuses an admitted turn; admission is what bounds the work. Set it lower only to
         * protect a provider that takes fewer calls than the pod can hold.
         */
        OptionalInt maxConcurrent();

        /** Calls waiting for a place; beyond them a turn is refused with 503 llm_overloaded. */
        @WithDefault("512")
        int queue();

        /** Retry-After sent with llm_overloaded. */
        @WithDefault("2")
        int retryAfterSeconds();
    }
}
