package io.microchatbot.service;

import java.util.function.Predicate;

import org.hibernate.JDBCException;

import io.vertx.pgclient.PgException;

/** The reply's conversation was deleted while the reply was generated: its insert broke the foreign key. */
final class ConversationGone implements Predicate<Throwable> {

    static final ConversationGone INSTANCE = new ConversationGone();
    private static final String FOREIGN_KEY_VIOLATION = "23503";

    @Override
    public boolean test(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            String state = cause instanceof JDBCException jdbc ? jdbc.getSQLState()
                    : cause instanceof PgException pg ? pg.getSqlState() : null;
            if (FOREIGN_KEY_VIOLATION.equals(state)) {
                return true;
            }
        }
        return false;
    }
}
