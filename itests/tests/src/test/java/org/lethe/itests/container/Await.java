package org.lethe.itests.container;

import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Polls for a condition until a generous deadline. A verdict never depends on how fast the
 * container is: a slow machine only makes the wait longer, and a timeout reports the last value seen.
 */
final class Await {

    /** Deadline for anything the container does on its own (deploy, configure, report). */
    static final Duration DEADLINE = Duration.ofSeconds(30);

    private static final long POLL_MILLIS = 100;

    private Await() {
    }

    /**
     * @param what what is awaited, for the failure message
     * @param probe reads the current value (may return null)
     * @param done whether the value is the awaited one
     * @return the first value that satisfies {@code done}
     * @throws AssertionError with the last value seen when the deadline passes
     */
    static <T> T until(String what, Supplier<T> probe, Predicate<? super T> done) {
        return until(what, DEADLINE, probe, done);
    }

    static <T> T until(String what, Duration timeout, Supplier<T> probe, Predicate<? super T> done) {
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
                lastError = e; // e.g. a service that went away between lookup and call: try again
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

    /** Waits until the condition holds. */
    static void until(String what, Supplier<Boolean> condition) {
        until(what, condition, Boolean.TRUE::equals);
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
