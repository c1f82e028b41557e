package org.lethe.api.run;

/**
 * Where a run is. A run ends in exactly one of {@link #COMMITTED}, {@link #FAILED} or
 * {@link #CANCELLED}; a second commit for the same run key is refused.
 */
public enum RunState {
    /** Accepted, waiting for the executor (gradient work runs one at a time per container). */
    QUEUED,
    /** Executing. After a crash, a run found in this state is recorded as FAILED(interrupted). */
    RUNNING,
    /** Finished; its new model version and results are committed. Terminal. */
    COMMITTED,
    /** Ended without a commit, for the reason recorded; the base model is untouched. Terminal. */
    FAILED,
    /** Cancelled by a user, a time-out or the withdrawal of its method; nothing committed. Terminal. */
    CANCELLED;

    /** @return whether no further transition can happen */
    public boolean isTerminal() {
        return this == COMMITTED || this == FAILED || this == CANCELLED;
    }
}
