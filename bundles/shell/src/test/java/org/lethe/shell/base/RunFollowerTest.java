package org.lethe.shell.base;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.lethe.api.run.RunRecord;
import org.lethe.api.run.RunService;
import org.lethe.api.run.RunState;
import org.lethe.shell.testing.Fakes;
import org.lethe.shell.testing.Records;

class RunFollowerTest {

    /** A run service whose one run moves through the given records, one every few milliseconds. */
    private static RunService moving(List<RunRecord> steps) {
        AtomicReference<RunRecord> current = new AtomicReference<>(steps.get(0));
        List<Consumer<RunRecord>> watchers = new CopyOnWriteArrayList<>();
        Thread runner = new Thread(() -> {
            for (RunRecord r : steps.subList(1, steps.size())) {
                try {
                    Thread.sleep(30);
                } catch (InterruptedException e) {
                    return;
                }
                current.set(r);
                watchers.forEach(w -> w.accept(r));
            }
        });
        runner.setDaemon(true);
        return Fakes.of(RunService.class)
                .on("watch", a -> {
                    @SuppressWarnings("unchecked")
                    Consumer<RunRecord> w = (Consumer<RunRecord>) a[1];
                    watchers.add(w);
                    w.accept(current.get());
                    if (!runner.isAlive() && runner.getState() == Thread.State.NEW) {
                        runner.start();
                    }
                    return (AutoCloseable) () -> watchers.remove(w);
                })
                .on("record", a -> Optional.of(current.get()))
                .build();
    }

    private static final List<RunRecord> LIFE = List.of(
            Records.record(RunState.QUEUED, 0, 0, Double.NaN, -1, 0),
            Records.record(RunState.RUNNING, 0, 200, Double.NaN, -1, 1),
            Records.record(RunState.RUNNING, 100, 200, 2.0, 1_000, 1),
            Records.record(RunState.COMMITTED, 200, 200, 3.0, 0, 1));

    private static String follow(RunFollower.Mode mode, ByteArrayOutputStream bytes) throws InterruptedException {
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        RunRecord end = new RunFollower(moving(LIFE), out, mode, 100, Clock.fixed(Records.T0.plusSeconds(2), ZoneOffset.UTC),
                Duration.ofHours(1)).follow(Records.KEY);
        assertEquals(RunState.COMMITTED, end.state());
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void plainModePrintsALineOnEveryChangeOfStateAndNoEscapes() throws InterruptedException {
        String out = follow(RunFollower.Mode.PLAIN, new ByteArrayOutputStream());
        assertEquals("run 3fa9c1d2e4f5 queued\nrun 3fa9c1d2e4f5 running  step 0/200 (0%)  elapsed 0:01\n", out);
    }

    @Test
    void liveModeRedrawsOneLineInPlaceAndEndsIt() throws InterruptedException {
        String out = follow(RunFollower.Mode.LIVE, new ByteArrayOutputStream());
        assertTrue(out.startsWith("\rascent  queued"), out);
        assertTrue(out.contains("\u001b[K"), out);
        assertTrue(out.endsWith("\n"), out);
        assertEquals(1, out.chars().filter(c -> c == '\n').count(), "one line, redrawn: " + out);
    }

    @Test
    void quietModePrintsNothing() throws InterruptedException {
        assertEquals("", follow(RunFollower.Mode.QUIET, new ByteArrayOutputStream()));
    }

    @Test
    void interruptionEndsTheWaitAndStopEndsItEarly() throws Exception {
        RunService stuck = moving(List.of(Records.record(RunState.RUNNING, 1, 200, 1.0, 1_000, 1)));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        RunFollower follower = new RunFollower(stuck, new PrintStream(bytes, true, StandardCharsets.UTF_8),
                RunFollower.Mode.LIVE, 100, Clock.systemUTC(), Duration.ofSeconds(2));
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, () -> follower.follow(Records.KEY));
        assertTrue(bytes.toString(StandardCharsets.UTF_8).isEmpty() || bytes.toString(StandardCharsets.UTF_8).endsWith("\n"));
        RunRecord last = follower.follow(Records.KEY, () -> true);
        assertEquals(RunState.RUNNING, last.state());
    }

    @Test
    void theLaterRecordWins() {
        RunRecord queued = Records.record(RunState.QUEUED, 0, 0, Double.NaN, -1, 1);
        RunRecord running = Records.record(RunState.RUNNING, 5, 10, 1, 1, 2);
        RunRecord further = Records.record(RunState.RUNNING, 6, 10, 1, 1, 2);
        RunRecord done = Records.record(RunState.COMMITTED, 10, 10, 1, 0, 2);
        assertEquals(running, RunFollower.later(queued, running));
        assertEquals(running, RunFollower.later(running, queued));
        assertEquals(further, RunFollower.later(further, running));
        assertEquals(done, RunFollower.later(done, further));
        assertFalse(RunFollower.later(null, queued) == null);
        // a second optimisation of the same run (a world's generator after its classifier) restarts its count
        RunRecord classifierDone = Records.record(RunState.RUNNING, 1740, 1740, 0.01, 0, 2);
        RunRecord generatorStarted = Records.record(RunState.RUNNING, 3, 5000, 0.5, 600_000, 2);
        assertEquals(generatorStarted, RunFollower.later(classifierDone, generatorStarted));
    }
}
