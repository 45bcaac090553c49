package io.microchatbot.database;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DatabaseUrlConfigSourceTest {

    @Test
    void familiarDatabaseUrlBecomesReactiveAndJdbcSettings() {
        Map<String, String> config = DatabaseUrlConfigSource
                .parse("postgresql://chat:s%40cret@db.internal:6543/chatbot?sslmode=require");
        assertThat(config)
                .containsEntry("quarkus.datasource.reactive.url", "postgresql://db.internal:6543/chatbot?sslmode=require")
                .containsEntry("quarkus.datasource.jdbc.url", "jdbc:postgresql://db.internal:6543/chatbot?sslmode=require")
                .containsEntry("quarkus.datasource.username", "chat")
                .containsEntry("quarkus.datasource.password", "s@cret");
    }

    @Test
    void portDefaultsTo5432AndPostgresSchemeIsAccepted() {
        Map<String, String> config = DatabaseUrlConfigSource.parse("postgres://app@localhost/app");
        assertThat(config).containsEntry("quarkus.datasource.jdbc.url", "jdbc:postgresql://localhost:5432/app")
                .containsEntry("quarkus.datasource.username", "app")
                .doesNotContainKey("quarkus.datasource.password");
    }

    @Test
    void absentDatabaseUrlContributesNothing() {
        assertThat(DatabaseUrlConfigSource.parse(null)).isEmpty();
        assertThat(DatabaseUrlConfigSource.parse(" ")).isEmpty();
    }

    @Test
    void otherSchemesAreRefused() {
        assertThatThrownBy(() -> DatabaseUrlConfigSource.parse("mysql://root@localhost/db"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
