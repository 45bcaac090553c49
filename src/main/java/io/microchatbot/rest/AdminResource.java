package io.microchatbot.rest;

import java.util.Map;
import java.util.TreeMap;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.microchatbot.cache.CacheMetrics;
import io.microchatbot.redis.BoundedRedis;
import io.microchatbot.security.RequiresScope;
import io.microchatbot.security.Scope;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.faulttolerance.api.CircuitBreakerState;

/** What operators look at: counts since this pod started, never conversation content. */
@Path("/api/v1/admin")
@Tag(name = "Admin")
@RequiresScope(Scope.admin)
public class AdminResource {

    private final CacheMetrics cache;
    private final BoundedRedis redis;

    AdminResource(CacheMetrics cache, BoundedRedis redis) {
        this.cache = cache;
        this.redis = redis;
    }

    /** Hits, misses, errors and hit rate per cache namespace on this pod, and whether Redis is in use. */
    @GET
    @NonBlocking
    @Path("/cache/stats")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Context cache hit rate per namespace on this pod")
    public CacheStatsView cacheStats() {
        Map<String, NamespaceView> namespaces = new TreeMap<>();
        cache.stats().forEach((name, stats) -> namespaces.put(name,
                new NamespaceView(stats.hits(), stats.misses(), stats.errors(), stats.hitRate())));
        String state = redis.state() == CircuitBreakerState.CLOSED ? "in_use" : "paused";
        return new CacheStatsView(namespaces, state);
    }

    public record CacheStatsView(Map<String, NamespaceView> namespaces, String redis) {
    }

    public record NamespaceView(long hits, long misses, long errors, double hit_rate) {
    }
}
