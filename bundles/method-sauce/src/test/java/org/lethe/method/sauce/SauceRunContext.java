package org.lethe.method.sauce;

import ai.djl.Model;
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
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import org.lethe.api.LetheException;
import org.lethe.api.run.RunContext;
import org.lethe.api.run.RunKey;

/**
 * Test scaffolding: a run context whose loop does what core's Trainer-free loop does
 * ({@code CoreRunContext.optimise}, package-private there) and batches as core draws them: the model's trainable parameters
 * (those not frozen) listed once per call; per step, in a fresh memory scope, their gradients
 * zeroed, the objective under a gradient collector, a scalar and finite loss checked, backward, and
 * the optimiser's update of each trainable parameter with its gradient. No DJL trainer is made
 * ({@code Model.newTrainer} would unfreeze every parameter). It records the losses and log lines.
 */
final class SauceRunContext implements RunContext, AutoCloseable {

    private final long seed;
    private final Random random;
    private final NDManager manager;
    final List<String> log = new ArrayList<>();
    final List<float[]> losses = new ArrayList<>();
    int optimiseCalls;

    /**
     * @param seed the run's seed
     * @param manager the manager the run's memory is made under
     */
    SauceRunContext(long seed, NDManager manager) {
        this.seed = seed;
        this.random = new Random(seed);
        this.manager = manager.newSubManager();
    }

    @Override
    public RunKey key() {
        return new RunKey(String.format("%016x", seed));
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
        return Clock.systemUTC();
    }

    @Override
    public boolean isCancelled() {
        return false;
    }

    @Override
    public void checkCancelled() {
        if (isCancelled()) {
            throw new CancellationException("cancelled");
        }
    }

    @Override
    public void progress(long step, long totalSteps, double loss) {
    }

    @Override
    public void log(String message) {
        log.add(message);
    }

    @Override
    public <T> Batches<T> batches(List<T> items, int batchSize) {
        return new Shuffled<>(items, batchSize, random);
    }

    @Override
    public float[] optimise(Model model, Optimizer optimizer, int steps, Objective objective) {
        optimiseCalls++;
        List<Parameter> trainable = new ArrayList<>();
        for (Pair<String, Parameter> pair : model.getBlock().getParameters()) {
            if (pair.getValue().requiresGradient()) {
                trainable.add(pair.getValue());
                if (!pair.getValue().getArray().hasGradient()) {
                    pair.getValue().getArray().setRequiresGradient(true);
                }
            }
        }
        if (trainable.isEmpty()) {
            throw LetheException.invalidInput("the model has no trainable parameters");
        }
        float[] out = new float[steps];
        for (int step = 0; step < steps; step++) {
            checkCancelled();
            try (NDManager scope = manager.newSubManager()) {
                for (Parameter p : trainable) {
                    JniUtils.zeroGrad((PtNDArray) p.getArray());
                }
                try (GradientCollector collector = model.getNDManager().getEngine().newGradientCollector()) {
                    NDArray loss = objective.loss(step, scope);
                    if (loss.getShape().size() != 1) {
                        throw LetheException.failed("not a scalar: " + loss.getShape(), null);
                    }
                    out[step] = loss.getFloat();
                    if (!Float.isFinite(out[step])) {
                        throw LetheException.failed("diverged: " + out[step], null);
                    }
                    collector.backward(loss);
                }
                for (Parameter p : trainable) {
                    try (NDArray gradient = p.getArray().getGradient()) {
                        optimizer.update(p.getId(), p.getArray(), gradient);
                    }
                }
            }
        }
        losses.add(out);
        return out;
    }

    @Override
    public void close() {
        manager.close();
    }

    /** Endless batches, a fresh seeded shuffle every epoch (as core's). */
    private static final class Shuffled<T> implements Batches<T> {
        private final List<T> items;
        private final int batchSize;
        private final Random random;
        private final List<T> order = new ArrayList<>();
        private int next;

        Shuffled(List<T> items, int batchSize, Random random) {
            this.items = List.copyOf(items);
            this.batchSize = batchSize;
            this.random = random;
        }

        @Override
        public List<T> next() {
            if (next >= order.size()) {
                order.clear();
                order.addAll(items);
                java.util.Collections.shuffle(order, random);
                next = 0;
            }
            int end = Math.min(order.size(), next + batchSize);
            List<T> batch = List.copyOf(order.subList(next, end));
            next = end;
            return batch;
        }
    }
}
