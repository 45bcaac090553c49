package io.microchatbot.structured;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.text.MessageFormat;
import java.util.Locale;
import java.util.Properties;
import java.util.function.Supplier;

import com.networknt.schema.i18n.MessageSource;

/**
 * The library's English messages, read as a plain class-path resource rather than through a ResourceBundle: the
 * same text whatever the JVM's default locale, and nothing but a resource for a native image to include (a bundle
 * would need a registration of its own).
 */
final class EnglishMessages implements MessageSource {

    static final String RESOURCE = "jsv-messages.properties";

    private final Properties messages = new Properties();

    EnglishMessages() {
        try (InputStream in = EnglishMessages.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the class path");
            }
            messages.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String getMessage(String key, Supplier<String> defaultMessage, Locale locale, Object... arguments) {
        String pattern = messages.getProperty(key);
        if ((pattern == null || pattern.isEmpty()) && defaultMessage != null) {
            pattern = defaultMessage.get();
        }
        if (pattern == null || pattern.isEmpty()) {
            return key;
        }
        return new MessageFormat(pattern, Locale.ENGLISH).format(arguments);
    }
}
