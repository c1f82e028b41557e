package org.lethe.runtime;

/** A launcher failure that ends the process with a given exit status and a one-line message. */
public final class LauncherException extends Exception {

    private static final long serialVersionUID = 1L;

    private final int exitStatus;

    /**
     * @param exitStatus one of {@link ExitStatus}
     * @param message what went wrong and what to do about it
     */
    public LauncherException(int exitStatus, String message) {
        super(message);
        this.exitStatus = exitStatus;
    }

    /** @return the process exit status this failure maps to */
    public int exitStatus() {
        return exitStatus;
    }
}
