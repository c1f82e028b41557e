package org.lethe.api;

/**
 * A failure a user can act on, with the process exit status it maps to in the shell's one-shot mode
 * (DESIGN §5): 2 usage, 3 invalid input (nothing was changed), 4 the run failed, 130 cancelled.
 * The launcher reads {@link #exitStatus()} by name, so every Lethe exception gives its own status.
 */
public class LetheException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Exit status: usage error (unknown command or option, missing argument). */
    public static final int USAGE = 2;

    /** Exit status: invalid input (a file, a value or a name that does not exist); nothing was changed. */
    public static final int INVALID_INPUT = 3;

    /** Exit status: the run failed (diverged, threw, timed out); the base model is untouched. */
    public static final int FAILED = 4;

    /** Exit status: cancelled. */
    public static final int CANCELLED = 130;

    private final int exitStatus;

    /**
     * @param exitStatus one of {@link #USAGE}, {@link #INVALID_INPUT}, {@link #FAILED}, {@link #CANCELLED}
     * @param message what went wrong, naming the file, line, field or key concerned
     * @param cause the underlying failure, or null
     */
    public LetheException(int exitStatus, String message, Throwable cause) {
        super(message, cause);
        this.exitStatus = exitStatus;
    }

    /** @return the process exit status this failure maps to */
    public int exitStatus() {
        return exitStatus;
    }

    /**
     * Invalid input: refused before anything was touched.
     *
     * @param message names the offending file, line, field, key or name
     * @return the exception, to be thrown
     */
    public static LetheException invalidInput(String message) {
        return new LetheException(INVALID_INPUT, message, null);
    }

    /**
     * A failed run: the base model is untouched.
     *
     * @param message why it failed
     * @param cause the underlying failure, or null
     * @return the exception, to be thrown
     */
    public static LetheException failed(String message, Throwable cause) {
        return new LetheException(FAILED, message, cause);
    }
}
