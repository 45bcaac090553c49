package io.microchatbot.identity;

import java.util.regex.Pattern;

import jakarta.ws.rs.core.HttpHeaders;

import io.microchatbot.problem.ApiException;
import io.microchatbot.problem.ErrorCode;

/**
 * Reads the caller from {@code X-User-ID} / {@code X-Tenant-ID}. A stand-in until token authentication lands:
 * it trusts the network (a mesh with mTLS and its own authorization) to have vetted those headers.
 */
public final class CallerHeaders {

    public static final String USER_HEADER = "X-User-ID";
    public static final String TENANT_HEADER = "X-Tenant-ID";
    public static final String DEFAULT_TENANT = "default";
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._@:+|-]{1,128}");

    private CallerHeaders() {
    }

    public static Caller from(HttpHeaders headers) {
        return of(headers.getHeaderString(TENANT_HEADER), headers.getHeaderString(USER_HEADER));
    }

    /** The same checks for an identity that came another way (a command on a stream). */
    public static Caller of(String tenant, String user) {
        if (user == null || user.isBlank()) {
            throw new ApiException(ErrorCode.unauthenticated, "Header " + USER_HEADER + " is required");
        }
        if (!ID.matcher(user).matches()) {
            throw new ApiException(ErrorCode.invalid_identity,
                    USER_HEADER + " must be 1-128 characters of letters, digits and . _ @ : + | -");
        }
        if (tenant == null || tenant.isBlank()) {
            tenant = DEFAULT_TENANT;
        } else if (!ID.matcher(tenant).matches()) {
            throw new ApiException(ErrorCode.invalid_identity,
                    TENANT_HEADER + " must be 1-128 characters of letters, digits and . _ @ : + | -");
        }
        return new Caller(tenant, user);
    }
}
