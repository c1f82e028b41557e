package org.lethe.api.eval;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.lethe.api.model.ModelRef;
import org.lethe.api.run.RunSpec;
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

    /**
     * The evaluation run a comparison makes for one model: every metric, the given probes, and the
     * world's evaluation splits for a forget split by {@link Roles role}.
     *
     * @param world the world, e.g. {@code facts}
     * @param split the forget split, e.g. {@code forget05}
     * @param model the model version to evaluate
     * @param probes the probes, by name ({@value ComparisonSpec#ALL_PROBES} for every installed one)
     * @param seed the seed of the probes' random choices
     * @return the spec, ready to submit
     * @throws org.lethe.api.LetheException (invalid input) when the world or split is unknown or the
     *     world has not been trained
     */
    RunSpec evaluation(String world, String split, ModelRef model, List<String> probes, long seed);

    /**
     * Writes a report as {@code report.json}, {@code report.md}, {@code report.csv} and
     * {@code report.html} (self-contained, opens offline) into a folder, each file atomically.
     *
     * @param report the report
     * @param folder the folder (created when missing)
     * @return the files written
     * @throws IOException when a file cannot be written
     */
    List<Path> write(Report report, Path folder) throws IOException;

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
