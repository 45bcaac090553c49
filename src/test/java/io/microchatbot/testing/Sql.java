package io.microchatbot.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.eclipse.microprofile.config.ConfigProvider;

/** Reads the test database directly, to check what was really stored. */
public final class Sql {

    private Sql() {
    }

    /** Runs an INSERT, UPDATE or DELETE and returns how many rows it changed. */
    public static int execute(String statement) throws SQLException {
        try (Connection connection = connect();
                Statement sql = connection.createStatement()) {
            return sql.executeUpdate(statement);
        }
    }

    /** The first column of the first row, as text; null when there is no row. */
    public static String text(String query) throws SQLException {
        try (Connection connection = connect();
                Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery(query)) {
            return row.next() ? row.getString(1) : null;
        }
    }

    /** Runs statements the API cannot make, such as a turn whose pod died; returns the rows changed by the last. */
    public static int update(String... statements) throws SQLException {
        try (Connection connection = connect();
                Statement statement = connection.createStatement()) {
            int changed = 0;
            for (String sql : statements) {
                changed = statement.executeUpdate(sql);
            }
            return changed;
        }
    }

    private static Connection connect() throws SQLException {
        var config = ConfigProvider.getConfig();
        String url = config.getValue("quarkus.datasource.jdbc.url", String.class);
        String user = config.getValue("quarkus.datasource.username", String.class);
        String password = config.getOptionalValue("quarkus.datasource.password", String.class).orElse("");
        return DriverManager.getConnection(url, user, password);
    }
}
