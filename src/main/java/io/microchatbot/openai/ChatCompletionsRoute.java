package io.microchatbot.openai;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.core.HttpHeaders;

import io.microchatbot.rest.TurnRepresentation;
import io.vertx.ext.web.Router;

/**
 * Asks JAX-RS for the internal streaming type on {@code POST /v1/chat/completions}, as the turn route does (see
 * {@link TurnRepresentation}): the answer, JSON or events, is written chunk by chunk with its real Content-Type,
 * and only once the upstream has answered, so that a failure before that is still a problem response. Whether to
 * stream is the body's {@code stream} member, as in OpenAI's API, never the Accept header.
 */
@ApplicationScoped
class ChatCompletionsRoute {

    void install(@Observes Router router) {
        router.post(OpenAiPaths.CHAT_COMPLETIONS).order(-1).handler(context -> {
            context.request().headers().set(HttpHeaders.ACCEPT, TurnRepresentation.INTERNAL_MEDIA_TYPE);
            context.next();
        });
    }
}
