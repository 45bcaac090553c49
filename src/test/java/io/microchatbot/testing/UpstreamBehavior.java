package io.microchatbot.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What the fake provider does with the next requests. Built fluently from {@link #reply(String...)} or
 * {@link #toolCalls(FakeToolCall...)}; every knob maps to a failure mode seen in real providers.
 * <p>
 * A streamed reply is the SSE chunks of {@link #pieces()}: the text chunks, then the tool calls' deltas. The chunk
 * counts of {@code breakAfter}, {@code stallAfter} and {@code gateAfter} count all of them; the finish_reason chunk,
 * the usage chunk and {@code [DONE]} follow the last one.
 *
 * @param status HTTP status to answer with
 * @param chunks reply text, one SSE chunk each when streaming (joined when not)
 * @param rawBody a body sent as-is instead of a chat completion (garbage on demand)
 * @param retryAfter value of a Retry-After header, or null
 * @param latency delay before the response head is sent
 * @param chunkDelay delay between two streamed chunks
 * @param breakAfterChunks streaming: reset the connection after this many chunks, without finish_reason or [DONE]
 *        (-1: never)
 * @param stallAfterChunks streaming: stop sending, connection open, after this many chunks (-1: never)
 * @param gateAfterChunks streaming: wait for {@code gate} after this many chunks (-1: never)
 * @param gate released by the test to let a gated stream go on
 * @param usage whether to report usage (for streams: only when the request asked for it)
 * @param finishReason the finish_reason sent with the last chunk
 * @param toolCalls the function calls the reply makes after its text, and how a stream sends them
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
        String finishReason,
        ToolCalls toolCalls) {

    /** Fragments per call's arguments when streamed, unless {@link #argumentFragments(int)} says otherwise. */
    public static final int DEFAULT_ARGUMENT_FRAGMENTS = 3;

    /**
     * The calls a reply makes. Streamed, each call is one delta naming it (id, type, name, empty arguments) and then
     * its arguments in up to {@code fragments} deltas; one call after the other, or round-robin when
     * {@code interleaved}. {@code cutCall} and {@code cutAfterFragments} (-1: no cut) reset the connection after that
     * many argument fragments of that call.
     */
    public record ToolCalls(List<FakeToolCall> calls, int fragments, boolean interleaved, int cutCall,
            int cutAfterFragments) {

        static final ToolCalls NONE = new ToolCalls(List.of(), DEFAULT_ARGUMENT_FRAGMENTS, false, -1, -1);
    }

    /** One SSE chunk of a streamed reply, before it is encoded. */
    public sealed interface Piece {

        /** {@code {"content": text}} */
        record Text(String content) implements Piece {
        }

        /** {@code {"tool_calls":[{"index":i,"id":..,"type":"function","function":{"name":..,"arguments":""}}]}} */
        record CallOpened(int index, FakeToolCall call) implements Piece {
        }

        /** {@code {"tool_calls":[{"index":i,"function":{"arguments":fragment}}]}} */
        record Arguments(int index, String fragment) implements Piece {
        }
    }

    public static UpstreamBehavior reply(String... chunks) {
        return new UpstreamBehavior(200, List.of(chunks), null, null, Duration.ZERO, Duration.ZERO, -1, -1, -1, null,
                true, "stop", ToolCalls.NONE);
    }

    /** A reply that only calls functions: content null when whole, finish_reason {@code tool_calls}. */
    public static UpstreamBehavior toolCalls(FakeToolCall... calls) {
        return reply().withToolCalls(calls);
    }

    public static UpstreamBehavior status(int status) {
        return new UpstreamBehavior(status, List.of(), "{\"error\":{\"message\":\"Incorrect API key provided: sk-secret\","
                + "\"type\":\"upstream_error\"}}", null, Duration.ZERO, Duration.ZERO, -1, -1, -1, null, true, "stop",
                ToolCalls.NONE);
    }

    public static UpstreamBehavior garbage(String body) {
        return new UpstreamBehavior(200, List.of(), body, null, Duration.ZERO, Duration.ZERO, -1, -1, -1, null, true,
                "stop", ToolCalls.NONE);
    }

    public UpstreamBehavior retryAfter(String value) {
        return new UpstreamBehavior(status, chunks, rawBody, value, latency, chunkDelay, breakAfterChunks,
                stallAfterChunks, gateAfterChunks, gate, usage, finishReason, toolCalls);
    }

    public UpstreamBehavior latency(Duration value) {
        return new UpstreamBehavior(status, chunks, rawBody, retryAfter, value, chunkDelay, breakAfterChunks,
                stallAfterChunks, gateAfterChunks, gate, usage, finishReason, toolCalls);
    }

    public UpstreamBehavior chunkDelay(Duration value) {
        return new UpstreamBehavior(status, chunks, rawBody, retryAfter, latency, value, breakAfterChunks,
                stallAfterChunks, gateAfterChunks, gate, usage, finishReason, toolCalls);
    }

    public UpstreamBehavior breakAfter(int chunkCount) {
        return new UpstreamBehavior(status, chunks, rawBody, retryAfter, latency, chunkDelay, chunkCount,
                stallAfterChunks, gateAfterChunks, gate, usage, finishReason, toolCalls);
    }

    public UpstreamBehavior stallAfter(int chunkCount) {
        return new UpstreamBehavior(status, chunks, rawBody, retryAfter, latency, chunkDelay, breakAfterChunks,
                chunkCount, gateAfterChunks, gate, usage, finishReason, toolCalls);
    }

    public UpstreamBehavior gateAfter(int chunkCount, CompletableFuture<Void> value) {
        return new UpstreamBehavior(status, chunks, rawBody, retryAfter, latency, chunkDelay, breakAfterChunks,
                stallAfterChunks, chunkCount, value, usage, finishReason, toolCalls);
    }

    public UpstreamBehavior withoutUsage() {
        return new UpstreamBehavior(status, chunks, rawBody, retryAfter, latency, chunkDelay, breakAfterChunks,
                stallAfterChunks, gateAfterChunks, gate, false, finishReason, toolCalls);
    }

    public UpstreamBehavior finishReason(String value) {
        return new UpstreamBehavior(status, chunks, rawBody, retryAfter, latency, chunkDelay, breakAfterChunks,
                stallAfterChunks, gateAfterChunks, gate, usage, value, toolCalls);
    }

    /** After its text (if any), the reply calls these functions; finish_reason becomes {@code tool_calls}. */
    public UpstreamBehavior withToolCalls(FakeToolCall... calls) {
        return withCalls(new ToolCalls(List.of(calls), toolCalls.fragments(), toolCalls.interleaved(),
                toolCalls.cutCall(), toolCalls.cutAfterFragments())).finishReason("tool_calls");
    }

    /** Streamed arguments come in up to this many fragments per call. */
    public UpstreamBehavior argumentFragments(int count) {
        return withCalls(new ToolCalls(toolCalls.calls(), count, toolCalls.interleaved(), toolCalls.cutCall(),
                toolCalls.cutAfterFragments()));
    }

    /** Streamed calls take turns, delta by delta (call 0, call 1, call 0, ...): only their index tells them apart. */
    public UpstreamBehavior interleaved() {
        return withCalls(new ToolCalls(toolCalls.calls(), toolCalls.fragments(), true, toolCalls.cutCall(),
                toolCalls.cutAfterFragments()));
    }

    /**
     * Streaming: reset the connection right after {@code fragmentsSent} argument fragments of call {@code call}
     * (0: right after the delta naming it), with no finish_reason and no [DONE]. Independent of the order of the
     * knobs; it wins over {@code breakAfter}.
     */
    public UpstreamBehavior breakInArguments(int call, int fragmentsSent) {
        return withCalls(new ToolCalls(toolCalls.calls(), toolCalls.fragments(), toolCalls.interleaved(), call,
                fragmentsSent));
    }

    public String text() {
        return String.join("", chunks);
    }

    /** The message content of a whole (not streamed) reply: null when the reply only calls functions, as OpenAI does. */
    public String content() {
        return chunks.isEmpty() && !toolCalls.calls().isEmpty() ? null : text();
    }

    /** What a stream sends, one SSE chunk each, in order. */
    public List<Piece> pieces() {
        List<Piece> pieces = new ArrayList<>();
        chunks.forEach(chunk -> pieces.add(new Piece.Text(chunk)));
        List<FakeToolCall> calls = toolCalls.calls();
        List<List<String>> fragments = calls.stream().map(call -> call.fragments(toolCalls.fragments())).toList();
        if (toolCalls.interleaved()) {
            int rounds = 1 + fragments.stream().mapToInt(List::size).max().orElse(0);
            for (int round = 0; round < rounds; round++) {
                for (int i = 0; i < calls.size(); i++) {
                    if (round == 0) {
                        pieces.add(new Piece.CallOpened(i, calls.get(i)));
                    } else if (round <= fragments.get(i).size()) {
                        pieces.add(new Piece.Arguments(i, fragments.get(i).get(round - 1)));
                    }
                }
            }
        } else {
            for (int i = 0; i < calls.size(); i++) {
                pieces.add(new Piece.CallOpened(i, calls.get(i)));
                for (String fragment : fragments.get(i)) {
                    pieces.add(new Piece.Arguments(i, fragment));
                }
            }
        }
        return pieces;
    }

    /** Streaming: how many chunks are sent before the connection is reset (-1: it is not). */
    public int breakIndex() {
        if (toolCalls.cutCall() < 0) {
            return breakAfterChunks;
        }
        List<Piece> pieces = pieces();
        int sent = 0;
        for (int i = 0; i < pieces.size(); i++) {
            if (pieces.get(i) instanceof Piece.CallOpened opened && opened.index() == toolCalls.cutCall()
                    && toolCalls.cutAfterFragments() == 0
                    || pieces.get(i) instanceof Piece.Arguments arguments && arguments.index() == toolCalls.cutCall()
                            && ++sent == toolCalls.cutAfterFragments()) {
                return i + 1;
            }
        }
        throw new IllegalStateException("Call " + toolCalls.cutCall() + " has no argument fragment "
                + toolCalls.cutAfterFragments() + " to break after");
    }

    /** Deterministic completion tokens, the same whole or streamed: one per streamed chunk. */
    public int completionTokens() {
        return pieces().size();
    }

    private UpstreamBehavior withCalls(ToolCalls value) {
        return new UpstreamBehavior(status, chunks, rawBody, retryAfter, latency, chunkDelay, breakAfterChunks,
                stallAfterChunks, gateAfterChunks, gate, usage, finishReason, value);
    }
}
