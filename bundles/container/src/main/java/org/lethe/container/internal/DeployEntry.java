package org.lethe.container.internal;

import java.nio.file.Path;

/**
 * What became of one file in the deploy folder.
 *
 * @param file the file
 * @param state whether it is live, still being written, or a problem
 * @param detail one sentence: what it is, or why it is not live
 */
record DeployEntry(Path file, State state, String detail) {

    /** The fate of a deploy-folder file. */
    enum State {
        /** Installed and active (a bundle) or applied (a configuration). */
        LIVE,
        /** Written too recently to judge; FileInstall skips incomplete jars until they are whole. */
        SETTLING,
        /** Not live, for the reason given; logged once and shown by the health check. */
        PROBLEM
    }

    @Override
    public String toString() {
        return file.getFileName() + ": " + detail;
    }
}
