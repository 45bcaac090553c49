package io.microchatbot.problem;

/**
 * The stable error codes of the API (docs/errors.md). The code, not the title, is the contract: titles may
 * be reworded, codes never change meaning.
 */
public enum ErrorCode {
    invalid_json(400, "Malformed JSON"),
    validation_failed(400, "Invalid request"),
    invalid_cursor(400, "Invalid cursor"),
    invalid_identity(400, "Invalid caller identity"),
    context_window_exceeded(400, "Message does not fit the model's context window"),
    /** A tool result answers no call the conversation's last reply made, or answers one twice. */
    unknown_tool_call(400, "Unknown tool call"),
    /** The last reply asked for tool calls: the next message must carry a result for every one of them. */
    tool_results_missing(400, "Tool results missing"),
    /** The model asked for is not on the caller's allow-list (chatbot.models.*). */
    model_not_allowed(400, "Model not allowed"),
    /** A webhook URL that is, or resolves to, an address off the public internet (SSRF protection). */
    webhook_target_forbidden(400, "Webhook target not allowed"),
    unauthenticated(401, "Caller not identified"),
    forbidden(403, "Not allowed"),
    not_found(404, "Not found"),
    method_not_allowed(405, "Method not allowed"),
    not_acceptable(406, "Not acceptable"),
    conversation_busy(409, "Conversation busy"),
    request_in_progress(409, "Request in progress"),
    /**
     * The turn was cancelled (POST …/turns/{messageId}/cancel) before its reply was complete: what was generated is
     * stored as {@code incomplete} with this code, and the turn's caller gets it as its answer or terminal event.
     */
    cancelled(409, "Turn cancelled"),
    /** A cancel of a turn whose reply is already stored: nothing is left to cancel. */
    turn_not_running(409, "Turn not running"),
    webhook_limit_reached(409, "Too many webhooks"),
    payload_too_large(413, "Payload too large"),
    unsupported_media_type(415, "Unsupported media type"),
    idempotency_key_reused(422, "Idempotency key reused"),
    rate_limited(429, "Rate limit exceeded"),
    llm_rate_limited(429, "LLM provider rate limit reached"),
    /**
     * The tenant or API key has spent its daily or monthly budget (chatbot.usage.*); refused before anything was
     * stored or the provider called. Retry-After: until the period ends (ADR 0016).
     */
    budget_exhausted(429, "Budget exhausted"),
    /** Recorded on replies cut short because the caller went away; never sent, nobody is left to read it. */
    client_disconnected(499, "Caller disconnected"),
    internal_error(500, "Internal error"),
    llm_bad_response(502, "LLM provider sent an invalid response"),
    /**
     * The model answered, but not in the shape asked for: a reply that is not valid against the turn's
     * {@code response_format}, or tool-call arguments that are not JSON. The reply is stored with status
     * {@code invalid}.
     */
    llm_invalid_output(502, "LLM reply does not match the requested format"),
    llm_unavailable(503, "LLM provider unavailable"),
    llm_overloaded(503, "Too many LLM calls in progress"),
    /** This instance runs its maximum of turns and none came free in time (admission); nothing was stored. */
    overloaded(503, "Service overloaded"),
    database_unavailable(503, "Database unavailable"),
    /**
     * Following or cancelling a turn run by another replica needs Redis, and Redis cannot be reached; the turn
     * itself is not affected.
     */
    coordination_unavailable(503, "Replica coordination unavailable"),
    /**
     * Recorded on replies of turns that never ended because their pod stopped or the database became unreachable
     * before the reply was stored; written later by the turn recovery job. Never sent.
     */
    turn_interrupted(503, "Turn interrupted"),
    /** The pod is draining before it stops: a request arriving then is refused so that another pod takes it. */
    shutting_down(503, "Service shutting down"),
    llm_timeout(504, "LLM provider timed out"),
    deadline_exceeded(504, "The caller's deadline cannot be met");

    private final int status;
    private final String title;

    ErrorCode(int status, String title) {
        this.status = status;
        this.title = title;
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    /** Stable type URI of the problem, resolvable in docs/errors.md. */
    public String type() {
        return "https://micro-chatbot-service/errors/" + name().replace('_', '-');
    }
}
