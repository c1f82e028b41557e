package org.lethe.api.run;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.optimizer.Optimizer;
import java.time.Clock;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import org.lethe.api.LetheException;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The framework's side of a run, handed to a method or world: the optimisation loop, seeded
 * randomness and batching, progress, cancellation, a scratch memory scope, a clock and a log.
 */
@ProviderType
public interface RunContext {

    /** @return the run's key */
    RunKey key();

    /** @return the run's seed; the engine and {@link #random()} are seeded with it before the method starts */
    long seed();

    /** @return a random source seeded from {@link #seed()}, private to this run */
    Random random();

    /**
     * @return a memory scope closed when the run ends: arrays created on it need no closing, and
     *     none survives the run
     */
    NDManager manager();

    /** @return the clock the run is timed with */
    Clock clock();

    /** @return whether the run was cancelled (by a user, its time budget, or its method going away) */
    boolean isCancelled();

    /**
     * Returns normally unless the run was cancelled; long work calls this between steps.
     *
     * @throws CancellationException when cancelled, with the reason
     */
    void checkCancelled();

    /**
     * Reports progress: shown by {@code unlearn:watch}, recorded in the run's record.
     *
     * @param step steps done, ≥ 0
     * @param totalSteps steps planned, ≥ step, or 0 when unknown
     * @param loss the latest loss (lower is better for the objective being minimised), or NaN
     */
    void progress(long step, long totalSteps, double loss);

    /**
     * Writes a line to the run's log (kept with its record).
     *
     * @param message the line
     */
    void log(String message);

    /**
     * Records a remark about the run that its reader must see beside the result, not only in the
     * log: a regularised closed-form system, a setting clipped to what the model allows. The
     * comparison report lists each under its row ({@link RunService#notes}); the line also goes to
     * the run log. This default only logs it, prefixed by {@value #NOTE_PREFIX}.
     *
     * @param message one line
     * @since 1.2
     */
    default void note(String message) {
        log(NOTE_PREFIX + message);
    }

    /** How a note's line begins in the run log: {@value}. @since 1.2 */
    String NOTE_PREFIX = "note: ";

    /**
     * Endless seeded batches over items: each epoch is a fresh shuffle from {@link #random()}, and
     * every batch but the last of an epoch has {@code batchSize} items.
     *
     * @param <T> the item type
     * @param items the items, at least one
     * @param batchSize items per batch, ≥ 1
     * @return the batches
     */
    <T> Batches<T> batches(List<T> items, int batchSize);

    /**
     * The framework-owned optimisation loop: {@code steps} times, in a fresh memory scope, evaluate
     * {@code objective} with gradients recorded, back-propagate, apply {@code optimizer} to the
     * model's trainable parameters, report progress and check cancellation. A loss that is not
     * finite fails the run as diverged. Gradient work is serialised per container, since DJL's
     * gradient collector is JVM-global; the run already holds that right while its method runs.
     *
     * @param model the model whose parameters are optimised (frozen parameters are left alone)
     * @param optimizer the optimiser; its state (e.g. Adam's moments and step count) lives in the
     *     optimiser object, so passing the same one to consecutive calls continues one optimisation,
     *     and a new one starts afresh
     * @param steps number of steps, ≥ 1
     * @param objective the scalar loss to minimise at a step
     * @return the loss of every step, in order
     * @throws LetheException (run failed) when the loss diverges
     * @throws CancellationException when the run is cancelled between steps
     */
    float[] optimise(Model model, Optimizer optimizer, int steps, Objective objective);

    /** A scalar loss to minimise, evaluated once per optimisation step. */
    @FunctionalInterface
    interface Objective {

        /**
         * @param step the step index, from 0
         * @param scope a memory scope closed after the step; create the step's arrays on it
         * @return a scalar loss whose gradient is taken; lower is better
         */
        NDArray loss(int step, NDManager scope);
    }

    /**
     * Seeded batches, endless.
     *
     * @param <T> the item type
     */
    interface Batches<T> {

        /** @return the next batch, never empty */
        List<T> next();
    }
}
