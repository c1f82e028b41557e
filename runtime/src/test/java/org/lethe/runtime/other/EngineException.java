package org.lethe.runtime.other;

/** An exception of a library's own, for the log tee's trace detection. */
public final class EngineException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public EngineException(String message, Throwable cause) {
        super(message, cause);
    }
}
