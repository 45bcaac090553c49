package io.microchatbot.kafka;

import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/** What a {@link KafkaGroupConsumer} hands its records to. */
public interface RecordHandler {

    /** How many more records it can take now; at zero the consumer stops fetching until there is room. */
    int room();

    /**
     * Takes records (in offset order per partition) and, from any thread, calls {@link Done#done} for each once it
     * is carried out for good: only then may its offset be committed.
     */
    void handle(List<ConsumerRecord<String, String>> records, Done done);

    /** Tells the consumer a record is carried out. */
    interface Done {
        void done(ConsumerRecord<String, String> record);
    }
}
