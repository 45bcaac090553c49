package io.microchatbot.idempotency;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.microchatbot.Detached;
import io.microchatbot.correlation.CorrelationId;
import io.microchatbot.identity.Caller;
import io.microchatbot.problem.ApiException;
import io.microchatbot.problem.ErrorCode;
import io.microchatbot.problem.Failures;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;

/**
 * Runs a write at most once per {@code Idempotency-Key} (see docs/api.md#idempotent-requests). The key is
 * claimed in PostgreSQL before the work starts; the work's answer, success or problem, is recorded and replayed
 * to every later request with the same key and fingerprint. A request without a key runs as if this did not
 * exist.
 */
@ApplicationScoped
public class Idempotency {

    private final IdempotencyStore store;
    private final ObjectMapper json;
    private final IdempotencyConfig config;

    Idempotency(IdempotencyStore store, ObjectMapper json, IdempotencyConfig config) {
        this.store = store;
        this.json = json;
        this.config = config;
    }

    /**
     * The request's key and fingerprint, or empty when it sends no key. The fingerprint covers the method, the path, the media
     * type of the answer and the body as parsed, with
     * object keys sorted and absent top-level fields equal to null ones, so that reformatting does not matter.
     */
    public Optional<IdempotentRequest> request(Optional<IdempotencyKey> key, Caller caller, String method,
            String path, String answeredAs, Object body) {
        return key.map(value -> new IdempotentRequest(caller, value,
                Fingerprint.of(method, path, answeredAs, canonical(body))));
    }

    /**
     * A command's key and fingerprint: its id is the key (in the key space of its caller, like an HTTP key, so a
     * caller should not reuse one for the other) and its type and data are the fingerprint.
     */
    public IdempotentRequest command(Caller caller, String commandId, String commandType, Object data) {
        return new IdempotentRequest(caller, new IdempotencyKey(commandId),
                Fingerprint.of("COMMAND", commandType, "application/json", canonical(data)));
    }

    /**
     * Runs {@code work} when the key is new (or expired, or abandoned by a dead pod), recording its outcome;
     * failures of the work are recorded as the problems they are answered with ({@link Failures#describe}, about
     * {@code instance}), except {@code conversation_busy} and {@code overloaded}, which free the key. With a key
     * already used, answers without running anything: the recorded outcome as {@link Outcome.Replayed}, 409
     * request_in_progress while the first request runs, 422 idempotency_key_reused when the fingerprint differs.
     * Once started, the work and its record run to their end even if the caller hangs up. Without a key, failures
     * of the work are failures of the returned Uni, as if this did not exist.
     */
    public Uni<Outcome> guard(Optional<IdempotentRequest> request, Supplier<Uni<Outcome>> work, String instance) {
        if (request.isEmpty()) {
            return work.get();
        }
        String correlationId = CorrelationId.current();
        return store.claim(request.get())
                .chain(claim -> switch (claim) {
                    case Claim.Acquired acquired -> run(acquired, work, instance, correlationId);
                    case Claim.Existing existing -> Uni.createFrom().item(() -> replay(request.get(), existing));
                });
    }

    private Uni<Outcome> run(Claim.Acquired claim, Supplier<Uni<Outcome>> work, String instance,
            String correlationId) {
        Uni<Outcome> execution = Uni.createFrom().deferred(work::get)
                .onFailure(Idempotency::notRecorded).call(() -> store.release(claim))
                .onFailure(failure -> !notRecorded(failure))
                .recoverWithItem(failure -> Outcome.Refused.of(Failures.describe(failure), instance, correlationId))
                .chain(outcome -> record(claim, outcome));
        return Detached.run(execution, Idempotency::abandon);
    }

    /** A complete outcome is recorded before it is answered; a stream when it ends. */
    private Uni<Outcome> record(Claim.Acquired claim, Outcome outcome) {
        return switch (outcome) {
            case Outcome.Recorded recorded -> store.complete(claim, recorded).replaceWith(recorded);
            case Outcome.Streaming streaming -> Uni.createFrom()
                    .item(new RecordedStream(store, claim, streaming).outcome());
            case Outcome.Replayed replayed -> throw new IllegalStateException("Work cannot answer a replay");
        };
    }

    private Outcome replay(IdempotentRequest request, Claim.Existing existing) {
        if (!existing.fingerprint().equals(request.fingerprint())) {
            throw new ApiException(ErrorCode.idempotency_key_reused, "This Idempotency-Key was already used for"
                    + " another request (different method, path, body or answer format); use a new key");
        }
        if (existing.recorded() == null) {
            throw new ApiException(ErrorCode.request_in_progress, "A request with this Idempotency-Key is still"
                    + " running; send it again later to get its response", config.inProgressRetryAfterSeconds());
        }
        Log.debugf("Replaying the recorded outcome of an Idempotency-Key (%s)",
                existing.recorded().getClass().getSimpleName());
        return new Outcome.Replayed(existing.recorded());
    }

    /**
     * A refusal because of another, concurrent turn, or because this instance was overloaded: nothing was done and
     * the caller is told to send the same request again, so the key must not keep the refusal.
     */
    private static boolean notRecorded(Throwable failure) {
        return failure instanceof ApiException api
                && (api.code() == ErrorCode.conversation_busy || api.code() == ErrorCode.overloaded);
    }

    /**
     * The caller cancelling stops waiting for the execution, not the execution. A stream whose caller left before
     * it started is cancelled at once, so that the turn stores its reply and the record is completed.
     */
    private static void abandon(Outcome outcome) {
        if (outcome instanceof Outcome.Streaming streaming) {
            streaming.events().subscribe().with(subscription -> subscription.cancel(), item -> {
            }, failure -> {
            }, () -> {
            });
        }
    }

    private byte[] canonical(Object body) {
        JsonNode tree = body == null ? json.createObjectNode() : json.valueToTree(body);
        if (tree instanceof ObjectNode object) {
            object.properties().removeIf(field -> field.getValue().isNull());
        }
        try {
            return json.writeValueAsBytes(sorted(tree));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot encode a request body", e);
        }
    }

    private JsonNode sorted(JsonNode node) {
        if (node instanceof ObjectNode object) {
            Map<String, JsonNode> fields = new TreeMap<>();
            object.properties().forEach(field -> fields.put(field.getKey(), sorted(field.getValue())));
            ObjectNode copy = json.createObjectNode();
            fields.forEach(copy::set);
            return copy;
        }
        if (node instanceof ArrayNode array) {
            ArrayNode copy = json.createArrayNode();
            array.forEach(element -> copy.add(sorted(element)));
            return copy;
        }
        return node;
    }
}
