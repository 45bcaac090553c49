package io.microchatbot.rest;

import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import java.util.UUID;

import jakarta.ws.rs.ext.ParamConverter;
import jakarta.ws.rs.ext.ParamConverterProvider;
import jakarta.ws.rs.ext.Provider;

import io.microchatbot.validation.Ids;

/**
 * Path ids ({@code @RestPath UUID}) in their canonical form only; anything else is 400 validation_failed for
 * {@code id} rather than the framework's 404 (the framework wraps the refusal, see {@link ProblemMappers#web}).
 */
@Provider
public class IdParameters implements ParamConverterProvider {

    private static final ParamConverter<UUID> IDS = new ParamConverter<>() {
        @Override
        public UUID fromString(String raw) {
            return Ids.parse(raw);
        }

        @Override
        public String toString(UUID id) {
            return id.toString();
        }
    };

    @Override
    @SuppressWarnings("unchecked")
    public <T> ParamConverter<T> getConverter(Class<T> rawType, Type genericType, Annotation[] annotations) {
        return rawType == UUID.class ? (ParamConverter<T>) IDS : null;
    }
}
