package org.lethe.runtime.other;

/** Exceptions as a command bundle would declare them: outside the launcher's package. */
public final class Exceptions {

    private Exceptions() {
    }

    /** A public exception that extends IllegalArgumentException but names its own status. */
    public static final class PublicIllegalArgument extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final int status;

        public PublicIllegalArgument(int status) {
            this.status = status;
        }

        public int exitStatus() {
            return status;
        }
    }

    /** A package-private exception class with a public exitStatus(). */
    static final class Hidden extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int status;

        Hidden(int status) {
            this.status = status;
        }

        public int exitStatus() {
            return status;
        }
    }

    public static RuntimeException hidden(int status) {
        return new Hidden(status);
    }
}
