package io.microchatbot.llm;

/** One entry of the prompt, in the provider's role vocabulary ({@code system}, {@code user}, {@code assistant}). */
public record ChatMessage(String role, String content) {
}
