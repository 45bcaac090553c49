package io.microchatbot.service;

import java.time.Duration;

import org.eclipse.microprofile.config.spi.Converter;

import io.quarkus.runtime.configuration.DurationConverter;

/** A duration as Quarkus reads one ({@code 30s}, {@code PT30S}), or {@code off}, which is no value. */
public class DurationOrOff implements Converter<Duration> {

    @Override
    public Duration convert(String value) {
        return "off".equalsIgnoreCase(value.trim()) ? null : DurationConverter.parseDuration(value);
    }
}
