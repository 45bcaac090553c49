package io.microchatbot.rest.api;

import io.microchatbot.Message;

/** Tokens a reply cost, as the provider counted them. */
public record UsageView(Integer prompt_tokens, Integer completion_tokens, Integer total_tokens) {

    public static UsageView of(Message reply) {
        return new UsageView(reply.promptTokens, reply.completionTokens, reply.totalTokens);
    }
}
