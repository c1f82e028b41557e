package org.lethe.shell.base;

import org.lethe.api.LetheException;

/**
 * An error a command reports: its message names the command ({@code unlearn:run: unknown method 'x'})
 * and its {@link #exitStatus()} is the process exit status of a one-shot run (DESIGN §5). The
 * interactive shell prints an exception with {@code toString()}, so that is the message alone,
 * without the class name.
 */
public final class CommandException extends LetheException {

    private static final long serialVersionUID = 1L;

    /**
     * @param exitStatus the exit status, one of {@link LetheException}'s constants
     * @param message the message, already naming the command
     * @param cause the underlying failure, or null
     */
    public CommandException(int exitStatus, String message, Throwable cause) {
        super(exitStatus, message, cause);
    }

    /**
     * A usage error (exit status 2): an unknown option, a missing argument, an option given twice.
     *
     * @param message what is wrong, e.g. {@code unknown option --modle (did you mean --model?)}
     * @return the exception, to be thrown
     */
    public static CommandException usage(String message) {
        return new CommandException(USAGE, message, null);
    }

    /**
     * Cancelled (exit status 130), e.g. by Ctrl-C.
     *
     * @param message what was cancelled
     * @return the exception, to be thrown
     */
    public static CommandException cancelled(String message) {
        return new CommandException(CANCELLED, message, null);
    }

    @Override
    public String toString() {
        return getMessage();
    }
}
