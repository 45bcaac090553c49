package io.microchatbot.redis;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.vertx.mutiny.redis.client.Response;

/** One entry of a Redis Stream as a consumer group reads it: its id and its fields. */
public record StreamEntry(String id, Map<String, String> fields) {

    /** Entries of an XREADGROUP or XAUTOCLAIM answer: [[id, [field, value, …]], …]; entries deleted meanwhile are nil. */
    public static List<StreamEntry> list(Response answer) {
        List<StreamEntry> entries = new ArrayList<>();
        for (int i = 0; answer != null && i < answer.size(); i++) {
            Response entry = answer.get(i);
            if (entry == null || entry.size() < 2 || entry.get(1) == null) {
                continue;
            }
            Map<String, String> fields = new LinkedHashMap<>();
            Response pairs = entry.get(1);
            for (int f = 0; f + 1 < pairs.size(); f += 2) {
                fields.put(pairs.get(f).toString(), pairs.get(f + 1).toString());
            }
            entries.add(new StreamEntry(entry.get(0).toString(), fields));
        }
        return entries;
    }

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
