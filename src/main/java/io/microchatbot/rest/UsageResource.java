package io.microchatbot.rest;

import java.util.List;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestQuery;

import io.microchatbot.api.UsageReportView;
import io.microchatbot.security.CurrentCaller;
import io.microchatbot.usage.UsageService;
import io.smallrye.mutiny.Uni;

/** Tokens and cost of the provider calls a caller may see: its own, or its whole tenant's for a tenant admin. */
@Path("/api/v1/usage")
@Tag(name = "Usage")
public class UsageResource {

    private final UsageService usage;
    private final CurrentCaller callers;

    UsageResource(UsageService usage, CurrentCaller callers) {
        this.usage = usage;
        this.callers = callers;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Usage and cost, summed per group", description = "Needs the read scope: the caller's own"
            + " usage, or the whole tenant's with the admin scope too. Exact to the call: the hourly rollup plus the"
            + " calls not rolled up yet.")
    public Uni<UsageReportView> usage(
            @Parameter(description = "Dimensions to group by, comma-separated or repeated: tenant, api_key, user,"
                    + " model, hour, day; none: one total") @RestQuery("group_by") List<String> groupBy,
            @Parameter(description = "Start, inclusive: an RFC 3339 date-time on a whole hour; default: today"
                    + " 00:00Z") @RestQuery String from,
            @Parameter(description = "End, exclusive: an RFC 3339 date-time on a whole hour, at most"
                    + " chatbot.usage.max-range after from; default: the next whole hour") @RestQuery String to) {
        return usage.report(callers.access(), groupBy, from, to)
                .map(UsageReportView::of);
    }
}
