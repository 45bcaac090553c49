package io.microchatbot.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

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

    /** Log the text of messages with message_processed (for debugging only: it is the users' content). */
    @WithDefault("false")
    boolean logContent();

    Database database();

    Idempotency idempotency();

    Redis redis();

    Cache cache();

    RateLimit rateLimit();

    Events events();

    Auth auth();

    Commands commands();

    interface Llm {
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
    }

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

        /**
         * A turn whose caller's deadline (x-envoy-expected-rq-timeout-ms or Request-Timeout) leaves less than this
         * is refused with 504 deadline_exceeded before anything is stored or paid for.
         */
        @WithDefault("1s")
        Duration minTimeToStart();

        /** Retry-After sent with 409 conversation_busy. */
        @WithDefault("2")
        int busyRetryAfterSeconds();

        /**
         * How often every replica looks for turns left without a reply (their pod died, or the database went away,
         * after the user message was stored) once their lease has expired; the first look is right after start.
         * A duration, or {@code off} to disable it. Read by the {@code @Scheduled} expression of TurnRecoveryJob.
         */
        @WithDefault("30s")
        String recoveryInterval();

        /**
         * On shutdown, after the HTTP drain ({@code quarkus.shutdown.timeout}) and after cutting the requests still
         * running, how long to wait for their turns to store their replies before the database pool closes.
         */
        @WithDefault("5s")
        Duration shutdownGrace();
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

    /** How requests use Redis: it is a speed-up and a shared counter, never a reason for a request to fail. */
    interface Redis {
        /** A command not answered within this is given up (the request goes on without Redis). */
        @WithDefault("100ms")
        Duration commandTimeout();

        /** Redis failures are logged at most once per interval (with the count since the last line). */
        @WithDefault("30s")
        Duration errorLogInterval();

        /**
         * When half of the last ten commands failed, Redis is not asked at all for this long (a circuit breaker), so
         * that requests do not each wait for the command timeout while Redis hangs.
         */
        @WithDefault("2s")
        Duration pause();
    }

    /**
     * The newest messages of each conversation (up to chatbot.llm.context-max-messages), cached in Redis for the next
     * turn's context and the first page of its messages.
     */
    interface Cache {
        @WithDefault("true")
        boolean enabled();

        /** A conversation's cached messages are dropped this long after they were last read or written. */
        @WithDefault("1h")
        Duration ttl();
    }

    /**
     * Token buckets in Redis shared by every replica. A turn takes one token of the caller's and the tenant's turn
     * buckets; any other API call one token of their read buckets.
     */
    interface RateLimit {
        @WithDefault("true")
        boolean enabled();

        /** Turns per second refilled into each caller's bucket. */
        @WithDefault("1")
        double rate();

        /** Turns a caller may send in a burst. */
        @WithDefault("10")
        int capacity();

        /** Other API calls (reads, conversation changes) per second per caller. */
        @WithDefault("20")
        double readRate();

        @WithDefault("100")
        int readCapacity();

        /** Turns per second per tenant, all its callers together. */
        @WithDefault("20")
        double tenantRate();

        @WithDefault("200")
        int tenantCapacity();

        /** Other API calls per second per tenant. */
        @WithDefault("200")
        double tenantReadRate();

        @WithDefault("1000")
        int tenantReadCapacity();

        /**
         * LLM tokens (prompt + completion, as the provider reports them) a tenant may use per minute; a turn is
         * refused while the tenant's budget is spent. Absent: no budget.
         */
        OptionalInt tenantTokensPerMinute();

        /** Turns one caller may have running at once, across replicas. */
        @WithDefault("4")
        int maxConcurrentTurns();

        /**
         * A running turn's place among its caller's concurrent turns is held for this long and renewed while it
         * runs: a pod that dies mid-turn frees the place after it.
         */
        @WithDefault("30s")
        Duration turnLease();

        /**
         * Redis unreachable: true limits each pod by a local bucket with the settings above divided by
         * chatbot.rate-limit.replicas; false lets every request through (counted and logged). Never fails closed.
         */
        @WithDefault("true")
        boolean localFallback();

        /** Replicas sharing the limits, used to size the local fallback buckets. */
        @WithDefault("1")
        int replicas();
    }

    /** Publishing the outbox to Redis Streams (docs/events.md). */
    interface Events {
        /** The stream every event is published to, in order per conversation. */
        @WithDefault("chatbot.events")
        String stream();

        /** Entries the stream keeps, approximately (XADD MAXLEN ~); consumers must keep up within it. */
        @WithDefault("1000000")
        long maxLength();

        /** How often each replica looks for events to publish (one replica publishes at a time). */
        @WithDefault("200ms")
        Duration relayInterval();

        /** Events published per transaction of the relay. */
        @WithDefault("500")
        int relayBatch();

        /** Published events are deleted from the outbox table after this. */
        @WithDefault("7d")
        Duration retention();
    }

    /** Commands read from a Redis Stream by a consumer group (docs/events.md#commands). */
    interface Commands {
        @WithDefault("true")
        boolean enabled();

        @WithDefault("chatbot.commands")
        String stream();

        /** How often each replica reads new commands. */
        @WithDefault("200ms")
        Duration pollInterval();

        /** The consumer group; every replica is one consumer of it. */
        @WithDefault("chatbot-service")
        String group();

        /** Commands that failed for good, with their error. */
        @WithDefault("chatbot.dead-letter")
        String deadLetterStream();

        /**
         * Attempts of a command failing for a passing reason (database unreachable, conversation busy) before it goes
         * to the dead-letter stream.
         */
        @WithDefault("5")
        int maxAttempts();

        /** Wait before the second attempt; it doubles with each attempt. */
        @WithDefault("500ms")
        Duration retryDelay();

        /**
         * A command delivered to a consumer that has not acknowledged it for this long (its pod died) is taken over;
         * keep it above the longest turn.
         */
        @WithDefault("5m")
        Duration reclaimAfter();

        /** Commands read at once by a consumer. */
        @WithDefault("16")
        int batch();
    }

    /**
     * How callers are identified (docs/security.md). The JWT verification itself (key or JWKS URL, issuer, audience,
     * algorithm, clock skew) is set with the CHATBOT_AUTH_* variables mapped onto mp.jwt.* in application.properties.
     */
    interface Auth {
        /** {@code jwt}: bearer JWTs or API keys; {@code none}: X-User-ID / X-Tenant-ID trusted as sent. */
        @WithDefault("jwt")
        AuthMode mode();

        /** Claim of a token holding the caller's tenant; a token without it belongs to the tenant "default". */
        @WithDefault("tenant_id")
        String tenantClaim();

        /** A token whose {@code scope} holds this and that has a {@code service} claim is a service token. */
        @WithDefault("internal")
        String serviceScope();

        /** Group (in {@code groups}) or scope (in {@code scope}) that grants the admin endpoints. */
        @WithDefault("admin")
        String adminRole();
    }

    enum AuthMode {
        jwt,
        none
    }
}
