package org.lethe.shell.base;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.lethe.api.run.RunState;
import org.lethe.shell.testing.Records;

class ProgressLineTest {

    static final Instant NOW = Records.T0.plusSeconds(3);

    @Test
    void theLiveLineShowsBarStepsPercentLossElapsedAndEta() {
        String line = ProgressLine.live(Records.record(RunState.RUNNING, 40, 200, 1.23456, 8_000, 1), NOW, 120);
        assertEquals("ascent  [====>               ]  40/200   20%  loss 1.2346  elapsed 0:02  eta 0:08", line);
        assertEquals("ascent  [====================]  200/200  100%  elapsed 0:02",
                ProgressLine.live(Records.record(RunState.RUNNING, 200, 200, Double.NaN, -1, 1), NOW, 120));
    }

    @Test
    void theLiveLineNeverWrapsAndCopesWithUnknownTotals() {
        String line = ProgressLine.live(Records.record(RunState.RUNNING, 40, 200, 1.5, 8_000, 1), NOW, 40);
        assertEquals(39, line.length());
        assertTrue(line.endsWith("..."), line);
        assertEquals("ascent  step 7  loss 1.5000  elapsed 0:02",
                ProgressLine.live(Records.record(RunState.RUNNING, 7, 0, 1.5, -1, 1), NOW, 120));
        assertEquals("ascent  starting  elapsed 0:02", ProgressLine.live(Records.record(RunState.RUNNING, 0, 0, Double.NaN, -1, 1), NOW, 120));
        assertEquals("ascent  queued  waiting 0:03", ProgressLine.live(Records.record(RunState.QUEUED, 0, 0, Double.NaN, -1, 0), NOW, 120));
    }

    @Test
    void plainLinesNameTheRun() {
        assertEquals("run 3fa9c1d2e4f5 running  step 40/200 (20%)  loss 1.2346  elapsed 0:02  eta 0:08",
                ProgressLine.plain(Records.record(RunState.RUNNING, 40, 200, 1.23456, 8_000, 1), NOW));
        assertEquals("run 3fa9c1d2e4f5 queued", ProgressLine.plain(Records.record(RunState.QUEUED, 0, 0, Double.NaN, -1, 0), NOW));
    }

    @Test
    void outcomesSayWhatHappenedToTheModel() {
        assertEquals("committed tiny:2 (run 3fa9c1d2e4f5, 200 steps, loss 3.2100, 10.0 s)",
                ProgressLine.outcome(Records.record(RunState.COMMITTED, 200, 200, 3.21, 0, 1), NOW));
        assertEquals("failed: diverged (run 3fa9c1d2e4f5, after 10.0 s; the base model is untouched)",
                ProgressLine.outcome(Records.record(RunState.FAILED, 3, 200, Double.NaN, -1, 1), NOW));
        assertEquals("cancelled: by a test (run 3fa9c1d2e4f5, after 10.0 s; nothing was committed)",
                ProgressLine.outcome(Records.record(RunState.CANCELLED, 3, 200, 1, -1, 1), NOW));
    }
}
