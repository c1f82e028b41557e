package org.lethe.api.run;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.lethe.api.model.ModelRef;

/**
 * What is known about a run, as persisted under the data folder's {@code runs/<key>/record.json}.
 *
 * @param key the run's key
 * @param spec what it runs
 * @param state where it is
 * @param reason why it failed or was cancelled; empty otherwise
 * @param result the model version it committed; empty unless COMMITTED with a model
 * @param submitted when it was accepted
 * @param started when it began executing; empty while queued
 * @param ended when it reached its terminal state; empty before
 * @param progress the latest progress it reported
 * @param attempt how many times it has been started (a FAILED or CANCELLED run may be submitted again)
 */
public record RunRecord(RunKey key, RunSpec spec, RunState state, Optional<String> reason, Optional<ModelRef> result,
        Instant submitted, Optional<Instant> started, Optional<Instant> ended, Progress progress, int attempt) {

    /** Rejects missing fields. */
    public RunRecord {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(submitted, "submitted");
        Objects.requireNonNull(started, "started");
        Objects.requireNonNull(ended, "ended");
        Objects.requireNonNull(progress, "progress");
    }

    /**
     * Progress of a run.
     *
     * @param step steps done
     * @param totalSteps steps planned, 0 when unknown
     * @param loss the latest loss, NaN when none
     * @param etaMillis estimated milliseconds to completion from the step rate so far, -1 when unknown
     */
    public record Progress(long step, long totalSteps, double loss, long etaMillis) {

        /** No progress yet. */
        public static final Progress NONE = new Progress(0, 0, Double.NaN, -1);
    }
}
