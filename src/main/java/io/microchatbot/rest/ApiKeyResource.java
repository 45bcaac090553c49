package io.microchatbot.rest;

import java.net.URI;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
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
import io.microchatbot.security.ApiKey;
import io.microchatbot.security.ApiKeys;
import io.microchatbot.security.CurrentCaller;
import io.microchatbot.security.RequiresScope;
import io.microchatbot.security.Scope;
import io.microchatbot.validation.ApiKeyName;
import io.microchatbot.validation.ApiKeyScopes;
import io.microchatbot.validation.FutureInstant;
import io.microchatbot.validation.Validation;
import io.smallrye.mutiny.Uni;

/** API keys of the caller's tenant; admins only. A key's secret is in the answer to create and rotate, never again. */
@Path("/api/v1/admin/api-keys")
@Tag(name = "Admin")
@RequiresScope(Scope.admin)
public class ApiKeyResource {

    private final ApiKeys keys;
    private final CurrentCaller caller;
    private final Validation validation;

    ApiKeyResource(ApiKeys keys, CurrentCaller caller, Validation validation) {
        this.keys = keys;
        this.caller = caller;
        this.validation = validation;
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record CreateApiKeyRequest(
            @ApiKeyName String name,
            @ApiKeyScopes List<String> scopes,
            @FutureInstant String expiresAt,
            @DecimalMin(value = "0", inclusive = false, message = "must be above 0") Double turnRate,
            @Min(value = 1, message = "must be at least 1") Integer turnCapacity) {

        Set<Scope> scopeSet() {
            Set<Scope> set = EnumSet.noneOf(Scope.class);
            scopes.forEach(name -> set.add(Scope.valueOf(name)));
            return set;
        }

        Instant expiry() {
            return expiresAt == null ? null : Instant.parse(expiresAt);
        }
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
        if (body == null) {
            throw ApiException.invalid("body", "is required");
        }
        validation.valid(body);
        return keys.create(caller.get(), body.name().strip(), body.scopeSet(), body.expiry(), body.turnRate(),
                body.turnCapacity())
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
}
