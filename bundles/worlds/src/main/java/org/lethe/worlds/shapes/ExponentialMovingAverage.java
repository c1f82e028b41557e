package org.lethe.worlds.shapes;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.util.Pair;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An exponential moving average of a model's trainable weights (research/methods-gen.md §6: sample
 * and commit the EMA weights; Ho et al. 2020 and Stable Diffusion keep one). After each optimiser
 * update of a parameter θ, its average ψ becomes ψ ← d_n·ψ + (1 − d_n)·θ with the warm-up decay
 * d_n = min(decay, (1 + n)/(10 + n)), n = 0, 1, … counting that parameter's updates (TensorFlow's
 * {@code ExponentialMovingAverage} with {@code num_updates}), so that early averages are not dominated
 * by the initial weights. The averages start as copies of the weights, live in a memory scope of
 * their own (never a step's), take no gradients, and are updated in place, one update per parameter
 * per step, by {@link #wrap wrapping the optimiser} (as TensorFlow Addons' {@code MovingAverage}
 * does), so any loop that calls {@link Optimizer#update} drives it. The weights being trained are never
 * changed by the average; {@link #copyTo} writes the averages into a model when training is over.
 */
final class ExponentialMovingAverage implements AutoCloseable {
    private final float decay;
    private final NDManager manager;
    private final Map<String, Slot> byId = new LinkedHashMap<>();
    private final Map<String, Slot> byName = new LinkedHashMap<>();

    /** One parameter's average and how many updates it has seen. */
    private static final class Slot {
        final NDArray average;
        long updates;

        Slot(NDArray average) {
            this.average = average;
        }
    }

    private ExponentialMovingAverage(float decay, NDManager manager) {
        this.decay = decay;
        this.manager = manager;
    }

    /**
     * Starts the averages of a model's trainable parameters (those with {@code requiresGradient()})
     * as copies of their current values.
     *
     * @param model the model being trained
     * @param decay the decay at the end of the warm-up, in (0, 1)
     * @return the averages, in a memory scope under the model's manager; close them when done
     */
    public static ExponentialMovingAverage of(Model model, float decay) {
        if (!(decay > 0f && decay < 1f)) {
            throw new IllegalArgumentException("an EMA decay must lie in (0, 1), not " + decay);
        }
        ExponentialMovingAverage ema = new ExponentialMovingAverage(decay, model.getNDManager().newSubManager());
        for (Pair<String, Parameter> pair : model.getBlock().getParameters()) {
            Parameter parameter = pair.getValue();
            if (!parameter.requiresGradient()) {
                continue;
            }
            NDArray weight = parameter.getArray();
            NDArray average = ema.manager.create(weight.getShape(), weight.getDataType());
            average.set(weight.toByteBuffer());
            Slot slot = new Slot(average);
            ema.byId.put(parameter.getId(), slot);
            ema.byName.put(pair.getKey(), slot);
        }
        return ema;
    }

    /**
     * @param n the number of updates the parameter has seen before this one (0 for the first)
     * @return the decay of update n: min(decay, (1 + n)/(10 + n))
     */
    public float decayAt(long n) {
        return (float) Math.min(decay, (1.0 + n) / (10.0 + n));
    }

    /**
     * Moves one parameter's average towards its current weight, in place: ψ ← ψ − (1 − d_n)(ψ − θ).
     * Call it with gradient recording off (after the backward pass, as an optimiser update is).
     *
     * @param parameterId the parameter's id ({@link Parameter#getId})
     * @param weight its current value
     * @throws IllegalArgumentException when the parameter was not trainable when the average began
     */
    public void update(String parameterId, NDArray weight) {
        Slot slot = byId.get(parameterId);
        if (slot == null) {
            throw new IllegalArgumentException("no moving average for parameter " + parameterId);
        }
        float d = decayAt(slot.updates++);
        try (NDArray difference = slot.average.sub(weight)) {
            slot.average.subi(difference.muli(1f - d));
        }
    }

    /**
     * @param parameterId a parameter's id
     * @return how many updates its average has seen
     */
    public long updates(String parameterId) {
        Slot slot = byId.get(parameterId);
        return slot == null ? 0 : slot.updates;
    }

    /**
     * @return the averages by parameter name (the keys of {@code getBlock().getParameters()}), live
     *     arrays owned by this object
     */
    public Map<String, NDArray> averages() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        byName.forEach((name, slot) -> out.put(name, slot.average));
        return Collections.unmodifiableMap(out);
    }

    /**
     * An optimiser that makes {@code optimizer}'s update of a parameter and then updates the
     * parameter's average; its state (moments, step counts, learning-rate schedule) stays in
     * {@code optimizer}.
     *
     * @param optimizer the optimiser that trains the weights
     * @return the wrapping optimiser
     */
    public Averaging wrap(Optimizer optimizer) {
        return new Averaging(Objects.requireNonNull(optimizer, "optimizer"), this);
    }

    /** An optimiser's update of a parameter, then the update of the parameter's average. */
    static final class Averaging extends Optimizer {
        private final Optimizer optimizer;
        private final ExponentialMovingAverage average;

        private Averaging(Optimizer optimizer, ExponentialMovingAverage average) {
            super(new NoOptions());
            this.optimizer = optimizer;
            this.average = average;
        }

        /** @return the averages this optimiser updates */
        ExponentialMovingAverage average() {
            return average;
        }

        @Override
        public void update(String parameterId, NDArray weight, NDArray grad) {
            optimizer.update(parameterId, weight, grad);
            average.update(parameterId, weight);
        }
    }

    /**
     * Writes the averages into a model of the same architecture (the one trained, or another
     * instance), matching parameters by name, with gradient recording off during each write.
     *
     * @param model the model whose weights become the averages
     * @throws IllegalArgumentException when the model lacks an averaged parameter or its shape differs
     */
    public void copyTo(Model model) {
        Map<String, Parameter> targets = new LinkedHashMap<>();
        for (Pair<String, Parameter> pair : model.getBlock().getParameters()) {
            targets.put(pair.getKey(), pair.getValue());
        }
        for (Map.Entry<String, Slot> e : byName.entrySet()) {
            Parameter parameter = targets.get(e.getKey());
            NDArray average = e.getValue().average;
            if (parameter == null || !parameter.getArray().getShape().equals(average.getShape())) {
                throw new IllegalArgumentException("the model has no parameter '" + e.getKey() + "' of shape "
                        + average.getShape());
            }
            NDArray target = parameter.getArray();
            boolean recording = target.hasGradient();
            target.setRequiresGradient(false);
            target.set(average.toByteBuffer());
            if (recording) {
                target.setRequiresGradient(true);
            }
        }
    }

    /** Frees the averages. */
    @Override
    public void close() {
        manager.close();
    }

    /** The wrapper's own optimiser options are unused: the wrapped optimiser has its own. */
    private static final class NoOptions extends Optimizer.OptimizerBuilder<NoOptions> {
        @Override
        protected NoOptions self() {
            return this;
        }
    }
}
