package io.microchatbot.llm;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SseParserTest {

    @Test
    void fieldsAreReadAsTheStandardSaysAndABlankLineEndsTheEvent() {
        assertThat(read("id: 7", "event: message.delta", "data: {\"a\":1}", ""))
                .containsExactly(new SseParser.Event("7", "message.delta", "{\"a\":1}"));
    }

    @Test
    void dataLinesAreJoinedWithNewlinesAndOnlyOneSpaceAfterTheColonIsDropped() {
        assertThat(read("data:one", "data:  two", "data", ""))
                .containsExactly(new SseParser.Event(null, null, "one\n two\n"));
    }

    @Test
    void carriageReturnsCommentsAndUnknownFieldsCarryNothing() {
        assertThat(read(": keep-alive\r", "retry: 10\r", "data: [DONE]\r", "\r"))
                .containsExactly(new SseParser.Event(null, null, "[DONE]"));
    }

    @Test
    void anEventWithoutDataIsNotDispatchedAndEachEventHasOnlyItsOwnFields() {
        assertThat(read("", "", "data: a", "", "data: b", ""))
                .containsExactly(new SseParser.Event(null, null, "a"), new SseParser.Event(null, null, "b"));
        assertThat(read("id: 1", "event: x", "data: a", "", "data: b", ""))
                .containsExactly(new SseParser.Event("1", "x", "a"), new SseParser.Event(null, null, "b"));
    }

    @Test
    void aStreamThatEndsWithoutTheBlankLineStillGivesItsLastEvent() {
        SseParser parser = new SseParser();
        assertThat(parser.line("data: last")).isNull();
        assertThat(parser.end()).isEqualTo(new SseParser.Event(null, null, "last"));
        assertThat(parser.end()).isNull();
    }

    private static List<SseParser.Event> read(String... lines) {
        SseParser parser = new SseParser();
        List<SseParser.Event> events = new ArrayList<>();
        for (String line : lines) {
            SseParser.Event event = parser.line(line);
            if (event != null) {
                events.add(event);
            }
        }
        return events;
    }
}
