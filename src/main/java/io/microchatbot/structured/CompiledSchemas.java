package io.microchatbot.structured;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import com.networknt.schema.Schema;

/**
 * Compiled schemas by their JSON text, least recently used evicted first, bounded both in count and in total text
 * (compiled schemas are several times their text). A synchronized LinkedHashMap rather than Caffeine: Caffeine is on
 * the class path only through Hibernate, not declared by this project, and one lookup per turn is no contention
 * worth a concurrent cache. Compiling happens outside the lock; two threads compiling the same new schema at once
 * both compile it, and one result is kept.
 */
final class CompiledSchemas {

    private final int maxEntries;
    private final long maxChars;
    private final LinkedHashMap<String, Schema> entries = new LinkedHashMap<>(16, 0.75f, true);
    private final AtomicInteger compilations = new AtomicInteger();
    private long chars;

    CompiledSchemas(int maxEntries, long maxChars) {
        this.maxEntries = maxEntries;
        this.maxChars = maxChars;
    }

    Schema get(String text, Supplier<Schema> compile) {
        synchronized (this) {
            Schema cached = entries.get(text);
            if (cached != null) {
                return cached;
            }
        }
        compilations.incrementAndGet();
        Schema compiled = compile.get();
        synchronized (this) {
            Schema raced = entries.putIfAbsent(text, compiled);
            if (raced != null) {
                return raced;
            }
            chars += text.length();
            evictBeyondBounds();
            return compiled;
        }
    }

    private void evictBeyondBounds() {
        Iterator<Map.Entry<String, Schema>> eldestFirst = entries.entrySet().iterator();
        while ((entries.size() > maxEntries || chars > maxChars) && eldestFirst.hasNext()) {
            chars -= eldestFirst.next().getKey().length();
            eldestFirst.remove();
        }
    }

    /** How many times a schema was compiled (tests: a cached schema is not compiled again). */
    int compilations() {
        return compilations.get();
    }

    synchronized int size() {
        return entries.size();
    }
}
