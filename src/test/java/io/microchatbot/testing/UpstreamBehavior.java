package io.microchatbot.testing;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What the fake provider does with the next requests. Built fluently from {@link #reply(String...)}; every knob
 * maps to a failure mode seen in real providers.
 *
 * @param status HTTP status to answer with
 * @param chunks reply text, one SSE chunk each when streaming (joined when not)
 * @param rawBody a body sent as-is instead of a chat completion (garbage on demand)
 * @param retryAfter value of a Retry-After header, or null
 * @param latency delay before the response head is sent
 * @param chunkDelay delay between two streamed chunks
 * @param breakAfterChunks streaming: close the connection after this many chunks, without [DONE] (-1: never)
 * @param stallAfterChunks streaming: stop sending, connection open, after this many chunks (-1: never)
 * @param gateAfterChunks streaming: wait for {@code gate} after this many chunks (-1: never)
 * @param gate released by the test to let a gated stream go on
 * @param usage whether to report usage (for streams: only when the request asked for it)
 * @param finishReason the finish_reason sent with the last chunk
 */
public record UpstreamBehavior(
        int status,
        List<String> chunks,
        String rawBody,
        String retryAfter,
        Duration latency,
        Duration chunkDelay,
        int breakAfterChunks,
        int stallAfterChunks,
        int gateAfterChunks,
        CompletableFuture<Void> gate,
        boolean usage,
        String finishReason) {

    public static UpstreamBehavior reply(String... chunks) {
        return new UpstreamBehavior(200, List.of(chunks), null, null, Duration.ZERO, Duration.ZERO, -1, -1, -1, null,
                true, "stop");
    }

    public static UpstreamBehavior status(int status) {
        return new UpstreamBehavior(status, List.of(), "{\"error\":{\"message\":\"Incorrect API key provided: sk-secret\","
                + "\"type\":\"upstream_error\"}}", null, Duration.ZERO, Duration.ZERO, -1, -1, -1, null, true, "stop");
    }

    public static UpstreamBehavior garbage(String body) {
        return new UpstreamBehavior(200, List.of(), body, null, Duration.ZERO, Duration.ZERO, -1, -1, -1, null, true,
                "stop");
    }

    public UpstreamBehavior retryAfter(String value) {
        return new UpstreamBehavior(status, chunks, rawBody, value, latency, chunkDelay, breakAfterChunks,
                stallAfterChunks, gateAfterChunks, gate, usage, finishReason);
    }

    public UpstreamBehavior latency(Duration value) {
        return new UpstreamBehavior(status, chunks, rawBody, retryAfter, value, chunkDelay, breakAfterChunks,
                stallAfterChunks, gateAfterChunks, gate, usage, finishReason);
    }

    public UpstreamBehavior chunkDelay(Duration value) {
        return new UpstreamBehavior(status, chunks, rawBody, retryAfter, latency, value, breakAfterChunks,
                stallAfterChunks, gateAfterChunks, gate, usage, finishReason);
    }

    public UpstreamBehavior breakAfter(int chunkCount) {
        return new UpstreamBehavior(status, chunks, rawBody, retryAfter, latency, chunkDelay, chunkCount,
                stallAfterChunks, gateAfterChunks, gate, usage, finishReason);
    }

    public UpstreamBehavior stallAfter(int chunkCount) {
        return new UpstreamBehavior(status, chunks, rawBody, retryAfter, latency, chunkDelay, breakAfterChunks,
                chunkCount, gateAfterChunks, gate, usage, finishReason);
    }

    public UpstreamBehavior gateAfter(int chunkCount, CompletableFuture<Void> value) {
        return new UpstreamBehavior(status, chunks, rawBody, retryAfter, latency, chunkDelay, breakAfterChunks,
                stallAfterChunks, chunkCount, value, usage, finishReason);
    }

    public UpstreamBehavior withoutUsage() {
        return new UpstreamBehavior(status, chunks, rawBody, retryAfter, latency, chunkDelay, breakAfterChunks,
                stallAfterChunks, gateAfterChunks, gate, false, finishReason);
    }

    public UpstreamBehavior finishReason(String value) {
        return new UpstreamBehavior(status, chunks, rawBody, retryAfter, latency, chunkDelay, breakAfterChunks,
                stallAfterChunks, gateAfterChunks, gate, usage, value);
    }

    public String text() {
        return String.join("", chunks);
    }
}
