/**
 * The API's JSON records: the requests with their constraints (checked by {@code validation.Validation}) and the
 * views answered. Shared by every way in (REST, commands), so they carry no HTTP; snake_case on the wire.
 */
package io.microchatbot.api;
