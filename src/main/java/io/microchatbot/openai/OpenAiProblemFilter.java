package io.microchatbot.openai;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;

import org.jboss.resteasy.reactive.server.ServerResponseFilter;

import io.microchatbot.problem.Problem;

/**
 * Adds OpenAI's {@code error} member to every problem answered under {@code /v1/} (refused credentials, rate limits,
 * unreadable bodies alike), whichever mapper wrote it; the rest of the API keeps its problems as they are.
 */
public class OpenAiProblemFilter {

    private final OpenAiProblems problems;

    OpenAiProblemFilter(OpenAiProblems problems) {
        this.problems = problems;
    }

    @ServerResponseFilter
    public void addErrorMember(ContainerRequestContext request, ContainerResponseContext response) {
        if (response.getEntity() instanceof Problem problem && OpenAiPaths.isOpenAi(request.getUriInfo().getPath())) {
            response.setEntity(problems.body(problem));
        }
    }
}
