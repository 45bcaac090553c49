package io.microchatbot.rest;

import java.util.UUID;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestHeader;
import org.jboss.resteasy.reactive.RestMulti;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestResponse;

import io.microchatbot.api.CancelTurnView;
import io.microchatbot.api.MessageView;
import io.microchatbot.api.TurnPaths;
import io.microchatbot.correlation.CorrelationId;
import io.microchatbot.idempotency.Outcome;
import io.microchatbot.problem.ApiException;
import io.microchatbot.security.CurrentCaller;
import io.microchatbot.turns.TurnCancels;
import io.microchatbot.turns.TurnFollower;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * A conversation's turns, from any replica: follow one (server-sent events from its {@code Last-Event-ID}, to its
 * terminal event) and cancel one. A turn is named by its last input message: the user message, or the last tool
 * result; {@code current} is the conversation's newest turn.
 */
@Path("/api/v1/conversations/{id}/turns")
@Tag(name = "Turns")
public class TurnResource {

    static final String LAST_EVENT_ID = "Last-Event-ID";

    private final TurnFollower follower;
    private final TurnCancels cancels;
    private final CurrentCaller callers;
    private final Answers answers;

    TurnResource(TurnFollower follower, TurnCancels cancels, CurrentCaller callers, Answers answers) {
        this.follower = follower;
        this.cancels = cancels;
        this.callers = callers;
        this.answers = answers;
    }

    @GET
    @Path("/current/events")
    @Produces(TurnRepresentation.INTERNAL_MEDIA_TYPE)
    @Operation(summary = "Follow the conversation's newest turn: its events after Last-Event-ID, live to its end")
    @Parameter(name = LAST_EVENT_ID, in = ParameterIn.HEADER, required = false, description = "The id of the last"
            + " event received; the events after it are sent")
    @APIResponse(responseCode = "200", description = "Server-sent events, as the turn's own stream", content = @Content(mediaType = MediaType.SERVER_SENT_EVENTS))
    public Multi<String> current(@RestPath UUID id, @RestHeader(LAST_EVENT_ID) String lastEventId) {
        var caller = callers.get();
        return streamed(follower.current(caller, id, after(lastEventId)), TurnPaths.currentEvents(id));
    }

    @GET
    @Path("/{messageId}/events")
    @Produces(TurnRepresentation.INTERNAL_MEDIA_TYPE)
    @Operation(summary = "Follow a turn: its events after Last-Event-ID, live to its end, or replayed once ended")
    @Parameter(name = LAST_EVENT_ID, in = ParameterIn.HEADER, required = false, description = "The id of the last"
            + " event received; the events after it are sent")
    @APIResponse(responseCode = "200", description = "Server-sent events, as the turn's own stream", content = @Content(mediaType = MediaType.SERVER_SENT_EVENTS))
    public Multi<String> events(@RestPath UUID id, @RestPath UUID messageId,
            @RestHeader(LAST_EVENT_ID) String lastEventId) {
        var caller = callers.get();
        return streamed(follower.of(caller, id, messageId, after(lastEventId)), TurnPaths.events(id, messageId));
    }

    @POST
    @Path("/{messageId}/cancel")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Cancel a running turn: its partial reply is stored as incomplete (cancelled)")
    @APIResponse(responseCode = "200", description = "The turn ended; its stored reply", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = CancelTurnView.class)))
    @APIResponse(responseCode = "202", description = "The cancel was passed on; the reply is not stored yet")
    public Uni<RestResponse<CancelTurnView>> cancel(@RestPath UUID id, @RestPath UUID messageId) {
        var caller = callers.get();
        return cancels.cancel(caller, id, messageId)
                .map(cancelled -> cancelled.reply() != null
                        ? RestResponse.ok(new CancelTurnView("settled", MessageView.of(cancelled.reply()),
                                TurnPaths.events(id, messageId)))
                        : RestResponse.accepted(new CancelTurnView("cancelling", null,
                                TurnPaths.events(id, messageId))));
    }

    /** Problems found before the first event (404, 400, 503) are answered as problems, not as a stream. */
    private Multi<String> streamed(Uni<Multi<String>> events, String path) {
        Uni<Answers.HttpAnswer> answer = events
                .map(stream -> answers.http(new Outcome.Streaming(stream)))
                .onFailure(ApiException.class).recoverWithItem(failure -> answers.http(
                        Outcome.Refused.of((ApiException) failure, path, CorrelationId.current())));
        return RestMulti.fromUniResponse(answer, Answers.HttpAnswer::chunks, Answers.HttpAnswer::headers,
                Answers.HttpAnswer::status);
    }

    private static long after(String lastEventId) {
        if (lastEventId == null || lastEventId.isBlank()) {
            return 0;
        }
        try {
            long id = Long.parseLong(lastEventId.trim());
            if (id >= 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw ApiException.invalid(LAST_EVENT_ID, "must be the id of an event of this turn (a number, 0 or more)");
    }
}
