package io.microchatbot.deploy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chart is the one deployment source (docs/adr/0010-one-deployment-source.md): the plain manifests under
 * kubernetes/ must be exactly what it renders, so a change made in them alone, or in the chart alone, fails here.
 * With -Dkubernetes.render=write (kubernetes/render) the test first rewrites them.
 */
class RenderedManifestsTest {

    @Test
    void plainManifestsAreWhatTheChartRenders() throws IOException {
        Map<Path, String> rendered = PlainManifests.render();
        if ("write".equals(System.getProperty("kubernetes.render"))) {
            PlainManifests.write(rendered);
        }
        Map<Path, String> committed = PlainManifests.committed();

        List<String> differences = new ArrayList<>();
        Set<Path> files = new TreeSet<>(rendered.keySet());
        files.addAll(committed.keySet());
        for (Path file : files) {
            if (!committed.containsKey(file)) {
                differences.add("kubernetes/" + file + " is missing");
            } else if (!rendered.containsKey(file)) {
                differences.add("kubernetes/" + file + " is not rendered by the chart");
            } else if (!committed.get(file).equals(rendered.get(file))) {
                differences.add("kubernetes/" + file + " differs from the chart's rendering");
            }
        }
        assertThat(differences)
                .withFailMessage("The plain manifests are rendered from helm/micro-chatbot-service with "
                        + "kubernetes/values.yaml and must not be edited by hand:%n  %s%nMake the change in the chart "
                        + "(or kubernetes/values.yaml), then run kubernetes/render and commit what it writes.",
                        String.join("\n  ", differences))
                .isEmpty();
    }
}
