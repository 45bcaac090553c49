package io.microchatbot.kafka;

/** The broker did not take or acknowledge records in time, or refused them: what was sent must be sent again. */
public class KafkaUnavailable extends RuntimeException {

    public KafkaUnavailable(String message, Throwable cause) {
        super(message + ": " + cause.getMessage(), cause);
    }
}
