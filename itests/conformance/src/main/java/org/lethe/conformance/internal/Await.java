package org.lethe.conformance.internal;

import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Polls for a condition until a generous deadline. A verdict never depends on how fast the
 * container is: a slow machine only makes the wait longer, and a time-out reports the last value seen.
 */
public final class Await {

    /** Deadline for anything the container does on its own (register, configure, describe). */
    public static final Duration DEADLINE = Duration.ofSeconds(30);

    private static final long POLL_MILLIS = 50;

    private Await() {
    }

    /**
     * @param <T> the value's type
     * @param what what is awaited, for the failure message
     * @param probe reads the current value (may return null; a RuntimeException counts as "not yet")
     * @param done whether the value is the awaited one
     * @return the first value that satisfies {@code done}
     * @throws AssertionError naming {@code what} and the last value seen, when the deadline passes
     */
    public static <T> T until(String what, Supplier<T> probe, Predicate<? super T> done) {
        return until(what, DEADLINE, probe, done);
    }

    /**
     * @param <T> the value's type
     * @param what what is awaited, for the failure message
     * @param timeout how long to wait
     * @param probe reads the current value (may return null; a RuntimeException counts as "not yet")
     * @param done whether the value is the awaited one
     * @return the first value that satisfies {@code done}
     * @throws AssertionError naming {@code what} and the last value seen, when the deadline passes
     */
    public static <T> T until(String what, Duration timeout, Supplier<T> probe, Predicate<? super T> done) {
        long deadline = System.nanoTime() + timeout.toNanos();
        T last = null;
        RuntimeException lastError = null;
        while (true) {
            try {
                last = probe.get();
                lastError = null;
                if (done.test(last)) {
                    return last;
                }
            } catch (RuntimeException e) {
                lastError = e;
            }
            if (System.nanoTime() - deadline > 0) {
                AssertionError error = new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for "
                        + what + "; last seen: " + (lastError != null ? lastError : last));
                if (lastError != null) {
                    error.initCause(lastError);
                }
                throw error;
            }
            pause(POLL_MILLIS);
        }
    }

    /**
     * Sleeps, turning an interrupt into a test failure.
     *
     * @param millis how long
     */
    public static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
