package io.microchatbot.compaction;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * When and how long histories are summarised (chatbot.compaction.*). Shares are of a conversation's history budget:
 * the model's context window less the reply's max-tokens, the system prompt and the tool definitions.
 */
@ConfigMapping(prefix = "chatbot.compaction")
public interface CompactionConfig {
    /** Off: the oldest messages that do not fit the window are left out of the prompt (trimmed), as before. */
    @WithDefault("true")
    boolean enabled();

    /** A turn whose history takes more than this share of the budget has its older messages summarised. */
    @WithDefault("0.8")
    double threshold();

    /** The newest messages, up to this share of the budget, stay as they are; the older ones are summarised. */
    @WithDefault("0.4")
    double keep();

    /** Model that writes summaries; absent: the model of the turn that needed one. */
    Optional<String> model();

    /**
     * Longest summary, in tokens; never more than the budget between keep and threshold, so that a summary and the
     * messages kept beside it do not cross the threshold again at once.
     */
    @WithDefault("512")
    int maxTokens();

    /** The summary call, retries and fallbacks included. */
    @WithDefault("60s")
    Duration timeout();

    /** Summaries written at once by one pod; a turn that needs one beyond them leaves it to a later turn. */
    @WithDefault("4")
    int maxConcurrent();

    /** A summary ready while a turn runs is stored after it, if that turn ends within this long. */
    @WithDefault("30s")
    Duration busyWait();
}
