package org.lethe.api.eval;

import org.osgi.annotation.versioning.ConsumerType;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Runs a {@link ComparisonSpec comparison}: trains the world when it has not been trained, submits
 * every method run and every evaluation run to the run service (so they queue one at a time with all
 * other gradient work), and assembles the {@link Report}. A method that fails or diverges in one seed
 * leaves that cell failed with its reason; everything else is still measured. A cancelled comparison
 * returns what finished, marked partial.
 */
@ProviderType
public interface ComparisonService {

    /**
     * @param spec what to compare
     * @param listener progress and cancellation
     * @return the report (partial when cancelled)
     * @throws org.lethe.api.LetheException (invalid input) when the spec names what does not exist,
     *     before anything runs
     * @throws InterruptedException when the calling thread is interrupted (what runs is cancelled)
     */
    Report compare(ComparisonSpec spec, Listener listener) throws InterruptedException;

    /** Follows a comparison. */
    @ConsumerType
    interface Listener {

        /**
         * A step of the comparison began.
         *
         * @param done how many steps have finished
         * @param total how many steps there are
         * @param what the step, e.g. {@code flat seed 1: unlearning}
         */
        void step(int done, int total, String what);

        /** @return whether the comparison should stop (what finished is kept and reported as partial) */
        default boolean cancelled() {
            return false;
        }
    }
}
