package io.microchatbot.database;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Accepts the familiar {@code DATABASE_URL=postgresql://user:pass@host:port/db} and turns it into Quarkus's
 * reactive URL, JDBC URL, user name and password. It ranks above application.properties and below Quarkus's own
 * environment variables ({@code QUARKUS_DATASOURCE_*} still win).
 */
public class DatabaseUrlConfigSource implements ConfigSource {

    private static final int ORDINAL = 275;
    private final Map<String, String> properties;

    public DatabaseUrlConfigSource() {
        this.properties = parse(System.getenv("DATABASE_URL"));
    }

    static Map<String, String> parse(String databaseUrl) {
        Map<String, String> properties = new HashMap<>();
        if (databaseUrl == null || databaseUrl.isBlank()) {
            return properties;
        }
        URI uri = URI.create(databaseUrl.trim());
        String scheme = uri.getScheme();
        if (!"postgresql".equals(scheme) && !"postgres".equals(scheme)) {
            throw new IllegalArgumentException("DATABASE_URL must start with postgresql:// or postgres://");
        }
        int port = uri.getPort() == -1 ? 5432 : uri.getPort();
        String hostAndPath = uri.getHost() + ":" + port + uri.getRawPath()
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        properties.put("quarkus.datasource.reactive.url", "postgresql://" + hostAndPath);
        properties.put("quarkus.datasource.jdbc.url", "jdbc:postgresql://" + hostAndPath);
        if (uri.getRawUserInfo() != null) {
            String[] userInfo = uri.getRawUserInfo().split(":", 2);
            properties.put("quarkus.datasource.username", URLDecoder.decode(userInfo[0], StandardCharsets.UTF_8));
            if (userInfo.length == 2) {
                properties.put("quarkus.datasource.password", URLDecoder.decode(userInfo[1], StandardCharsets.UTF_8));
            }
        }
        return properties;
    }

    @Override
    public Set<String> getPropertyNames() {
        return properties.keySet();
    }

    @Override
    public String getValue(String propertyName) {
        return properties.get(propertyName);
    }

    @Override
    public String getName() {
        return "DATABASE_URL";
    }

    @Override
    public int getOrdinal() {
        return ORDINAL;
    }
}
