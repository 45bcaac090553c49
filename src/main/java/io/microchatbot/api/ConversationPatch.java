package io.microchatbot.api;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.microchatbot.generation.GenerationOptions;
import io.microchatbot.service.Change;
import io.microchatbot.service.ConversationChanges;
import io.microchatbot.service.GenerationChanges;
import io.microchatbot.validation.BoundedText;
import io.microchatbot.validation.Limit;
import io.microchatbot.validation.MetadataObject;
import io.microchatbot.validation.ModelName;
import io.microchatbot.validation.RejectedMembers;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Body of {@code PATCH /api/v1/conversations/{id}}, a JSON merge-patch (RFC 7396). Each member is kept as JSON:
 * absent (null here) leaves the field, JSON null clears it, a value replaces it, and a value of the wrong type is
 * reported with the other errors rather than stopping the reading. Members that are not fields that can be changed
 * are kept, in their order, in {@code others} to be reported too.
 */
@RegisterForReflection
public record ConversationPatch(
        @RejectedMembers(reason = "is not a field of a conversation that can be changed") ObjectNode others,
        @BoundedText(Limit.TITLE) JsonNode title,
        @BoundedText(Limit.SYSTEM_PROMPT) JsonNode systemPrompt,
        @BoundedText(Limit.MODEL) @ModelName JsonNode model,
        @MetadataObject JsonNode metadata,
        JsonNode tools,
        JsonNode toolChoice,
        JsonNode responseFormat) {

    private static final List<String> FIELDS = List.of("title", "system_prompt", "model", "metadata", "tools",
            "tool_choice", "response_format");

    /** The patch a JSON object asks for; its members are read as they are, the checks come after. */
    public static ConversationPatch of(ObjectNode body) {
        return new ConversationPatch(body.deepCopy().remove(FIELDS), body.get("title"), body.get("system_prompt"),
                body.get("model"), body.get("metadata"), body.get("tools"), body.get("tool_choice"),
                body.get("response_format"));
    }

    /**
     * The patch, once valid, as the service takes it; {@code replacement} holds the checked new values of tools,
     * tool_choice and response_format (see {@code validation.TurnRequests}).
     */
    public ConversationChanges toChanges(GenerationOptions replacement) {
        GenerationChanges generation = tools == null && toolChoice == null && responseFormat == null ? null
                : new GenerationChanges(json(tools), json(toolChoice), json(responseFormat), replacement);
        return new ConversationChanges(text(title), text(systemPrompt), text(model),
                metadata == null ? Change.keep() : Change.to(metadata.isNull() ? null : metadata), generation);
    }

    private static Change<JsonNode> json(JsonNode member) {
        return member == null ? Change.keep() : Change.to(member.isNull() ? null : member);
    }

    private static Change<String> text(JsonNode member) {
        return member == null ? Change.keep() : Change.to(member.textValue());
    }
}
