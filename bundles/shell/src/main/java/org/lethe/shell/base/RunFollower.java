package org.lethe.shell.base;

import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.lethe.api.run.RunKey;
import org.lethe.api.run.RunRecord;
import org.lethe.api.run.RunService;
import org.lethe.api.run.RunState;

/**
 * Follows a run to its end on the command's own thread, through {@link RunService#watch}: a live line
 * redrawn in place on a terminal, plain lines now and then elsewhere (on every change of state and
 * every {@link #plainEvery}), or nothing when quiet; the caller shows the outcome. The watch listener only hands the
 * latest record over; all printing happens on the command thread, whose output Gogo routes to the
 * session, and whose interruption (Ctrl-C in the interactive shell) ends the wait with
 * {@link InterruptedException}.
 */
public final class RunFollower {

    /** How progress is shown. */
    public enum Mode {
        /** A live line on a terminal, redrawn in place. */
        LIVE,
        /** Plain lines: on every change of state and every {@link RunFollower#plainEvery}. */
        PLAIN,
        /** Nothing: the caller shows only the outcome. */
        QUIET
    }

    /** How often the live line is redrawn at most (and the record polled, in case a change was missed). */
    static final Duration REDRAW = Duration.ofMillis(200);

    private final RunService runs;
    private final PrintStream out;
    private final Mode mode;
    private final int width;
    private final Clock clock;
    private final Duration plainEvery;
    private boolean drawn;

    /**
     * @param runs the run service
     * @param out where progress goes
     * @param mode how it is shown
     * @param width the terminal's width (live mode)
     * @param clock the clock elapsed time is measured with
     * @param plainEvery how often a plain line is printed while nothing else changes
     */
    public RunFollower(RunService runs, PrintStream out, Mode mode, int width, Clock clock, Duration plainEvery) {
        this.runs = runs;
        this.out = out;
        this.mode = mode;
        this.width = width;
        this.clock = clock;
        this.plainEvery = plainEvery;
    }

    /**
     * The mode for a command: quiet when asked, live on a terminal, plain otherwise.
     *
     * @param call the invocation
     * @param quiet whether {@code --quiet} was given
     * @return the mode
     */
    public static Mode modeFor(Invocation call, boolean quiet) {
        return quiet ? Mode.QUIET : call.terminal() ? Mode.LIVE : Mode.PLAIN;
    }

    /**
     * Shows the run until it ends.
     *
     * @param key the run
     * @return its terminal record
     * @throws InterruptedException when the command thread is interrupted (Ctrl-C); the live line is
     *     ended with a line break first, and the run goes on: cancelling it is the caller's decision
     */
    public RunRecord follow(RunKey key) throws InterruptedException {
        return follow(key, () -> false);
    }

    /**
     * Shows the run until it ends, or until {@code stop} says so.
     *
     * @param key the run
     * @param stop asked between redraws: true ends the following early (the run goes on)
     * @return its terminal record, or its latest one when stopped early
     * @throws InterruptedException when the command thread is interrupted (Ctrl-C); the live line is
     *     ended with a line break first, and the run goes on: cancelling it is the caller's decision
     */
    public RunRecord follow(RunKey key, java.util.function.BooleanSupplier stop) throws InterruptedException {
        AtomicReference<RunRecord> latest = new AtomicReference<>();
        BlockingQueue<Boolean> changed = new ArrayBlockingQueue<>(1);
        AutoCloseable handle = runs.watch(key, record -> {
            latest.accumulateAndGet(record, RunFollower::later);
            changed.offer(Boolean.TRUE);
        });
        try {
            RunState shown = null;
            Instant lastPlain = Instant.MIN;
            while (true) {
                changed.poll(REDRAW.toMillis(), TimeUnit.MILLISECONDS);
                runs.record(key).ifPresent(r -> latest.accumulateAndGet(r, RunFollower::later));
                RunRecord record = latest.get();
                Instant now = clock.instant();
                if (record == null) {
                    continue;
                }
                if (record.state().isTerminal() || stop.getAsBoolean()) {
                    endLine();
                    out.flush();
                    return record;
                }
                switch (mode) {
                    case LIVE -> {
                        out.print("\r" + ProgressLine.live(record, now, width) + "\u001b[K");
                        drawn = true;
                    }
                    case PLAIN -> {
                        if (record.state() != shown || Duration.between(lastPlain, now).compareTo(plainEvery) >= 0) {
                            out.println(ProgressLine.plain(record, now));
                            lastPlain = now;
                        }
                    }
                    case QUIET -> {
                        // the outcome only
                    }
                }
                shown = record.state();
                out.flush();
            }
        } catch (InterruptedException e) {
            endLine();
            out.flush();
            throw e;
        } finally {
            try {
                handle.close();
            } catch (Exception e) {
                // a watch that cannot be closed ends with its run anyway
            }
        }
    }

    /** Ends the live line, keeping what it showed last. */
    private void endLine() {
        if (drawn) {
            out.println();
            drawn = false;
        }
    }

    /**
     * The more advanced of two records of the same run: a later attempt, a later state, more steps.
     * A run that optimises several models one after another (a world's training: its classifier, then
     * its generator) restarts its step count with each; a record of another total is a new phase, so
     * the one that arrived last ({@code b}) wins.
     */
    static RunRecord later(RunRecord a, RunRecord b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        if (a.attempt() != b.attempt()) {
            return a.attempt() > b.attempt() ? a : b;
        }
        int rankA = rank(a.state());
        int rankB = rank(b.state());
        if (rankA != rankB) {
            return rankA > rankB ? a : b;
        }
        if (a.progress().totalSteps() != b.progress().totalSteps()) {
            return b;
        }
        return a.progress().step() > b.progress().step() ? a : b;
    }

    private static int rank(RunState state) {
        return switch (state) {
            case QUEUED -> 0;
            case RUNNING -> 1;
            default -> 2;
        };
    }
}
