package io.microchatbot.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import io.microchatbot.Message;

/** Tokens a reply cost, as the provider counted them. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record UsageView(Integer promptTokens, Integer completionTokens, Integer totalTokens) {

    public static UsageView of(Message reply) {
        return new UsageView(reply.promptTokens, reply.completionTokens, reply.totalTokens);
    }
}
