package io.microchatbot.rest;

import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

import io.microchatbot.correlation.CorrelationId;
import io.microchatbot.problem.ApiException;
import io.microchatbot.problem.ErrorCode;
import io.microchatbot.problem.Failures;
import io.microchatbot.problem.Problem;
import io.microchatbot.validation.Violations;
import io.quarkus.logging.Log;
import io.quarkus.security.AuthenticationFailedException;

/** Every failure leaves as an RFC 9457 problem with a stable code; stack traces stay in the log. */
public class ProblemMappers {

    @ServerExceptionMapper
    public Response api(ApiException e, UriInfo uri) {
        return respond(Failures.describe(e), uri);
    }

    /** A token or API key that is invalid, expired, revoked, or signed by a key we do not trust. */
    @ServerExceptionMapper
    public Response authentication(AuthenticationFailedException e, UriInfo uri) {
        return Response.fromResponse(respond(new ApiException(ErrorCode.unauthenticated,
                "The credentials were refused (invalid, expired, not yet valid, revoked or from an untrusted"
                        + " issuer)"),
                uri))
                .header("WWW-Authenticate", "Bearer error=\"invalid_token\"")
                .build();
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e, UriInfo uri) {
        return respond(fromJackson(e), uri);
    }

    /**
     * Wrong types, unknown fields and trailing tokens. Declared for this exact type so that it wins over the
     * extension's built-in mapper, which answers with a body of its own that is not a problem.
     */
    @ServerExceptionMapper
    public Response mismatch(MismatchedInputException e, UriInfo uri) {
        return respond(fromJackson(e), uri);
    }

    /** Bean Validation failures anywhere in a request, as the same problem as {@code Validation} raises. */
    @ServerExceptionMapper
    public Response constraints(ConstraintViolationException e, UriInfo uri) {
        return respond(Violations.problem(e.getConstraintViolations()), uri);
    }

    /**
     * Also a path or query parameter refused by its converter ({@link IdParameters}, {@link Paging}), which the
     * framework wraps in a 400 or 404.
     */
    @ServerExceptionMapper
    public Response web(WebApplicationException e, UriInfo uri) {
        if (e.getCause() instanceof JsonProcessingException jackson) {
            return respond(fromJackson(jackson), uri);
        }
        if (e.getCause() instanceof ApiException refused) {
            return respond(refused, uri);
        }
        int status = e.getResponse().getStatus();
        ErrorCode code = switch (status) {
            case 400 -> ErrorCode.validation_failed;
            case 401 -> ErrorCode.unauthenticated;
            case 404 -> ErrorCode.not_found;
            case 405 -> ErrorCode.method_not_allowed;
            case 406 -> ErrorCode.not_acceptable;
            case 413 -> ErrorCode.payload_too_large;
            case 415 -> ErrorCode.unsupported_media_type;
            default -> ErrorCode.internal_error;
        };
        if (code == ErrorCode.internal_error) {
            Log.error("Unexpected HTTP failure", e);
        }
        String detail = code == ErrorCode.internal_error ? "The request failed; see the service log with this correlation id"
                : e.getMessage();
        return respond(new ApiException(code, detail), uri);
    }

    /** A bug: the caller gets a problem with the correlation id to report, the log gets the stack trace. */
    @ServerExceptionMapper
    public Response unexpected(Throwable e, UriInfo uri) {
        return respond(Failures.describe(e), uri);
    }

    static ApiException fromJackson(JsonProcessingException e) {
        // A syntax error inside a field (a duplicate key in metadata) arrives wrapped with the field's path.
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof StreamReadException syntax) {
                return new ApiException(ErrorCode.invalid_json, "The body is not valid JSON: "
                        + syntax.getOriginalMessage());
            }
        }
        if (e instanceof UnrecognizedPropertyException unknown) {
            return ApiException.invalid(unknown.getPropertyName(), "is not a known field");
        }
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            return ApiException.invalid(path(mapping), "has the wrong type");
        }
        return new ApiException(ErrorCode.invalid_json, "The body does not have the expected JSON shape");
    }

    private static String path(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static Response respond(ApiException e, UriInfo uri) {
        Problem problem = Problem.of(e, uri == null ? null : uri.getPath(), CorrelationId.current());
        Response.ResponseBuilder response = Response.status(e.code().status())
                .type(Problem.MEDIA_TYPE)
                .entity(problem);
        e.retryAfterSeconds().ifPresent(seconds -> response.header("Retry-After", seconds));
        e.turnEvents().ifPresent(path -> response.header("Link", monitorLink(path)));
        return response.build();
    }

    /** RFC 8288: where the running turn a problem is about can be followed (rel "monitor", RFC 5989). */
    static String monitorLink(String turnEvents) {
        return "<" + turnEvents + ">; rel=\"monitor\"";
    }

    /** For handlers outside JAX-RS (router level) that need the same body. */
    static Problem problem(ErrorCode code, String detail, String path) {
        return Problem.of(new ApiException(code, detail), path, CorrelationId.current());
    }
}
