package org.lethe.runtime;

/** Process exit statuses of {@code bin/lethe} (DESIGN §5). */
public final class ExitStatus {

    /** Success. */
    public static final int OK = 0;

    /** Usage error: unknown command or option, missing argument. */
    public static final int USAGE = 2;

    /** Invalid input: a file, a value or a name that does not exist; nothing was changed. */
    public static final int INVALID_INPUT = 3;

    /** The run failed (diverged, threw, timed out); the base model is untouched. */
    public static final int FAILED = 4;

    /** Cancelled (Ctrl-C, SIGINT or SIGTERM during a one-shot command). */
    public static final int CANCELLED = 130;

    private ExitStatus() {
    }
}
