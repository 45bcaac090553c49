package io.microchatbot.openai;

import java.util.List;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;

import com.fasterxml.jackson.annotation.JsonProperty;

import io.microchatbot.llm.ResilientLlm;
import io.microchatbot.models.ModelAllowList;
import io.microchatbot.models.Requester;
import io.microchatbot.problem.ApiException;
import io.microchatbot.security.CurrentCaller;
import io.microchatbot.security.RequiresScope;
import io.microchatbot.security.Scope;
import io.smallrye.common.annotation.NonBlocking;

/**
 * {@code GET /v1/models}: the models the caller may ask for, as OpenAI's list ({@code client.models.list()}), and
 * {@code GET /v1/models/{model}} for one of them. {@code created} is 0: the service does not know when a provider
 * made a model; {@code owned_by} is the label of the provider that serves it.
 */
@Path("/v1/models")
@NonBlocking // nothing here blocks, and an API key is checked on the event loop (reactive SQL)
@Tag(name = "OpenAI-compatible")
@RequiresScope(Scope.read)
public class ModelsResource {

    private final ModelAllowList models;
    private final CurrentCaller callers;
    private final ResilientLlm llm;

    ModelsResource(ModelAllowList models, CurrentCaller callers, ResilientLlm llm) {
        this.models = models;
        this.callers = callers;
        this.llm = llm;
    }

    public record ModelList(String object, List<Model> data) {
    }

    public record Model(String id, String object, long created, @JsonProperty("owned_by") String ownedBy) {
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "OpenAI-compatible list of the models this caller may use")
    public ModelList list() {
        return new ModelList("list", allowed().stream().map(this::model).toList());
    }

    @GET
    @Path("/{model: .+}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "OpenAI-compatible description of one model this caller may use")
    public Model get(@RestPath String model) {
        if (!allowed().contains(model)) {
            throw ApiException.notFound("Model '" + model + "'");
        }
        return model(model);
    }

    private List<String> allowed() {
        return models.allowed(Requester.of(callers.access()));
    }

    private Model model(String id) {
        return new Model(id, "model", 0, llm.providerName());
    }
}
