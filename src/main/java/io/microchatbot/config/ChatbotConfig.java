package io.microchatbot.config;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Run-time settings of the service. Every key can be set by environment variable
 * ({@code chatbot.llm.base-url} is {@code CHATBOT_LLM_BASE_URL}).
 */
@ConfigMapping(prefix = "chatbot")
public interface ChatbotConfig {

    Llm llm();

    Limits limits();

    Turn turn();

    Cursor cursor();

    Database database();

    Idempotency idempotency();

    interface Llm {
        /** Base URL of an OpenAI-compatible API, e.g. {@code https://api.openai.com/v1}. Absent: the offline provider answers. */
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

        /** Pooled HTTP connections to the provider per pod (streams hold one each). */
        @WithDefault("1000")
        int maxConnections();

        /** Messages read back from the conversation when building the context, newest first. */
        @WithDefault("200")
        int contextMaxMessages();

        /** Streaming: the longest a whole reply may take; keep it below chatbot.turn.lease. */
        @WithDefault("5m")
        Duration streamMaxDuration();

        /** TCP connect timeout to the provider. */
        @WithDefault("5s")
        Duration connectTimeout();

        /** OpenRouter's attribution headers (HTTP-Referer, X-Title), sent when set. */
        Optional<String> httpReferer();

        Optional<String> appTitle();
    }

    interface Limits {
        @WithDefault("32000")
        int contentMaxChars();

        @WithDefault("16384")
        int metadataMaxBytes();

        @WithDefault("200")
        int titleMaxChars();

        @WithDefault("32000")
        int systemPromptMaxChars();

        @WithDefault("100")
        int modelMaxChars();
    }

    interface Turn {
        /** A turn holds its conversation this long at most; a crashed pod's claim expires after it. */
        @WithDefault("10m")
        Duration lease();

        /** Retry-After sent with 409 conversation_busy. */
        @WithDefault("2")
        int busyRetryAfterSeconds();
    }

    interface Cursor {
        /**
         * HMAC key that signs pagination cursors. Set it (same value on every replica) in production;
         * when absent a random key is made at start and cursors do not survive a restart.
         */
        Optional<String> secret();
    }

    interface Idempotency {
        /** How long a key is remembered after its first use; an expired key counts as never used. */
        @WithDefault("24h")
        Duration ttl();

        /**
         * How long a request may hold its key in progress. After this the request is taken as lost (its pod died)
         * and a retry with the same key runs again; keep it above the longest turn (chatbot.turn.lease).
         */
        @WithDefault("10m")
        Duration lockTimeout();

        /** How often expired keys are deleted (read by the scheduler, see IdempotencyCleanup). */
        @WithDefault("10m")
        Duration cleanupInterval();

        /** Retry-After sent with 409 request_in_progress. */
        @WithDefault("2")
        int inProgressRetryAfterSeconds();
    }

    interface Database {
        /** Create the configured database on start when it does not exist (local runs). */
        @WithDefault("false")
        boolean createIfMissing();
    }
}
