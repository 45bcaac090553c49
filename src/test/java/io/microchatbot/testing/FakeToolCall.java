package io.microchatbot.testing;

import java.util.ArrayList;
import java.util.List;

/**
 * A function call the fake provider makes: {@code arguments} is the JSON text it sends, streamed in fragments the
 * way OpenAI splits it.
 */
public record FakeToolCall(String id, String name, String arguments) {

    /**
     * The arguments cut into at most {@code count} consecutive pieces of near-equal length, none empty (empty
     * arguments: no piece), so that a client must join several fragments to read them.
     */
    public List<String> fragments(int count) {
        List<String> pieces = new ArrayList<>();
        int length = arguments.length();
        int parts = Math.min(count, length);
        for (int i = 0; i < parts; i++) {
            pieces.add(arguments.substring(i * length / parts, (i + 1) * length / parts));
        }
        return pieces;
    }
}
