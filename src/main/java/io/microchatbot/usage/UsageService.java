package io.microchatbot.usage;

import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.microchatbot.security.Access;
import io.microchatbot.security.Scope;
import io.smallrye.mutiny.Uni;

/**
 * Whose usage a caller may see: a tenant admin (the {@code admin} scope) the whole tenant's, anyone else their own
 * (the user they call as); never another tenant's, whatever the parameters say.
 */
@ApplicationScoped
public class UsageService {

    private final UsageRepository repository;
    private final UsageConfig config;

    UsageService(UsageRepository repository, UsageConfig config) {
        this.repository = repository;
        this.config = config;
    }

    /** The caller's usage, grouped; 400 validation_failed naming the parameter that is wrong. */
    public Uni<Report> report(Access access, List<String> groupBy, String from, String to) {
        String user = access.allows(Scope.admin) ? null : access.caller().userId();
        UsageQuery query = UsageQuery.of(groupBy, from, to, config.maxRange(), access.caller().tenantId(), user,
                Instant.now());
        return repository.sums(query)
                .map(groups -> new Report(query, user == null ? "tenant" : "user", config.currency(), groups));
    }

    /** What a report covers ({@code scope}: {@code tenant} or {@code user}) and its groups. */
    public record Report(UsageQuery query, String scope, String currency, List<UsageGroup> groups) {
    }
}
