package io.microchatbot.llm;

/** One model of one provider: what a retry repeats and a circuit breaker watches. */
record Target(LlmProvider provider, String model) {

    String key() {
        return provider.name() + ":" + model;
    }
}
