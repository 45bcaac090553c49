package io.microchatbot.grpc;

import java.util.concurrent.atomic.AtomicLong;

import io.microchatbot.grpc.v1.MessageCompleted;
import io.microchatbot.grpc.v1.MessageCreated;
import io.microchatbot.grpc.v1.MessageDelta;
import io.microchatbot.grpc.v1.MessageFailed;
import io.microchatbot.grpc.v1.MessageIncomplete;
import io.microchatbot.grpc.v1.MessageInvalid;
import io.microchatbot.grpc.v1.SendMessageStreamResponse;
import io.microchatbot.service.TurnEvent;
import io.smallrye.mutiny.Multi;

/** A streamed turn's events as the stream's messages, numbered from 1 as the SSE events are. */
final class TurnEvents {

    private TurnEvents() {
    }

    static Multi<SendMessageStreamResponse> of(Multi<TurnEvent> turn, String correlationId) {
        AtomicLong sequence = new AtomicLong();
        return turn.map(event -> message(event, correlationId).setSequence(sequence.incrementAndGet()).build());
    }

    private static SendMessageStreamResponse.Builder message(TurnEvent event, String correlationId) {
        var message = SendMessageStreamResponse.newBuilder();
        return switch (event) {
            case TurnEvent.UserMessageStored stored -> message.setMessageCreated(MessageCreated.newBuilder()
                    .setMessage(ProtoViews.message(stored.message())));
            case TurnEvent.Delta delta -> message.setMessageDelta(MessageDelta.newBuilder()
                    .setContent(delta.content()));
            case TurnEvent.ToolCallDelta delta -> {
                var fragment = io.microchatbot.grpc.v1.ToolCallDelta.newBuilder().setIndex(delta.index())
                        .setArguments(delta.arguments() == null ? "" : delta.arguments());
                if (delta.id() != null) {
                    fragment.setId(delta.id());
                }
                if (delta.name() != null) {
                    fragment.setName(delta.name());
                }
                yield message.setToolCallDelta(fragment);
            }
            case TurnEvent.Invalid invalid -> message.setMessageInvalid(MessageInvalid.newBuilder()
                    .setMessage(ProtoViews.message(invalid.reply()))
                    .setUsage(ProtoViews.usage(invalid.reply()))
                    .setError(ProtoViews.problem(invalid.cause(), correlationId)));
            case TurnEvent.Completed completed -> message.setMessageCompleted(MessageCompleted.newBuilder()
                    .setMessage(ProtoViews.message(completed.reply()))
                    .setUsage(ProtoViews.usage(completed.reply())));
            case TurnEvent.Incomplete incomplete -> message.setMessageIncomplete(MessageIncomplete.newBuilder()
                    .setMessage(ProtoViews.message(incomplete.reply()))
                    .setUsage(ProtoViews.usage(incomplete.reply()))
                    .setError(ProtoViews.problem(incomplete.cause(), correlationId)));
            case TurnEvent.Failed failed -> {
                var terminal = MessageFailed.newBuilder().setError(ProtoViews.problem(failed.cause(), correlationId));
                if (failed.reply() != null) {
                    terminal.setMessage(ProtoViews.message(failed.reply()));
                }
                yield message.setMessageFailed(terminal);
            }
        };
    }
}
