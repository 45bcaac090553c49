package io.microchatbot.openai;

import java.util.List;
import java.util.Map;

import io.smallrye.mutiny.Multi;

/** Status, headers and body chunks of one answer, as {@code RestMulti} writes them: nothing is sent before it exists. */
record HttpReply(int status, Map<String, List<String>> headers, Multi<String> chunks) {

    static final String JSON = "application/json;charset=UTF-8";
    /** Server-sent events, and no buffering by proxies (nginx, ingress controllers). */
    static final Map<String, List<String>> EVENT_STREAM = Map.of(
            "Content-Type", List.of("text/event-stream;charset=UTF-8"),
            "Cache-Control", List.of("no-cache"),
            "X-Accel-Buffering", List.of("no"));

    static HttpReply json(String body) {
        return new HttpReply(200, Map.of("Content-Type", List.of(JSON)), Multi.createFrom().item(body));
    }
}
