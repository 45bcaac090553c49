package io.microchatbot.observability;

import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Log lines that record something that happened ({@code message_processed}, {@code llm_call}, …): the name is in
 * the MDC field {@code event} (a field of its own in JSON logs), so that log queries can select them.
 */
public final class EventLog {

    private static final Logger LOG = Logger.getLogger("io.microchatbot.events");
    public static final String MDC_KEY = "event";

    private EventLog() {
    }

    public static void info(String event, String format, Object... args) {
        Object previous = MDC.get(MDC_KEY);
        MDC.put(MDC_KEY, event);
        try {
            LOG.infof(format, args);
        } finally {
            if (previous == null) {
                MDC.remove(MDC_KEY);
            } else {
                MDC.put(MDC_KEY, previous);
            }
        }
    }
}
