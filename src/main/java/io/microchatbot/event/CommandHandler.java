package io.microchatbot.event;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.microchatbot.Deadline;
import io.microchatbot.api.ConversationView;
import io.microchatbot.api.CreateConversationRequest;
import io.microchatbot.api.SendMessageRequest;
import io.microchatbot.api.TurnView;
import io.microchatbot.database.DatabaseUnavailable;
import io.microchatbot.idempotency.Idempotency;
import io.microchatbot.idempotency.IdempotentRequest;
import io.microchatbot.idempotency.Outcome;
import io.microchatbot.identity.Caller;
import io.microchatbot.identity.CallerHeaders;
import io.microchatbot.llm.TokenCounter;
import io.microchatbot.models.ModelAllowList;
import io.microchatbot.models.Requester;
import io.microchatbot.problem.ApiException;
import io.microchatbot.problem.ErrorCode;
import io.microchatbot.service.ChatService;
import io.microchatbot.service.ConversationService;
import io.microchatbot.validation.Ids;
import io.microchatbot.validation.TurnRequests;
import io.microchatbot.validation.Validation;
import io.smallrye.mutiny.Uni;

/**
 * Carries out one command with the REST API's validation and idempotency: the command id is an idempotency key of
 * its caller, so a command delivered twice runs once and the second delivery gets the recorded answer. Its events
 * (conversation-created, message-created, reply-…) carry the command's correlation id. Fails with a
 * {@link CommandFailure} saying whether trying again may help.
 */
@ApplicationScoped
public class CommandHandler {

    /** Answers that mean "not now": the same command may succeed later. */
    private static final Set<ErrorCode> PASSING = EnumSet.of(ErrorCode.request_in_progress,
            ErrorCode.conversation_busy, ErrorCode.rate_limited, ErrorCode.database_unavailable,
            ErrorCode.shutting_down, ErrorCode.overloaded, ErrorCode.internal_error);

    private final ObjectMapper json;
    private final Validation validation;
    private final TokenCounter tokens;
    private final Idempotency idempotency;
    private final ConversationService conversations;
    private final ChatService chat;
    private final TurnRequests turnRequests;
    private final ModelAllowList models;

    CommandHandler(ObjectMapper json, Validation validation, TokenCounter tokens, Idempotency idempotency,
            ConversationService conversations, ChatService chat, TurnRequests turnRequests, ModelAllowList models) {
        this.turnRequests = turnRequests;
        this.models = models;
        this.json = json;
        this.validation = validation;
        this.tokens = tokens;
        this.idempotency = idempotency;
        this.conversations = conversations;
        this.chat = chat;
    }

    /** Reads the {@code command} field of a stream entry; a permanent failure when it is not a valid envelope. */
    public CommandEnvelope parse(String raw) {
        if (raw == null) {
            throw CommandFailure.permanent("invalid_command", "The entry has no 'command' field");
        }
        CommandEnvelope command;
        try {
            command = json.readValue(raw, CommandEnvelope.class);
        } catch (JsonProcessingException e) {
            throw CommandFailure.permanent("invalid_command", "Not a command envelope: " + e.getOriginalMessage());
        }
        if (command.version() == null || command.version() != CommandEnvelope.VERSION) {
            throw CommandFailure.permanent("unsupported_version", "Version " + command.version()
                    + " is not supported; this service reads version " + CommandEnvelope.VERSION);
        }
        if (command.commandId() == null || command.commandId().isBlank()) {
            throw CommandFailure.permanent("invalid_command", "commandId is required");
        }
        return command;
    }

    /** Carries out the command; completes when it is done (or was done before), else fails with a CommandFailure. */
    public Uni<Void> handle(CommandEnvelope command) {
        return Uni.createFrom().deferred(() -> run(command))
                .invoke(CommandHandler::settle)
                .onFailure(failure -> !(failure instanceof CommandFailure)).transform(CommandHandler::classify)
                .replaceWithVoid();
    }

    private Uni<Outcome> run(CommandEnvelope command) {
        Caller caller = CallerHeaders.of(command.tenantId(), command.userId());
        JsonNode data = command.data() == null ? json.createObjectNode() : command.data();
        return switch (command.commandType() == null ? "" : command.commandType()) {
            case CommandEnvelope.CREATE_CONVERSATION -> createConversation(command, caller, data);
            case CommandEnvelope.SEND_MESSAGE -> sendMessage(command, caller, data);
            default -> throw CommandFailure.permanent("unknown_command", "Unknown commandType '"
                    + command.commandType() + "'; known: " + CommandEnvelope.CREATE_CONVERSATION + ", "
                    + CommandEnvelope.SEND_MESSAGE);
        };
    }

    private Uni<Outcome> createConversation(CommandEnvelope command, Caller caller, JsonNode data) {
        var valid = validation.valid(read(data, CreateConversationRequest.class));
        ensureAllowed(caller, valid.model());
        var request = valid.toNewConversation(turnRequests.options(valid.tools(), valid.toolChoice(),
                valid.responseFormat()));
        return guard(command, caller, data, () -> conversations.create(caller, request)
                .map(conversation -> answered(ConversationView.of(conversation))));
    }

    private Uni<Outcome> sendMessage(CommandEnvelope command, Caller caller, JsonNode data) {
        if (!(data instanceof ObjectNode object)) {
            throw ApiException.invalid("data", "must be an object");
        }
        ObjectNode body = object.deepCopy();
        JsonNode conversationId = body.remove("conversation_id");
        if (conversationId == null || !conversationId.isTextual()) {
            throw ApiException.invalid("conversation_id", "is required");
        }
        if (body.has("stream")) {
            throw ApiException.invalid("stream", "is not available to commands: the reply is published as an event");
        }
        UUID id = Ids.parse(conversationId.asText());
        var message = turnRequests.input(read(body, SendMessageRequest.class))
                .allowingOnly(models.restriction(Requester.ofTenant(caller.tenantId())));
        return guard(command, caller, data, () -> chat.send(caller, id, message, Deadline.NONE)
                .map(turn -> answered(TurnView.of(turn))));
    }

    /** Commands name no API key: the tenant's list (else the global one) applies, as to its HTTP callers. */
    private void ensureAllowed(Caller caller, String model) {
        if (model != null) {
            models.ensureAllowed(Requester.ofTenant(caller.tenantId()), model, "model");
        }
    }

    private Uni<Outcome> guard(CommandEnvelope command, Caller caller, JsonNode data, Supplier<Uni<Outcome>> work) {
        IdempotentRequest request = idempotency.command(caller, command.commandId(), command.commandType(), data);
        return idempotency.guard(Optional.of(request), work, command.commandType());
    }

    /** What a command made, kept as its view like a REST answer; a command has no URI of its own to name. */
    private Outcome answered(Object view) {
        try {
            return new Outcome.Answered(json.writeValueAsString(view), null);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot encode an answer", e);
        }
    }

    /**
     * A recorded or fresh outcome: success, or a failure of the work itself. A turn whose LLM call failed is done
     * (its failed reply and reply-failed event are stored); a refusal by validation or a missing conversation is
     * permanent; the rest may pass.
     */
    private static void settle(Outcome outcome) {
        switch (outcome) {
            case Outcome.Replayed replayed -> settle(replayed.recorded());
            case Outcome.Refused refused when !refused.code().name().startsWith("llm_") -> throw failure(
                    refused.code(), refused.detail());
            default -> {
            }
        }
    }

    private static CommandFailure failure(ErrorCode code, String detail) {
        return PASSING.contains(code) ? CommandFailure.passing(code.name(), detail)
                : CommandFailure.permanent(code.name(), detail);
    }

    private static CommandFailure classify(Throwable failure) {
        if (failure instanceof ApiException api) {
            return failure(api.code(), api.getMessage());
        }
        if (DatabaseUnavailable.test(failure)) {
            return CommandFailure.passing(ErrorCode.database_unavailable.name(), failure.getMessage());
        }
        return CommandFailure.passing(ErrorCode.internal_error.name(), String.valueOf(failure.getMessage()));
    }

    private <T> T read(JsonNode data, Class<T> type) {
        try {
            return json.treeToValue(data, type);
        } catch (JsonProcessingException e) {
            throw CommandFailure.permanent(ErrorCode.validation_failed.name(), "Invalid data: " + e.getOriginalMessage());
        }
    }
}
