package org.lethe.evaluation.probes;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.util.Pair;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import org.lethe.api.LetheException;
import org.lethe.api.run.RunContext;
import org.lethe.api.run.RunKey;

/**
 * Test scaffolding: a run context whose loop does what core's does ({@code CoreRunContext}, which
 * is package-private there): a new DJL trainer per {@link #optimise} call over the given optimiser,
 * each step in its own memory scope under a fresh gradient collector (which zeroes the gradients),
 * a scalar and finite loss checked, backward, one optimiser step, progress reported, cancellation
 * checked before each step. It records progress, log lines and how many steps it ran.
 *
 * <p>{@link #trainerFree} makes one whose loop is core's own (no DJL trainer, which unfreezes every
 * parameter of the model it is made for): the gradients zeroed, one backward pass, the optimiser's
 * update applied to each parameter that requires a gradient; frozen parameters stay untouched.
 */
public final class TestRunContext implements RunContext, AutoCloseable {

    private final long seed;
    private final Random random;
    private final NDManager manager;
    final List<String> log = new ArrayList<>();
    final List<long[]> progress = new ArrayList<>();
    int optimiseCalls;
    int steps;
    volatile boolean cancelled;
    private boolean trainerFree;

    /**
     * @param seed the run's seed
     * @param manager the manager the run's scope is made under (the model's, in these tests)
     */
    TestRunContext(long seed, NDManager manager) {
        this.seed = seed;
        this.random = new Random(seed);
        this.manager = manager.newSubManager();
    }

    /**
     * @param seed the run's seed
     * @param manager the manager the run's scope is made under
     * @return a context whose loop updates only the parameters that require a gradient, as core's does
     */
    public static TestRunContext trainerFree(long seed, NDManager manager) {
        TestRunContext run = new TestRunContext(seed, manager);
        run.trainerFree = true;
        return run;
    }

    /** @return the log lines so far */
    public List<String> log() {
        return List.copyOf(log);
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
        return cancelled;
    }

    @Override
    public void checkCancelled() {
        if (cancelled) {
            throw new CancellationException("cancelled by the test");
        }
    }

    @Override
    public void progress(long step, long totalSteps, double loss) {
        if (step < 0 || totalSteps < 0 || totalSteps > 0 && step > totalSteps) {
            throw new IllegalArgumentException("progress " + step + "/" + totalSteps);
        }
        progress.add(new long[] {step, totalSteps});
    }

    @Override
    public void log(String message) {
        log.add(message);
    }

    @Override
    public <T> Batches<T> batches(List<T> items, int batchSize) {
        List<T> copy = List.copyOf(items);
        List<T> order = new ArrayList<>();
        int[] next = {0};
        return () -> {
            if (next[0] >= order.size()) {
                order.clear();
                order.addAll(copy);
                Collections.shuffle(order, random);
                next[0] = 0;
            }
            int end = Math.min(order.size(), next[0] + batchSize);
            List<T> batch = List.copyOf(order.subList(next[0], end));
            next[0] = end;
            return batch;
        };
    }

    @Override
    public float[] optimise(Model model, Optimizer optimizer, int count, Objective objective) {
        if (count < 1) {
            throw LetheException.invalidInput("optimisation needs ≥ 1 step, not " + count);
        }
        optimiseCalls++;
        if (trainerFree) {
            return optimiseWithoutTrainer(model, optimizer, count, objective);
        }
        float[] losses = new float[count];
        try (Trainer trainer = model.newTrainer(new DefaultTrainingConfig(Loss.l2Loss()).optOptimizer(optimizer))) {
            for (int step = 0; step < count; step++) {
                checkCancelled();
                try (NDManager scope = manager.newSubManager()) {
                    float value;
                    try (GradientCollector collector = trainer.newGradientCollector()) {
                        NDArray loss = objective.loss(step, scope);
                        if (loss.getShape().size() != 1) {
                            throw LetheException.failed("not a scalar: " + loss.getShape(), null);
                        }
                        value = loss.getFloat();
                        if (!Float.isFinite(value)) {
                            throw LetheException.failed("diverged: " + value, null);
                        }
                        collector.backward(loss);
                    }
                    trainer.step();
                    losses[step] = value;
                    steps++;
                    progress(step + 1, count, value);
                }
            }
        }
        return losses;
    }

    private float[] optimiseWithoutTrainer(Model model, Optimizer optimizer, int count, Objective objective) {
        List<Parameter> trained = new ArrayList<>();
        for (Pair<String, Parameter> pair : model.getBlock().getParameters()) {
            if (pair.getValue().requiresGradient()) {
                pair.getValue().getArray().setRequiresGradient(true);
                trained.add(pair.getValue());
            }
        }
        float[] losses = new float[count];
        for (int step = 0; step < count; step++) {
            checkCancelled();
            try (NDManager scope = manager.newSubManager()) {
                for (Parameter p : trained) {
                    try (NDArray gradient = p.getArray().getGradient()) {
                        gradient.muli(0);
                    }
                }
                try (GradientCollector collector = model.getNDManager().getEngine().newGradientCollector()) {
                    NDArray loss = objective.loss(step, scope);
                    losses[step] = loss.getFloat();
                    if (!Float.isFinite(losses[step])) {
                        throw LetheException.failed("diverged: " + losses[step], null);
                    }
                    collector.backward(loss);
                }
                for (Parameter p : trained) {
                    try (NDArray gradient = p.getArray().getGradient()) {
                        optimizer.update(p.getId(), p.getArray(), gradient);
                    }
                }
                steps++;
                progress(step + 1, count, losses[step]);
            }
        }
        return losses;
    }

    @Override
    public void close() {
        manager.close();
    }
}
