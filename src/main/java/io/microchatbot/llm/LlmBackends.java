package io.microchatbot.llm;

import java.util.Optional;

/**
 * The providers the service may call: the configured one (or the offline one), and optionally a second endpoint
 * tried when every model of the first has failed, with the model to ask of it (absent: the conversation's).
 */
public record LlmBackends(LlmProvider primary, Optional<LlmProvider> secondary, Optional<String> secondaryModel) {
}
