package io.microchatbot.models;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;

/**
 * Which models callers may ask for (chatbot.models.*). The narrowest list that is set applies: the API key's, else
 * the tenant's, else the global one; none set means any model.
 */
@ConfigMapping(prefix = "chatbot.models")
public interface ModelsConfig {

    /** Models every caller may use; absent: any model. */
    Optional<List<String>> allowed();

    /** Per tenant id: {@code chatbot.models.tenants."<tenant>".allowed}. */
    Map<String, AllowedModels> tenants();

    /** Per API key id: {@code chatbot.models.api-keys."<key id>".allowed}. */
    Map<String, AllowedModels> apiKeys();

    interface AllowedModels {
        Optional<List<String>> allowed();
    }
}
