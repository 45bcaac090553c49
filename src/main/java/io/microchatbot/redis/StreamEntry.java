package io.microchatbot.redis;

import java.net.InetAddress;
import java.util.Map;
import java.util.UUID;

/** One entry of a Redis Stream as a consumer group reads it: its id and its fields. */
public record StreamEntry(String id, Map<String, String> fields) {

    /** A consumer name unique per process and readable in XINFO: the pod's host name and a random part. */
    public static String consumerName(String fallback) {
        String random = UUID.randomUUID().toString().substring(0, 8);
        try {
            return InetAddress.getLocalHost().getHostName() + "-" + random;
        } catch (Exception e) {
            return fallback + "-" + random;
        }
    }
}
