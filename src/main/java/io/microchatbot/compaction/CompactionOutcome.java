package io.microchatbot.compaction;

/** How one compaction ended: the {@code outcome} label of {@code chatbot_compactions_total}. */
enum CompactionOutcome {
    /** A summary was stored. */
    compacted,
    /** The summary call failed or answered nothing: later turns trim their history until one succeeds. */
    failed,
    /** A turn held the conversation for longer than busy-wait after the summary was written: it was dropped. */
    busy,
    /** Another replica stored a summary covering as much or more first. */
    superseded,
    /** The pod already wrote its maximum of summaries at once; a later turn asks again. */
    skipped,
    /** Nothing was left to summarise, or the conversation was deleted meanwhile. */
    nothing
}
