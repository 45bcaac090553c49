package io.microchatbot.observability;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.microchatbot.testing.FakeLlmResource;
import io.microchatbot.testing.FakeLlmServer;
import io.microchatbot.testing.RedisProxyResource;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

import static io.microchatbot.testing.Api.as;
import static io.microchatbot.testing.Api.conversation;
import static io.microchatbot.testing.Api.newUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@QuarkusTest
@QuarkusTestResource(FakeLlmResource.class)
@QuarkusTestResource(RedisProxyResource.class)
class TracingAndLogsTest {

    @Inject
    InMemorySpanExporter spans;

    @Test
    void aTurnIsOneTraceJoiningTheCallersWithHttpDatabaseRedisAndLlmSpans() {
        String user = newUser();
        String id = conversation(user);
        String traceId = hex(16);
        String parentSpan = hex(8);
        as(user).header("traceparent", "00-" + traceId + "-" + parentSpan + "-01")
                .contentType(ContentType.JSON).body(Map.of("content", "trace me"))
                .post("/api/v1/conversations/{id}/messages", id).then().statusCode(201);

        List<SpanData> trace = await().atMost(Duration.ofSeconds(10)).until(() -> ofTrace(traceId),
                found -> found.stream().anyMatch(span -> span.getName().startsWith("chat "))
                        && found.stream().anyMatch(span -> span.getKind() == SpanKind.SERVER));
        SpanData server = trace.stream().filter(span -> span.getKind() == SpanKind.SERVER).findFirst().orElseThrow();
        assertThat(server.getParentSpanId()).isEqualTo(parentSpan);
        assertThat(server.getName()).contains("/api/v1/conversations/{id}/messages");
        SpanData llm = trace.stream().filter(span -> span.getName().startsWith("chat ")).findFirst().orElseThrow();
        assertThat(llm.getAttributes().get(AttributeKey.stringKey("gen_ai.request.model"))).isEqualTo(FakeLlmServer.MODEL);
        assertThat(llm.getAttributes().get(AttributeKey.longKey("gen_ai.usage.input_tokens"))).isEqualTo(11L);
        assertThat(llm.getAttributes().get(AttributeKey.longKey("chatbot.llm.attempts"))).isEqualTo(1L);
        assertThat(llm.getAttributes().get(AttributeKey.stringKey("chatbot.llm.outcome"))).isEqualTo("success");
        assertThat(trace).anySatisfy(span -> assertThat(span.getAttributes()
                .get(AttributeKey.stringKey("db.sql.table"))).isEqualTo("conversations"));
        assertThat(trace).anySatisfy(span -> assertThat(span.getName()).isEqualTo("INSERT messages"));
        assertThat(trace).anySatisfy(span -> assertThat(span.getAttributes()
                .get(AttributeKey.stringKey("db.system"))).isEqualTo("redis"));
    }

    @Test
    void b3HeadersFromTheMeshAreJoinedToo() {
        String user = newUser();
        String traceId = hex(16);
        as(user).header("X-B3-TraceId", traceId).header("X-B3-SpanId", hex(8)).header("X-B3-Sampled", "1")
                .get("/api/v1/conversations").then().statusCode(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> !ofTrace(traceId).isEmpty());
    }

    @Test
    void aTurnsLogLinesCarryItsCorrelationIdCallerAndEventButNoContentOrSecret() throws Exception {
        String user = newUser();
        String id = conversation(user);
        String secretSentence = "the launch code is " + hex(8);
        as(user).header("X-Request-ID", "logs-" + hex(6)).contentType(ContentType.JSON)
                .body(Map.of("content", secretSentence)).post("/api/v1/conversations/{id}/messages", id)
                .then().statusCode(201);

        String log = Files.readString(Path.of("target/quarkus-test.log"));
        List<String> lines = log.lines().filter(line -> line.contains("user=" + user)).toList();
        assertThat(lines).anySatisfy(line -> assertThat(line).contains("event=message_processed")
                .contains("tenant=default").containsPattern("cid=logs-[0-9a-f]{12}").containsPattern("trace=[0-9a-f]{32}"));
        assertThat(lines).anySatisfy(line -> assertThat(line).contains("event=llm_call").contains("LLM call success")
                .doesNotContain("null"));
        assertThat(log).doesNotContain(secretSentence).doesNotContain(FakeLlmResource.API_KEY);
    }

    private List<SpanData> ofTrace(String traceId) {
        return spans.getFinishedSpanItems().stream().filter(span -> span.getTraceId().equals(traceId)).toList();
    }

    private static String hex(int bytes) {
        byte[] random = new byte[bytes];
        ThreadLocalRandom.current().nextBytes(random);
        return HexFormat.of().formatHex(random);
    }
}
