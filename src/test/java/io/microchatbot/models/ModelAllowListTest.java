package io.microchatbot.models;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.microchatbot.llm.LlmConfig;
import io.microchatbot.problem.ApiException;
import io.microchatbot.problem.ErrorCode;
import io.microchatbot.problem.FieldError;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The narrowest configured list applies: the API key's, else the tenant's, else the global one, else any model. */
class ModelAllowListTest {

    private static final Requester KEY_OF_ACME = new Requester("acme", "7f1c0c52-5e55-4a57-a0d3-1b8f2a9a3c10");
    private static final Requester OTHER_KEY_OF_ACME = new Requester("acme", "00000000-0000-0000-0000-000000000001");
    private static final Requester ACME_USER = Requester.ofTenant("acme");
    private static final Requester OTHER_TENANT = Requester.ofTenant("globex");

    @Test
    void withNoListAnyModelIsAllowedAndTheConfiguredModelsAreListed() {
        ModelAllowList models = allowList(Map.of());
        assertThatCode(() -> models.ensureAllowed(ACME_USER, "anything-at-all", "model")).doesNotThrowAnyException();
        assertThat(models.allowed(KEY_OF_ACME)).containsExactly("default-model", "fallback-a", "fallback-b");
    }

    @Test
    void theKeysListWinsOverTheTenantsWhichWinsOverTheGlobalOne() {
        ModelAllowList models = allowList(Map.of(
                "chatbot.models.allowed", "global-1,global-2",
                "chatbot.models.tenants.\"acme\".allowed", "tenant-1",
                "chatbot.models.api-keys.\"7f1c0c52-5e55-4a57-a0d3-1b8f2a9a3c10\".allowed", "key-1, key-2"));

        assertThat(models.allowed(KEY_OF_ACME)).containsExactly("key-1", "key-2");
        assertThat(models.allowed(OTHER_KEY_OF_ACME)).containsExactly("tenant-1");
        assertThat(models.allowed(ACME_USER)).containsExactly("tenant-1");
        assertThat(models.allowed(OTHER_TENANT)).containsExactly("global-1", "global-2");

        // A narrower list replaces a wider one: the key may use key-2 although its tenant may not.
        assertThatCode(() -> models.ensureAllowed(KEY_OF_ACME, "key-2", "model")).doesNotThrowAnyException();
        assertRefused(models, KEY_OF_ACME, "tenant-1");
        assertRefused(models, ACME_USER, "global-1");
        assertThatCode(() -> models.ensureAllowed(OTHER_TENANT, " global-2 ", "model")).doesNotThrowAnyException();
    }

    @Test
    void aTenantListAloneRestrictsOnlyThatTenant() {
        ModelAllowList models = allowList(Map.of("chatbot.models.tenants.\"acme\".allowed", "tenant-1"));
        assertRefused(models, KEY_OF_ACME, "default-model");
        assertThatCode(() -> models.ensureAllowed(OTHER_TENANT, "whatever", "model")).doesNotThrowAnyException();
        assertThat(models.allowed(OTHER_TENANT)).containsExactly("default-model", "fallback-a", "fallback-b");
    }

    @Test
    void theRefusalIsModelNotAllowedNamingTheField() {
        ModelAllowList models = allowList(Map.of("chatbot.models.allowed", "only-this"));
        ApiException refused = catchThrowableOfType(ApiException.class,
                () -> models.ensureAllowed(ACME_USER, "gpt-9", "messages.model"));
        assertThat(refused.code()).isEqualTo(ErrorCode.model_not_allowed);
        assertThat(refused.code().status()).isEqualTo(400);
        assertThat(refused.getMessage()).contains("gpt-9").contains("only-this");
        assertThat(refused.errors()).extracting(FieldError::field).containsExactly("messages.model");
        assertRefused(models, ACME_USER, null);
    }

    @Test
    void environmentVariablesSetTheListsToo() {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(ModelsConfig.class)
                .withSources(new EnvConfigSource(Map.of(
                        "CHATBOT_MODELS_ALLOWED", "global-1",
                        "CHATBOT_MODELS_TENANTS__ACME__ALLOWED", "tenant-1,tenant-2"), 300))
                .build();
        ModelAllowList models = new ModelAllowList(config.getConfigMapping(ModelsConfig.class), llm());
        assertThat(models.allowed(ACME_USER)).containsExactly("tenant-1", "tenant-2");
        assertThat(models.allowed(OTHER_TENANT)).containsExactly("global-1");
    }

    private static void assertRefused(ModelAllowList models, Requester requester, String model) {
        ApiException refused = catchThrowableOfType(ApiException.class,
                () -> models.ensureAllowed(requester, model, "model"));
        assertThat(refused).as("%s asking for %s", requester, model).isNotNull();
        assertThat(refused.code()).isEqualTo(ErrorCode.model_not_allowed);
    }

    private static ModelAllowList allowList(Map<String, String> properties) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(ModelsConfig.class)
                .withSources(new PropertiesConfigSource(properties, "test", 300))
                .build();
        return new ModelAllowList(config.getConfigMapping(ModelsConfig.class), llm());
    }

    /** Only the default and fallback models are read. */
    private static LlmConfig llm() {
        return (LlmConfig) Proxy.newProxyInstance(LlmConfig.class.getClassLoader(), new Class<?>[] { LlmConfig.class },
                (proxy, method, args) -> switch (method.getName()) {
                    case "model" -> "default-model";
                    case "fallbackModels" -> Optional.of(List.of("fallback-a", "fallback-b", "default-model"));
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
