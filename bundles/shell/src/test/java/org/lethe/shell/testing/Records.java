package org.lethe.shell.testing;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.lethe.api.model.ModelRef;
import org.lethe.api.run.RunKey;
import org.lethe.api.run.RunRecord;
import org.lethe.api.run.RunSpec;
import org.lethe.api.run.RunState;

/** Run records for tests. */
public final class Records {

    /** The key every test record has. */
    public static final RunKey KEY = new RunKey("3fa9c1d2e4f5a6b7c8d9e0f1a2b3c4d5");

    /** When every test run was submitted. */
    public static final Instant T0 = Instant.parse("2025-01-31T12:00:00Z");

    private Records() {
    }

    /** @return the spec of the test runs: ascent on tiny:1 with one setting and a forget file */
    public static RunSpec spec() {
        return new RunSpec(RunSpec.Kind.UNLEARN, "ascent", "1.0.0", Map.of("steps", "200"),
                Optional.of(new ModelRef("tiny", 1)), Map.of("forget", new RunSpec.DataRef("/data/forget.jsonl", "ab".repeat(32))),
                List.of(), 7, Optional.empty());
    }

    /**
     * @param state its state
     * @param step steps done
     * @param total steps planned
     * @param loss the latest loss
     * @param eta estimated milliseconds left
     * @param attempt its attempt
     * @return a record of the test run, started 1 s after submission; ended 10 s after when terminal
     */
    public static RunRecord record(RunState state, long step, long total, double loss, long eta, int attempt) {
        return new RunRecord(KEY, spec(), state,
                state == RunState.FAILED ? Optional.of("diverged") : state == RunState.CANCELLED ? Optional.of("by a test")
                        : Optional.empty(),
                state == RunState.COMMITTED ? Optional.of(new ModelRef("tiny", 2)) : Optional.empty(), T0,
                state == RunState.QUEUED ? Optional.empty() : Optional.of(T0.plusSeconds(1)),
                state.isTerminal() ? Optional.of(T0.plusSeconds(11)) : Optional.empty(),
                new RunRecord.Progress(step, total, loss, eta), attempt);
    }
}
