package io.microchatbot.llm;

/**
 * Whether the model may, must or must not call tools: {@code auto}, {@code none}, {@code required}, or
 * {@code function} with the one {@code name} it must call.
 */
public record ToolChoice(String mode, String name) {

    public static final String FUNCTION = "function";

    public static ToolChoice of(String mode) {
        return new ToolChoice(mode, null);
    }

    public static ToolChoice function(String name) {
        return new ToolChoice(FUNCTION, name);
    }
}
