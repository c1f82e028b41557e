package org.lethe.core.run;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.util.Pair;
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

        /** Keeps a note and logs it; this default, for sinks that keep nothing, only logs it. */
        default void note(String line) {
            log(org.lethe.api.run.RunContext.NOTE_PREFIX + line);
        }
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
    private volatile StepClock stepClock;

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
    public void note(String message) {
        sink.note(message);
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

    /**
     * The loop without DJL's {@code Trainer}: per step one memory scope, the gradients zeroed, the
     * objective evaluated under a gradient collector, one backward pass, then the optimiser's own
     * update ({@link Optimizer#update}, for Adam, AdamW and SGD one JNI call per parameter that
     * also zeroes its gradient) applied straight to every trainable parameter with its gradient.
     * What {@code Trainer.step()} adds and this leaves out: the parameter server's copy of every
     * gradient ({@code LocalParameterServer} duplicates it before the update), its stream and
     * wrapper objects, the parameter store's per-step map walk, and the metrics hooks. The
     * optimiser, its state keys (the parameters' ids) and its update are DJL's, so its semantics
     * (bias correction, ε, weight decay) are exactly what they were.
     */
    @Override
    public float[] optimise(Model model, Optimizer optimizer, int steps, Objective objective) {
        if (steps < 1) {
            throw LetheException.invalidInput("optimisation needs ≥ 1 step, not " + steps);
        }
        Objects.requireNonNull(optimizer, "optimizer");
        Objects.requireNonNull(objective, "objective");
        TrainableParameters parameters = TrainableParameters.of(model);
        Engine engine = model.getNDManager().getEngine();
        StepClock clock = stepClock;
        float[] losses = new float[steps];
        for (int step = 0; step < steps; step++) {
            checkCancelled();
            float value;
            try (NDManager scope = manager.newSubManager()) {
                // zero at the start of every step, whatever ran before (a caller's backward pass,
                // an optimiser that does not zero after its update)
                parameters.zeroGradients();
                enter(clock, StepClock.Phase.OBJECTIVE);
                try (GradientCollector collector = engine.newGradientCollector()) {
                    NDArray loss = objective.loss(step, scope);
                    if (loss.getShape().size() != 1) {
                        throw LetheException.failed("the objective returned an array of shape " + loss.getShape()
                                + " at step " + step + ", not a scalar", null);
                    }
                    value = loss.getFloat();
                    if (!Float.isFinite(value)) {
                        throw LetheException.failed("diverged: the loss is " + value + " at step " + step, null);
                    }
                    enter(clock, StepClock.Phase.BACKWARD);
                    collector.backward(loss);
                }
                enter(clock, StepClock.Phase.OPTIMISER);
                parameters.update(optimizer);
                enter(clock, StepClock.Phase.LOOP);
            }
            losses[step] = value;
            progress(step + 1, steps, value);
        }
        enter(clock, null);
        return losses;
    }

    /**
     * Sets what hears the phases of each optimisation step (a benchmark's per-phase timer); null,
     * the default, for none.
     */
    void stepClock(StepClock clock) {
        this.stepClock = clock;
    }

    private static void enter(StepClock clock, StepClock.Phase phase) {
        if (clock != null) {
            clock.enter(phase);
        }
    }

    /** Hears where an optimisation step is: for profiling, never for behaviour. */
    interface StepClock {

        /** The phases of a step, in order. */
        enum Phase {
            /** The objective: its data, the forward pass and the loss. */
            OBJECTIVE,
            /** The backward pass. */
            BACKWARD,
            /** The optimiser's update of every trainable parameter. */
            OPTIMISER,
            /** Closing the step's scope, progress and cancellation checks. */
            LOOP
        }

        /**
         * @param phase the phase the step enters now, or null when the loop has ended
         */
        void enter(Phase phase);
    }

    /**
     * The model's trainable parameters, listed once per {@link #optimise} call: those whose
     * {@code Parameter.requiresGradient()} is set (frozen ones are left alone, as DJL's trainer
     * leaves them), with the ids DJL's trainer keys optimiser state by.
     */
    private static final class TrainableParameters {
        private final String[] ids;
        private final NDArray[] arrays;
        private final PtNDArray[] torchArrays;

        private TrainableParameters(List<String> ids, List<NDArray> arrays) {
            this.ids = ids.toArray(String[]::new);
            this.arrays = arrays.toArray(NDArray[]::new);
            this.torchArrays = new PtNDArray[this.arrays.length];
            for (int i = 0; i < this.arrays.length; i++) {
                if (this.arrays[i] instanceof PtNDArray pt) {
                    torchArrays[i] = pt;
                }
            }
        }

        static TrainableParameters of(Model model) {
            List<String> ids = new ArrayList<>();
            List<NDArray> arrays = new ArrayList<>();
            for (Pair<String, Parameter> pair : model.getBlock().getParameters()) {
                Parameter parameter = pair.getValue();
                if (!parameter.requiresGradient()) {
                    continue;
                }
                NDArray array = parameter.getArray();
                if (!array.hasGradient()) {
                    array.setRequiresGradient(true);
                }
                ids.add(parameter.getId());
                arrays.add(array);
            }
            if (arrays.isEmpty()) {
                throw LetheException.invalidInput("the model has no trainable parameters");
            }
            return new TrainableParameters(ids, arrays);
        }

        /** Zeroes every gradient in place (no wrapper array is made for the PyTorch engine's arrays). */
        void zeroGradients() {
            for (int i = 0; i < arrays.length; i++) {
                if (torchArrays[i] != null) {
                    JniUtils.zeroGrad(torchArrays[i]);
                } else {
                    try (NDArray gradient = arrays[i].getGradient()) {
                        gradient.muli(0);
                    }
                }
            }
        }

        /** The optimiser's update of each parameter with its gradient; the gradient wrappers are closed at once. */
        void update(Optimizer optimizer) {
            for (int i = 0; i < arrays.length; i++) {
                try (NDArray gradient = arrays[i].getGradient()) {
                    optimizer.update(ids[i], arrays[i], gradient);
                }
            }
        }
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
