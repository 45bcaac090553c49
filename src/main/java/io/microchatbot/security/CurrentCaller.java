package io.microchatbot.security;

import jakarta.enterprise.context.RequestScoped;

import io.microchatbot.identity.Caller;
import io.microchatbot.problem.ApiException;
import io.microchatbot.problem.ErrorCode;

/** The caller of this request, as {@link AccessFilter} authenticated it before the resource method runs. */
@RequestScoped
public class CurrentCaller {

    private Access access;

    void set(Access access) {
        this.access = access;
    }

    /** The tenant and user to scope this request to. */
    public Caller get() {
        return access().caller();
    }

    public Access access() {
        if (access == null) {
            throw new ApiException(ErrorCode.unauthenticated, "The caller was not identified");
        }
        return access;
    }

    /** Whether a caller was identified (false before authentication, or when it failed). */
    public boolean known() {
        return access != null;
    }
}
