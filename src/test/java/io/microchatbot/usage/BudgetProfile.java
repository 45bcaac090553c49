package io.microchatbot.usage;

import java.util.List;
import java.util.Map;

import io.microchatbot.testing.TokenIssuer;
import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * Budgets small enough to spend in a few turns (a turn of the fake provider's two-chunk reply costs 38
 * micro-units), on tenants of their own, with tokens and API keys so that scopes are real.
 */
public class BudgetProfile implements QuarkusTestProfile {

    static final String TURNS = "usage-budget-turns";
    static final String OPENAI = "usage-budget-openai";
    static final String NO_REDIS = "usage-budget-no-redis";
    /** The id BudgetTest gives the API key it creates, so that a budget can name it. */
    static final String KEY_ID = "00000000-0000-4000-8000-00000000b0d9";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "chatbot.usage.tenants.\"" + TURNS + "\".daily", "0.0001",
                "chatbot.usage.tenants.\"" + TURNS + "\".daily-soft", "0.00005",
                "chatbot.usage.tenants.\"" + OPENAI + "\".daily", "0.00005",
                "chatbot.usage.tenants.\"" + NO_REDIS + "\".monthly", "0.0001",
                "chatbot.usage.api-keys.\"" + KEY_ID + "\".daily", "0.00005",
                "chatbot.usage.metric-tenants", TURNS);
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(TokenIssuer.class));
    }
}
