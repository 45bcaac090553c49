package io.microchatbot.models;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import io.microchatbot.llm.LlmConfig;
import io.microchatbot.problem.ApiException;
import io.microchatbot.problem.ErrorCode;
import io.microchatbot.problem.FieldError;

/**
 * The models a caller may ask for. The narrowest configured list applies: its API key's, else its tenant's, else
 * the global {@code chatbot.models.allowed}; a narrower list replaces a wider one rather than intersecting it, so
 * that a key can be given a model its tenant as a whole is not. With no list at all any model may be asked for.
 */
@ApplicationScoped
public class ModelAllowList {

    private final ModelsConfig config;
    private final LlmConfig llm;

    ModelAllowList(ModelsConfig config, LlmConfig llm) {
        this.config = config;
        this.llm = llm;
    }

    /**
     * The models {@code requester} may use, in the configured order. Unrestricted, the models this service is set up
     * to call: the default model and then the fallback models.
     */
    public List<String> allowed(Requester requester) {
        return restriction(requester).orElseGet(this::configuredModels);
    }

    /** Nothing when {@code model} is allowed; {@code 400 model_not_allowed} naming {@code field} otherwise. */
    public void ensureAllowed(Requester requester, String model, String field) {
        Optional<List<String>> restriction = restriction(requester);
        if (restriction.isEmpty() || model != null && restriction.get().contains(model.trim())) {
            return;
        }
        String detail = "The model '" + model + "' is not allowed for this caller; allowed: "
                + String.join(", ", restriction.get());
        throw new ApiException(ErrorCode.model_not_allowed, detail, null,
                List.of(new FieldError(field, "is not one of the allowed models")));
    }

    /** The list that applies to {@code requester}, or empty when any model may be asked for. */
    public Optional<List<String>> restriction(Requester requester) {
        if (requester.apiKeyId() != null) {
            Optional<List<String>> forKey = listOf(config.apiKeys().get(requester.apiKeyId()));
            if (forKey.isPresent()) {
                return forKey;
            }
        }
        Optional<List<String>> forTenant = listOf(config.tenants().get(requester.tenantId()));
        return forTenant.isPresent() ? forTenant : config.allowed().map(ModelAllowList::trimmed);
    }

    private static Optional<List<String>> listOf(ModelsConfig.AllowedModels entry) {
        return entry == null ? Optional.empty() : entry.allowed().map(ModelAllowList::trimmed);
    }

    private List<String> configuredModels() {
        Set<String> models = new LinkedHashSet<>();
        models.add(llm.model().trim());
        llm.fallbackModels().orElse(List.of()).forEach(model -> models.add(model.trim()));
        models.remove("");
        return new ArrayList<>(models);
    }

    private static List<String> trimmed(List<String> models) {
        return models.stream().map(String::trim).filter(model -> !model.isEmpty()).distinct().toList();
    }
}
