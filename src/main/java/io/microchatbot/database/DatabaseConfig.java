package io.microchatbot.database;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The service's own database settings besides the datasource (chatbot.database.*). */
@ConfigMapping(prefix = "chatbot.database")
public interface DatabaseConfig {
    /** Create the configured database on start when it does not exist (local runs). */
    @WithDefault("false")
    boolean createIfMissing();
}
