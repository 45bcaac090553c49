package io.microchatbot.usage;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.microchatbot.problem.ApiException;

/**
 * A validated {@code GET /api/v1/usage}: how to group, which whole UTC hours, and whose usage (one user's, or the
 * whole tenant's when {@code userId} is null). {@code from} is inclusive, {@code to} exclusive.
 */
public record UsageQuery(List<Dimension> groupBy, Instant from, Instant to, String tenantId, String userId) {

    /** What usage may be grouped by, and the column each stands for. */
    public enum Dimension {
        tenant("tenant_id"),
        api_key("api_key_id"),
        user("user_id"),
        model("model"),
        hour("hour"),
        day("date_trunc('day', hour, 'UTC')");

        final String column;

        Dimension(String column) {
            this.column = column;
        }
    }

    /**
     * Reads the parameters: {@code group_by} a comma-separated list of dimensions (repeatable), {@code from} and
     * {@code to} RFC 3339 instants on whole hours (default: today, UTC, to the next whole hour), at most
     * {@code maxRange} apart. Anything else is {@code 400 validation_failed} naming the parameter.
     */
    public static UsageQuery of(List<String> groupBy, String from, String to, Duration maxRange, String tenantId,
            String userId, Instant now) {
        Set<Dimension> dimensions = EnumSet.noneOf(Dimension.class);
        for (String list : groupBy == null ? List.<String> of() : groupBy) {
            for (String name : list.split(",", -1)) {
                dimensions.add(dimension(name.trim().toLowerCase(Locale.ROOT)));
            }
        }
        Instant end = to == null ? now.truncatedTo(ChronoUnit.HOURS).plus(1, ChronoUnit.HOURS) : instant("to", to);
        Instant start = from == null ? now.truncatedTo(ChronoUnit.DAYS) : instant("from", from);
        if (!start.isBefore(end)) {
            throw ApiException.invalid("to", "must be after from");
        }
        if (Duration.between(start, end).compareTo(maxRange) > 0) {
            throw ApiException.invalid("to", "must be at most " + maxRange.toDays() + " days after from");
        }
        return new UsageQuery(new ArrayList<>(dimensions), start, end, tenantId, userId);
    }

    private static Dimension dimension(String name) {
        try {
            return Dimension.valueOf(name);
        } catch (IllegalArgumentException unknown) {
            throw ApiException.invalid("group_by", "must be a comma-separated list of tenant, api_key, user, model,"
                    + " hour, day; '" + name + "' is none of them");
        }
    }

    private static Instant instant(String parameter, String text) {
        Instant instant;
        try {
            instant = OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw ApiException.invalid(parameter, "must be an RFC 3339 date-time, e.g. 2026-12-07T10:00:00Z");
        }
        if (!instant.equals(instant.truncatedTo(ChronoUnit.HOURS))) {
            throw ApiException.invalid(parameter, "must be a whole hour (usage is summed per hour)");
        }
        return instant;
    }
}
