package org.lethe.method.ant;

import ai.djl.ndarray.NDArray;
import ai.djl.training.optimizer.Optimizer;
import java.util.Map;

/**
 * An optimiser in front of another: it adds each gradient, signed, into an accumulator (the
 * saliency pass's G += ∇) and multiplies it by the parameter's mask (ANT's {@code grad *= M*})
 * before the wrapped optimiser's update.
 *
 * <p>Why a wrapper: the framework's loop ({@code RunContext.optimise}) owns backward and the
 * optimiser step and does not call {@code DiffusionModel.applyGradientMasks()}; the optimiser's
 * {@code update} is the one place a method sees each gradient between the two, so masking there is
 * exactly "after backward, before the step", without changing the API or the core. Parameters are
 * known to the optimiser by their DJL ids, mapped from names through {@code model.parameters()}.
 */
final class GradientGate extends Optimizer {

    private final Optimizer delegate;
    private final Map<String, NDArray> masks;
    private final Map<String, NDArray> accumulators;

    /**
     * @param delegate the optimiser that updates the weights
     * @param masks the mask of each masked parameter, by DJL parameter id (same shape, 0/1)
     * @param accumulators the gradient sum of each parameter to accumulate, by id (no gradient of
     *     their own); empty for none
     */
    GradientGate(Optimizer delegate, Map<String, NDArray> masks, Map<String, NDArray> accumulators) {
        super(new Builder());
        this.delegate = delegate;
        this.masks = Map.copyOf(masks);
        this.accumulators = Map.copyOf(accumulators);
    }

    @Override
    public void update(String parameterId, NDArray weight, NDArray gradient) {
        NDArray accumulator = accumulators.get(parameterId);
        if (accumulator != null) {
            accumulator.addi(gradient);
        }
        NDArray mask = masks.get(parameterId);
        if (mask == null) {
            delegate.update(parameterId, weight, gradient);
            return;
        }
        try (NDArray masked = gradient.mul(mask)) {
            delegate.update(parameterId, weight, masked);
        }
    }

    /** The builder the base class requires; the wrapper's own settings are those of its delegate. */
    private static final class Builder extends OptimizerBuilder<Builder> {
        @Override
        protected Builder self() {
            return this;
        }
    }
}
