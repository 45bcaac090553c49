package io.microchatbot.rest;

import java.net.URI;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import io.microchatbot.problem.ApiException;
import io.microchatbot.problem.FieldError;
import io.microchatbot.security.ApiKey;
import io.microchatbot.security.ApiKeys;
import io.microchatbot.security.CurrentCaller;
import io.microchatbot.security.RequiresScope;
import io.microchatbot.security.Scope;
import io.smallrye.mutiny.Uni;

/** API keys of the caller's tenant; admins only. A key's secret is in the answer to create and rotate, never again. */
@Path("/api/v1/admin/api-keys")
@Tag(name = "Admin")
@RequiresScope(Scope.admin)
public class ApiKeyResource {

    private final ApiKeys keys;
    private final CurrentCaller caller;

    ApiKeyResource(ApiKeys keys, CurrentCaller caller) {
        this.keys = keys;
        this.caller = caller;
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record CreateApiKeyRequest(String name, List<String> scopes, String expiresAt, Double turnRate,
            Integer turnCapacity) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ApiKeyView(UUID id, String name, String prefix, List<String> scopes, Double turnRate,
            Integer turnCapacity, Instant expiresAt, Instant revokedAt, Instant lastUsedAt, String createdBy,
            Instant createdAt, Instant rotatedAt, String key) {

        static ApiKeyView of(ApiKey k, String secret) {
            return new ApiKeyView(k.id, k.name, "cbk_" + k.prefix, List.of(k.scopes.split(" ")), k.turnRate,
                    k.turnCapacity, k.expiresAt, k.revokedAt, k.lastUsedAt, k.createdBy, k.createdAt, k.rotatedAt,
                    secret);
        }
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create an API key; its secret (field key) is shown in this answer only")
    public Uni<Response> create(CreateApiKeyRequest body) {
        List<FieldError> errors = new ArrayList<>();
        if (body == null) {
            throw ApiException.invalid("body", "is required");
        }
        if (body.name() == null || body.name().isBlank() || body.name().length() > 100) {
            errors.add(new FieldError("name", "is required, 1-100 characters"));
        }
        Set<Scope> scopes = scopes(body.scopes(), errors);
        Instant expires = expiry(body.expiresAt(), errors);
        if (body.turnRate() != null && !(body.turnRate() > 0)) {
            errors.add(new FieldError("turn_rate", "must be above 0"));
        }
        if (body.turnCapacity() != null && body.turnCapacity() < 1) {
            errors.add(new FieldError("turn_capacity", "must be at least 1"));
        }
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
        return keys.create(caller.get(), body.name().strip(), scopes, expires, body.turnRate(), body.turnCapacity())
                .map(issued -> Response.created(URI.create("/api/v1/admin/api-keys/" + issued.key().id))
                        .entity(ApiKeyView.of(issued.key(), issued.secret())).build());
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The tenant's API keys (never their secrets)")
    public Uni<List<ApiKeyView>> list() {
        return keys.list(caller.get())
                .map(all -> all.stream().map(key -> ApiKeyView.of(key, null)).toList());
    }

    @POST
    @Path("/{id}/rotate")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Give the key a new secret; the old one stops working at once")
    public Uni<ApiKeyView> rotate(@RestPath UUID id) {
        return keys.rotate(caller.get(), id)
                .map(issued -> ApiKeyView.of(issued.key(), issued.secret()));
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Revoke the key")
    public Uni<Response> revoke(@RestPath UUID id) {
        return keys.revoke(caller.get(), id)
                .map(ignored -> Response.noContent().build());
    }

    private static Set<Scope> scopes(List<String> names, List<FieldError> errors) {
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        if (names == null || names.isEmpty()) {
            errors.add(new FieldError("scopes", "is required: one or more of chat, read, admin"));
            return scopes;
        }
        for (String name : names) {
            try {
                scopes.add(Scope.valueOf(String.valueOf(name)));
            } catch (IllegalArgumentException unknown) {
                errors.add(new FieldError("scopes", "'" + name + "' is not one of chat, read, admin"));
            }
        }
        return scopes;
    }

    private static Instant expiry(String raw, List<FieldError> errors) {
        if (raw == null) {
            return null;
        }
        try {
            Instant at = Instant.parse(raw);
            if (!at.isAfter(Instant.now())) {
                errors.add(new FieldError("expires_at", "must be in the future"));
            }
            return at;
        } catch (DateTimeParseException e) {
            errors.add(new FieldError("expires_at", "must be an ISO-8601 instant, e.g. 2027-01-31T00:00:00Z"));
            return null;
        }
    }
}
