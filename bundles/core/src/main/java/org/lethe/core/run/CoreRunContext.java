package org.lethe.core.run;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.CancellationException;
import org.lethe.api.LetheException;
import org.lethe.api.run.RunContext;
import org.lethe.api.run.RunKey;
import org.lethe.api.run.RunRecord;

/** The framework's side of one run: loop, seeding, batching, progress, cancellation. */
final class CoreRunContext implements RunContext {

    /** What progress reporting and logging go to. */
    interface Sink {
        void progress(RunRecord.Progress progress);

        void log(String line);
    }

    private final RunKey key;
    private final long seed;
    private final Random random;
    private final NDManager manager;
    private final Clock clock;
    private final Sink sink;
    private String cancelReason;
    private boolean committing;
    private final long startNanos = System.nanoTime();

    CoreRunContext(RunKey key, long seed, NDManager manager, Clock clock, Sink sink) {
        this.key = key;
        this.seed = seed;
        this.random = new Random(seed);
        this.manager = manager;
        this.clock = clock;
        this.sink = sink;
    }

    @Override
    public RunKey key() {
        return key;
    }

    @Override
    public long seed() {
        return seed;
    }

    @Override
    public Random random() {
        return random;
    }

    @Override
    public NDManager manager() {
        return manager;
    }

    @Override
    public Clock clock() {
        return clock;
    }

    /**
     * Asks the run to stop at its next check.
     *
     * @return false when the run is already committing: too late, it will end COMMITTED
     */
    synchronized boolean cancel(String reason) {
        if (committing) {
            return false;
        }
        if (cancelReason == null) {
            cancelReason = Objects.requireNonNull(reason);
        }
        return true;
    }

    /**
     * The point of no return: after this a cancel is refused, so an accepted cancel always means
     * nothing was committed.
     *
     * @throws CancellationException when a cancel came first
     */
    synchronized void beginCommit() {
        checkCancelled();
        committing = true;
    }

    /** @return why the run was cancelled, or null */
    synchronized String cancelReason() {
        return cancelReason;
    }

    @Override
    public synchronized boolean isCancelled() {
        return cancelReason != null || Thread.currentThread().isInterrupted();
    }

    @Override
    public void checkCancelled() {
        if (isCancelled()) {
            throw new CancellationException(cancelReason == null ? "interrupted" : cancelReason);
        }
    }

    @Override
    public void progress(long step, long totalSteps, double loss) {
        if (step < 0 || totalSteps < 0 || totalSteps > 0 && step > totalSteps) {
            throw new IllegalArgumentException("progress " + step + "/" + totalSteps);
        }
        long elapsed = (System.nanoTime() - startNanos) / 1_000_000;
        long eta = step > 0 && totalSteps > 0 ? elapsed * (totalSteps - step) / step : -1;
        sink.progress(new RunRecord.Progress(step, totalSteps, loss, eta));
    }

    @Override
    public void log(String message) {
        sink.log(message);
    }

    @Override
    public <T> Batches<T> batches(List<T> items, int batchSize) {
        if (items.isEmpty()) {
            throw LetheException.invalidInput("cannot batch an empty data set");
        }
        if (batchSize < 1) {
            throw LetheException.invalidInput("batch size must be ≥ 1, not " + batchSize);
        }
        return new ShuffledBatches<>(items, batchSize, random);
    }

    @Override
    public float[] optimise(Model model, Optimizer optimizer, int steps, Objective objective) {
        if (steps < 1) {
            throw LetheException.invalidInput("optimisation needs ≥ 1 step, not " + steps);
        }
        float[] losses = new float[steps];
        DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.l2Loss()).optOptimizer(optimizer);
        try (Trainer trainer = model.newTrainer(config)) {
            for (int step = 0; step < steps; step++) {
                checkCancelled();
                try (NDManager scope = manager.newSubManager()) {
                    float value;
                    try (GradientCollector collector = trainer.newGradientCollector()) {
                        NDArray loss = objective.loss(step, scope);
                        if (loss.getShape().size() != 1) {
                            throw LetheException.failed("the objective returned an array of shape " + loss.getShape()
                                    + " at step " + step + ", not a scalar", null);
                        }
                        value = loss.getFloat();
                        if (!Float.isFinite(value)) {
                            throw LetheException.failed("diverged: the loss is " + value + " at step " + step, null);
                        }
                        collector.backward(loss);
                    }
                    trainer.step();
                    losses[step] = value;
                    progress(step + 1, steps, value);
                }
            }
        }
        return losses;
    }

    /** Endless batches: a fresh seeded shuffle every epoch. */
    private static final class ShuffledBatches<T> implements Batches<T> {
        private final List<T> items;
        private final int batchSize;
        private final Random random;
        private final List<T> order = new ArrayList<>();
        private int next;

        ShuffledBatches(List<T> items, int batchSize, Random random) {
            this.items = List.copyOf(items);
            this.batchSize = batchSize;
            this.random = random;
        }

        @Override
        public List<T> next() {
            if (next >= order.size()) {
                order.clear();
                order.addAll(items);
                Collections.shuffle(order, random);
                next = 0;
            }
            int end = Math.min(order.size(), next + batchSize);
            List<T> batch = List.copyOf(order.subList(next, end));
            next = end;
            return batch;
        }
    }

    /** Cumulative wall-clock milliseconds since the context was made. */
    long elapsedMillis() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
