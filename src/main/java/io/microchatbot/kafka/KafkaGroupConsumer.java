package io.microchatbot.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;

import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

import io.quarkus.logging.Log;

/**
 * One consumer of a consumer group, on a thread of its own (a Kafka consumer is not thread-safe and its poll
 * blocks). Auto-commit is off: the offset committed for a partition is that of its oldest record not yet
 * {@linkplain RecordHandler.Done#done done}, so that records run concurrently and a crash re-delivers only what was
 * not finished (at least once; the handlers are idempotent). When the handler has no room, fetching pauses (the
 * consumer stays in its group); partitions taken away by a rebalance commit what is finished first.
 */
public class KafkaGroupConsumer {

    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration PAUSE_AFTER_FAILURE = Duration.ofSeconds(1);

    private final String name;
    private final String topic;
    private final Map<String, Object> settings;
    private final Duration pollTimeout;
    private final RecordHandler handler;
    private final Map<TopicPartition, Progress> progress = new ConcurrentHashMap<>();
    private volatile boolean running;
    private volatile KafkaConsumer<String, String> consumer;
    private Thread thread;

    public KafkaGroupConsumer(String name, String topic, Map<String, Object> settings, Duration pollTimeout,
            RecordHandler handler) {
        this.name = name;
        this.topic = topic;
        this.settings = settings;
        this.pollTimeout = pollTimeout;
        this.handler = handler;
    }

    public synchronized void start() {
        running = true;
        thread = Thread.ofPlatform().name("kafka-" + name).daemon().start(this::run);
    }

    /** Stops polling, commits what is finished and leaves the group, waiting a few seconds at most. */
    public synchronized void stop() {
        running = false;
        KafkaConsumer<String, String> current = consumer;
        if (current != null) {
            current.wakeup();
        }
        if (thread != null) {
            try {
                thread.join(CLOSE_TIMEOUT.multipliedBy(2).toMillis());
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        while (running) {
            KafkaConsumer<String, String> opened = new KafkaConsumer<>(settings);
            consumer = opened;
            try {
                opened.subscribe(List.of(topic), new Rebalance());
                while (running) {
                    pollOnce(opened);
                }
                commitFinished(opened, progress.keySet(), true);
            } catch (WakeupException stopping) {
                // stop() woke the poll up
            } catch (RuntimeException failure) {
                Log.warnf("The Kafka consumer %s of %s failed and starts again: %s", name, topic, failure.toString());
                sleep(PAUSE_AFTER_FAILURE);
            } finally {
                consumer = null;
                progress.clear();
                closeQuietly(opened);
            }
        }
    }

    private void closeQuietly(KafkaConsumer<String, String> opened) {
        try {
            opened.close(CLOSE_TIMEOUT);
        } catch (RuntimeException failure) {
            Log.debugf("Kafka consumer %s did not close cleanly: %s", name, failure.toString());
        }
    }

    private void pollOnce(KafkaConsumer<String, String> opened) {
        if (handler.room() <= 0) {
            opened.pause(opened.assignment());
        } else if (!opened.paused().isEmpty()) {
            opened.resume(opened.paused());
        }
        ConsumerRecords<String, String> records = opened.poll(pollTimeout);
        if (!records.isEmpty()) {
            for (TopicPartition partition : records.partitions()) {
                Progress tracked = progress.computeIfAbsent(partition, ignored -> new Progress());
                records.records(partition).forEach(record -> tracked.taken(record.offset()));
            }
            Map<TopicPartition, Progress> taken = new HashMap<>(progress);
            List<ConsumerRecord<String, String>> batch = new ArrayList<>(records.count());
            records.forEach(batch::add);
            handler.handle(batch, record -> {
                Progress tracked = taken.get(new TopicPartition(record.topic(), record.partition()));
                if (tracked != null) {
                    tracked.done(record.offset());
                }
            });
        }
        commitFinished(opened, progress.keySet(), false);
    }

    /** Commits, per partition, up to its oldest record not done (or past the newest when all are). */
    private void commitFinished(KafkaConsumer<String, String> opened, Collection<TopicPartition> partitions,
            boolean wait) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition partition : partitions) {
            Progress tracked = progress.get(partition);
            long committable = tracked == null ? -1 : tracked.committable();
            if (tracked != null && committable > tracked.committed) {
                offsets.put(partition, new OffsetAndMetadata(committable));
                tracked.committed = committable;
            }
        }
        if (offsets.isEmpty()) {
            return;
        }
        if (wait) {
            opened.commitSync(offsets, CLOSE_TIMEOUT);
        } else {
            opened.commitAsync(offsets, (committed, failure) -> {
                if (failure != null) {
                    Log.debugf("Kafka consumer %s could not commit %s: %s", name, committed, failure.toString());
                    committed.keySet().forEach(partition -> {
                        Progress tracked = progress.get(partition);
                        if (tracked != null) {
                            tracked.committed = -1; // committed again next time
                        }
                    });
                }
            });
        }
    }

    private static void sleep(Duration pause) {
        try {
            Thread.sleep(pause);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Commits what is finished of partitions taken away; their records still running are re-delivered. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            KafkaConsumer<String, String> current = consumer;
            if (current != null) {
                try {
                    commitFinished(current, partitions, true);
                } catch (RuntimeException failure) {
                    Log.debugf("Kafka consumer %s could not commit on rebalance: %s", name, failure.toString());
                }
            }
            partitions.forEach(progress::remove);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            partitions.forEach(progress::remove);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        }
    }

    /** The records of one partition taken and not yet done, and the offset after the newest one taken. */
    private static final class Progress {
        final ConcurrentSkipListSet<Long> open = new ConcurrentSkipListSet<>();
        volatile long next = -1;
        long committed = -1;

        void taken(long offset) {
            open.add(offset);
            next = Math.max(next, offset + 1);
        }

        void done(long offset) {
            open.remove(offset);
        }

        long committable() {
            Iterator<Long> oldest = open.iterator(); // done() removes from other threads meanwhile
            return oldest.hasNext() ? oldest.next() : next;
        }
    }
}
