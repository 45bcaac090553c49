package io.microchatbot.grpc;

import java.util.Base64;
import java.util.Optional;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;

import io.microchatbot.idempotency.Idempotency;
import io.microchatbot.idempotency.IdempotentRequest;
import io.microchatbot.idempotency.Outcome;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Idempotent calls ({@code idempotency-key} metadata) through the same {@link Idempotency} as REST's. What is
 * recorded is what was sent: a unary answer as its message's bytes, a stream as one line of bytes per message
 * (base64), so that a retry is answered the same messages, and a recorded refusal the same status. Without a key
 * nothing is encoded.
 */
@ApplicationScoped
class GrpcAnswers {

    private static final Base64.Encoder ENCODER = Base64.getEncoder();
    private static final Base64.Decoder DECODER = Base64.getDecoder();

    private final Idempotency idempotency;

    GrpcAnswers(Idempotency idempotency) {
        this.idempotency = idempotency;
    }

    <T extends MessageLite> Uni<T> unary(Optional<IdempotentRequest> request, Supplier<Uni<T>> work,
            Parser<T> parser, String instance) {
        if (request.isEmpty()) {
            return work.get();
        }
        return idempotency.guard(request, () -> work.get()
                .map(answer -> new Outcome.Answered(encode(answer), null)), instance)
                .map(outcome -> answer(outcome, parser));
    }

    <T extends MessageLite> Multi<T> streaming(Optional<IdempotentRequest> request, Supplier<Uni<Multi<T>>> work,
            Parser<T> parser, String instance) {
        if (request.isEmpty()) {
            return Multi.createFrom().deferred(() -> work.get().onItem().transformToMulti(messages -> messages));
        }
        return idempotency.guard(request, () -> work.get()
                .map(messages -> new Outcome.Streaming(messages.map(message -> encode(message) + "\n"))), instance)
                .onItem().transformToMulti(outcome -> messages(outcome, parser));
    }

    private static <T extends MessageLite> T answer(Outcome outcome, Parser<T> parser) {
        return switch (outcome) {
            case Outcome.Answered answered -> decode(answered.view(), parser);
            case Outcome.Refused refused -> throw refusal(refused);
            case Outcome.Replayed replayed -> answer(replayed.recorded(), parser);
            case Outcome.Transcript ignored -> throw new IllegalStateException("A unary call recorded a stream");
            case Outcome.Streaming ignored -> throw new IllegalStateException("A unary call answered a stream");
        };
    }

    private static <T extends MessageLite> Multi<T> messages(Outcome outcome, Parser<T> parser) {
        return switch (outcome) {
            case Outcome.Streaming streaming -> streaming.events().map(line -> decode(line.strip(), parser));
            case Outcome.Replayed replayed -> messages(replayed.recorded(), parser);
            case Outcome.Transcript transcript -> Multi.createFrom().items(transcript.events().lines()
                    .filter(line -> !line.isEmpty())
                    .map(line -> decode(line, parser)));
            case Outcome.Refused refused -> Multi.createFrom().failure(refusal(refused));
            case Outcome.Answered ignored -> throw new IllegalStateException("A stream recorded a unary answer");
        };
    }

    /** The recorded refusal with the correlation id of the call that ran, as REST replays its problem. */
    private static RuntimeException refusal(Outcome.Refused refused) {
        return GrpcProblems.toStatus(refused.problem(), refused.correlationId());
    }

    private static String encode(MessageLite message) {
        return ENCODER.encodeToString(message.toByteArray());
    }

    private static <T extends MessageLite> T decode(String encoded, Parser<T> parser) {
        try {
            return parser.parseFrom(DECODER.decode(encoded));
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("A recorded answer is not the call's message", e);
        }
    }
}
