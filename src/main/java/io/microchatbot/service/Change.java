package io.microchatbot.service;

/**
 * One field of a merge-patch (RFC 7396): not {@link #given()}, it stays as it is; given, it becomes {@link #value()},
 * where null clears it.
 */
public record Change<T>(boolean given, T value) {

    private static final Change<?> KEEP = new Change<>(false, null);

    public Change {
        if (!given && value != null) {
            throw new IllegalArgumentException("A field that is kept has no new value");
        }
    }

    @SuppressWarnings("unchecked")
    public static <T> Change<T> keep() {
        return (Change<T>) KEEP;
    }

    /** The field becomes {@code value}; null clears it. */
    public static <T> Change<T> to(T value) {
        return new Change<>(true, value);
    }

    /** The field's value once the change is applied to {@code current}. */
    public T applyTo(T current) {
        return given ? value : current;
    }
}
