package io.microchatbot.openai;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestMulti;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.microchatbot.Deadline;
import io.microchatbot.llm.LlmChunk;
import io.microchatbot.models.ModelAllowList;
import io.microchatbot.models.Requester;
import io.microchatbot.problem.ApiException;
import io.microchatbot.problem.Failures;
import io.microchatbot.problem.Problem;
import io.microchatbot.ratelimit.TurnRequest;
import io.microchatbot.rest.CallerDeadline;
import io.microchatbot.rest.TurnRepresentation;
import io.microchatbot.security.Access;
import io.microchatbot.security.CurrentCaller;
import io.microchatbot.security.RequiresScope;
import io.microchatbot.security.Scope;
import io.microchatbot.validation.Ids;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * {@code POST /v1/chat/completions}, for callers that speak OpenAI's API (its SDKs): the request is read
 * ({@link ChatCompletionReader}), its model checked against the caller's allow-list, answered by a
 * {@link CompletionMode} and rendered as OpenAI's {@code chat.completion} object or {@code chat.completion.chunk}
 * events. Limited, admitted and authenticated like a turn (scope {@code chat}). A stream is honest: one that breaks
 * after it started ends with one error event and without {@code [DONE]}.
 */
@Path("/v1/chat/completions")
@Tag(name = "OpenAI-compatible")
public class ChatCompletionsResource {

    private final ChatCompletionReader reader;
    private final ModelAllowList models;
    /** Binds a completion to a stored conversation of the caller (its id). */
    static final String CONVERSATION_HEADER = "X-Conversation-ID";

    private final CompletionMode stateless;
    private final BoundCompletions bound;
    private final CurrentCaller callers;
    private final OpenAiProblems problems;
    private final OpenAiMetrics metrics;
    private final ObjectMapper json;

    ChatCompletionsResource(ChatCompletionReader reader, ModelAllowList models, StatelessCompletions stateless,
            BoundCompletions bound, CurrentCaller callers, OpenAiProblems problems, OpenAiMetrics metrics,
            ObjectMapper json) {
        this.bound = bound;
        this.reader = reader;
        this.models = models;
        this.stateless = stateless;
        this.callers = callers;
        this.problems = problems;
        this.metrics = metrics;
        this.json = json;
    }

    @POST
    @TurnRequest
    @RequiresScope(Scope.chat)
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(TurnRepresentation.INTERNAL_MEDIA_TYPE)
    @Operation(summary = "OpenAI-compatible chat completion, as JSON or (stream: true) as chat.completion.chunk events")
    @APIResponse(responseCode = "200", description = "A chat.completion object, or server-sent chat.completion.chunk"
            + " events ending with [DONE]", content = {
                    @Content(mediaType = MediaType.APPLICATION_JSON),
                    @Content(mediaType = MediaType.SERVER_SENT_EVENTS) })
    public Multi<String> create(JsonNode body, HttpHeaders headers) {
        Access access = callers.access();
        boolean streamAsked = body != null && body.path("stream").asBoolean(false);
        Uni<HttpReply> reply = Uni.createFrom().deferred(() -> {
            boolean bound = headers.getHeaderString(CONVERSATION_HEADER) != null;
            ChatCompletionCall call = reader.read(body, bound);
            models.ensureAllowed(Requester.of(access), call.request().model(), "model");
            Deadline deadline = CallerDeadline.from(headers);
            CompletionMode mode = mode(headers);
            return call.stream() ? streamed(mode, access, call, deadline) : whole(mode, access, call, deadline);
        }).onFailure().recoverWithItem(failure -> problem(failure, streamAsked));
        return RestMulti.fromUniResponse(reply, HttpReply::chunks, HttpReply::headers, HttpReply::status);
    }

    /** Stateless, or bound to the caller's conversation named by {@code X-Conversation-ID}. */
    private CompletionMode mode(HttpHeaders headers) {
        String conversation = headers.getHeaderString(CONVERSATION_HEADER);
        return conversation == null ? stateless : bound.of(Ids.parse(conversation.trim(), CONVERSATION_HEADER));
    }

    private Uni<HttpReply> whole(CompletionMode mode, Access access, ChatCompletionCall call, Deadline deadline) {
        return mode.complete(access, call, deadline)
                .map(completion -> ChatCompletionObject.of(json, CompletionIdentity.next(), completion,
                        completion.usage()))
                .map(answer -> HttpReply.json(text(answer)))
                .invoke(() -> metrics.count(false, OpenAiMetrics.Outcome.answered));
    }

    private Uni<HttpReply> streamed(CompletionMode mode, Access access, ChatCompletionCall call,
            Deadline deadline) {
        return mode.stream(access, call, deadline)
                .map(chunks -> new HttpReply(200, HttpReply.EVENT_STREAM, events(call, chunks)));
    }

    /** The provider's chunks as OpenAI's events; a break ends them with one error event and no [DONE]. */
    private Multi<String> events(ChatCompletionCall call, Multi<LlmChunk> chunks) {
        CompletionChunks writer = new CompletionChunks(json, CompletionIdentity.next(), call.request().model(),
                call.includeUsage());
        AtomicBoolean finished = new AtomicBoolean();
        return chunks
                .onItem().transformToIterable(chunk -> {
                    List<String> events = writer.events(chunk);
                    if (chunk instanceof LlmChunk.Finished last) {
                        finished.set(true);
                        events = new java.util.ArrayList<>(events);
                        events.addAll(writer.closing(last.model() != null ? last.model() : call.request().model(),
                                last.usage()));
                    }
                    return events;
                })
                .onFailure().recoverWithItem(failure -> {
                    metrics.count(true, OpenAiMetrics.Outcome.broken);
                    return "data: " + problems.text(Failures.describe(failure), OpenAiPaths.CHAT_COMPLETIONS)
                            + "\n\n";
                })
                .onCompletion().invoke(() -> {
                    if (finished.get()) {
                        metrics.count(true, OpenAiMetrics.Outcome.answered);
                    }
                })
                .onCancellation().invoke(() -> metrics.count(true, OpenAiMetrics.Outcome.disconnected));
    }

    private HttpReply problem(Throwable failure, boolean stream) {
        ApiException refused = Failures.describe(failure);
        metrics.problem(stream, refused.code().status());
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("Content-Type", List.of(Problem.MEDIA_TYPE));
        refused.retryAfterSeconds().ifPresent(seconds -> headers.put("Retry-After", List.of(seconds.toString())));
        return new HttpReply(refused.code().status(), Map.copyOf(headers),
                Multi.createFrom().item(problems.text(refused, OpenAiPaths.CHAT_COMPLETIONS)));
    }

    private String text(JsonNode node) {
        try {
            return json.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot encode a chat completion", e);
        }
    }
}
