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
     * How the reason of a run that failed on invalid input begins: {@value}. A method or world that
     * refuses its input (a concept the model does not know, a bad setting found only with the model
     * at hand) fails the run before anything changes; the reason says so, and a command reports it
     * as invalid input (exit status 3) rather than as a failed run.
     *
     * @since 1.1
     */
    public static final String INVALID_INPUT = "invalid input: ";

    /**
     * @return whether the run failed because its input was refused ({@link #INVALID_INPUT})
     * @since 1.1
     */
    public boolean invalidInput() {
        return state == RunState.FAILED && reason.map(r -> r.startsWith(INVALID_INPUT)).orElse(false);
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
