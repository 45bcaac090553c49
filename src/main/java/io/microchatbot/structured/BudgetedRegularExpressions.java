package io.microchatbot.structured;

import java.util.function.Supplier;
import java.util.regex.Pattern;

import com.networknt.schema.regex.RegularExpression;
import com.networknt.schema.regex.RegularExpressionFactory;
import com.networknt.schema.regex.RegularExpressions;

/**
 * The library's JDK regular expressions (same translation of ECMA-262 anchors and properties), but matching reads
 * characters on a budget: a caller-given {@code pattern} with catastrophic backtracking must not hold an event-loop
 * thread for seconds on a model's reply. All matches of one {@link #sharingOneBudget check} share
 * {@link #MAX_CHAR_READS} (so that a reply of many strings cannot multiply it); a match outside one has its own. Past
 * the budget the match throws {@link RegexBudgetExceeded}.
 */
final class BudgetedRegularExpressions implements RegularExpressionFactory {

    /** Some tens of milliseconds at worst; linear patterns on any reply a model sends stay far below it. */
    static final long MAX_CHAR_READS = 1_000_000;

    /** Characters read so far by the check running on this thread (matching is synchronous, within it). */
    private static final ThreadLocal<long[]> SHARED_READS = new ThreadLocal<>();

    static final class RegexBudgetExceeded extends RuntimeException {

        RegexBudgetExceeded(String regex) {
            super("pattern " + regex + " took too long to match", null, false, false);
        }
    }

    static <T> T sharingOneBudget(Supplier<T> check) {
        long[] outer = SHARED_READS.get();
        SHARED_READS.set(new long[1]);
        try {
            return check.get();
        } finally {
            if (outer == null) {
                SHARED_READS.remove();
            } else {
                SHARED_READS.set(outer);
            }
        }
    }

    @Override
    public RegularExpression getRegularExpression(String regex) {
        Pattern pattern = Pattern.compile(
                RegularExpressions.replaceLongformCharacterProperties(RegularExpressions.replaceDollarAnchors(regex)));
        return value -> {
            long[] shared = SHARED_READS.get();
            return pattern.matcher(new BudgetedChars(value, regex, shared == null ? new long[1] : shared, 0,
                    value.length())).find();
        };
    }

    /** Counts reads into a shared counter, from every view of the text (the matcher may take sub-sequences). */
    private static final class BudgetedChars implements CharSequence {

        private final String text;
        private final String regex;
        private final long[] reads;
        private final int offset;
        private final int length;

        BudgetedChars(String text, String regex, long[] reads, int offset, int length) {
            this.text = text;
            this.regex = regex;
            this.reads = reads;
            this.offset = offset;
            this.length = length;
        }

        @Override
        public char charAt(int index) {
            if (++reads[0] > MAX_CHAR_READS) {
                throw new RegexBudgetExceeded(regex);
            }
            return text.charAt(offset + index);
        }

        @Override
        public int length() {
            return length;
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new BudgetedChars(text, regex, reads, offset + start, end - start);
        }

        @Override
        public String toString() {
            return text.substring(offset, offset + length);
        }
    }
}
