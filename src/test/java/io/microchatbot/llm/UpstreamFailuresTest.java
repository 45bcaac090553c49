package io.microchatbot.llm;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.microchatbot.problem.ErrorCode;

import static org.assertj.core.api.Assertions.assertThat;

class UpstreamFailuresTest {

    @ParameterizedTest
    @CsvSource({
            "429, llm_rate_limited, 429",
            "500, llm_unavailable, 503",
            "502, llm_unavailable, 503",
            "503, llm_unavailable, 503",
            "504, llm_unavailable, 503",
            "401, llm_unavailable, 503",
            "403, llm_unavailable, 503",
            "408, llm_timeout, 504",
            "400, llm_bad_response, 502",
            "404, llm_bad_response, 502",
            "422, llm_bad_response, 502" })
    void upstreamStatusMapsToAStableCode(int upstream, ErrorCode code, int ours) {
        LlmException failure = UpstreamFailures.forStatus(upstream, null);
        assertThat(failure.code()).isEqualTo(code);
        assertThat(failure.code().status()).isEqualTo(ours);
    }

    @Test
    void retryAfterInSecondsIsKeptAndCapped() {
        assertThat(UpstreamFailures.retryAfterSeconds("7")).isEqualTo(7);
        assertThat(UpstreamFailures.retryAfterSeconds("0.2")).isEqualTo(1);
        assertThat(UpstreamFailures.retryAfterSeconds("86400")).isEqualTo(UpstreamFailures.MAX_RETRY_AFTER_SECONDS);
    }

    @Test
    void retryAfterAsHttpDateBecomesSeconds() {
        String in30s = ZonedDateTime.now().plusSeconds(30).format(DateTimeFormatter.RFC_1123_DATE_TIME);
        assertThat(UpstreamFailures.retryAfterSeconds(in30s)).isBetween(28, 30);
    }

    @Test
    void missingOrUnreadableRetryAfterFallsBackToTheDefault() {
        assertThat(UpstreamFailures.retryAfterSeconds(null)).isEqualTo(UpstreamFailures.DEFAULT_RETRY_AFTER_SECONDS);
        assertThat(UpstreamFailures.retryAfterSeconds("soon")).isEqualTo(UpstreamFailures.DEFAULT_RETRY_AFTER_SECONDS);
    }

    @Test
    void connectionFailuresAreUnavailableAndNameNoAddress() {
        LlmException failure = UpstreamFailures
                .forThrowable(new java.net.ConnectException("Connection refused: /10.1.2.3:443"));
        assertThat(failure.code()).isEqualTo(ErrorCode.llm_unavailable);
        assertThat(failure.getMessage()).doesNotContain("10.1.2.3");
        assertThat(failure.retryAfterSeconds()).contains(UpstreamFailures.DEFAULT_RETRY_AFTER_SECONDS);
    }

    @Test
    void providerNameIsDerivedFromTheBaseUrl() {
        assertThat(OpenAiCompatibleProvider.providerFromUrl("https://api.openai.com/v1")).isEqualTo("openai");
        assertThat(OpenAiCompatibleProvider.providerFromUrl("https://openrouter.ai/api/v1")).isEqualTo("openrouter");
        assertThat(OpenAiCompatibleProvider.providerFromUrl("http://localhost:11434/v1")).isEqualTo("ollama");
        assertThat(OpenAiCompatibleProvider.providerFromUrl("http://vllm.models.svc:8000/v1")).isEqualTo("vllm");
        assertThat(OpenAiCompatibleProvider.providerFromUrl("http://10.0.0.5:8000/v1")).isEqualTo("openai-compatible");
        // look-alike hosts are not the real providers and must not receive their keys
        assertThat(OpenAiCompatibleProvider.providerFromUrl("https://notopenai.com/v1")).isEqualTo("openai-compatible");
        assertThat(OpenAiCompatibleProvider.providerFromUrl("https://evil-openrouter.ai/api/v1"))
                .isEqualTo("openai-compatible");
    }
}
