package org.lethe.method.iau;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.lethe.api.LetheException;
import org.lethe.api.data.QaItem;
import org.lethe.api.model.language.LanguageModel;
import org.lethe.api.run.RunContext;

/**
 * IAU's gradient restriction (GR): training of the original model with the regulariser of the
 * official code ({@code Lolo1222/IAU train_model.py}, {@code model_fix_flag=1}; methods-llm.md §1.4)
 *
 * <pre>
 * ℓ_GR(θ) = CE(θ) + α · Σ_p ‖∇_p CE(θ)‖₂          (p over the parameter tensors: per-tensor L2 norms, summed)
 * </pre>
 *
 * Its gradient is {@code ∇CE + α·H·v}, where H is the Hessian of CE and v the per-tensor unit
 * gradient ({@code v_p = g_p/‖g_p‖}, 0 where {@code g_p = 0}): {@code ∇_θ‖g_p‖ = Hᵀ[p]·g_p/‖g_p‖}. The
 * official code gets it by double backprop ({@code autograd.grad(create_graph=True)}); DJL's
 * second-order gradients work only once per parameter set (DESIGN §7), so here the Hessian-vector
 * product is the central finite difference
 *
 * <pre>
 * H·v ≈ (∇CE(θ + εv) − ∇CE(θ − εv)) / (2ε)
 * </pre>
 *
 * with two more first-order backward passes at the same batch. The parameters are perturbed in place
 * with gradient recording off (PyTorch refuses in-place writes to a leaf that records gradients) and
 * then overwritten with a copy of their original values, so they come back bit for bit (no
 * add-then-subtract drift). The update is taken by one Adam kept over all restriction steps, as in
 * the official training loop. The forward pass must be deterministic (no dropout) for the
 * difference to be a derivative; the Lethe language models have none.
 */
final class GradientRestriction {

    /** The index of a whole array, for exact element-wise copies into an existing array. */
    private static final NDIndex ALL = new NDIndex("...");

    private GradientRestriction() {
    }

    /**
     * A loss's value and gradient at the parameters' current values.
     *
     * @param loss the loss
     * @param gradient ∇loss, one array per parameter, in the parameters' order
     */
    record Evaluation(float loss, List<NDArray> gradient) {
    }

    /** Evaluates a loss and its gradient at the parameters' current values. */
    @FunctionalInterface
    interface Gradient {

        /**
         * @param scope where the returned arrays live
         * @return the loss and its gradient; the parameters' own gradient buffers are left at zero
         */
        Evaluation at(NDManager scope);
    }

    /**
     * Settings of the restriction training.
     *
     * @param steps optimiser steps, ≥ 1
     * @param learningRate Adam's learning rate
     * @param weight α, the weight of the gradient-norm term
     * @param epsilon ε of the finite difference
     * @param batchSize items per step
     * @param microBatch items per micro-batch inside a step
     */
    record Settings(int steps, float learningRate, float weight, float epsilon, int batchSize, int microBatch) {
    }

    /**
     * The trainable parameter arrays of a model, in the block's order (frozen ones left out).
     *
     * @param lm the model
     * @return its arrays that record gradients
     */
    static List<NDArray> trainable(LanguageModel lm) {
        List<NDArray> out = new ArrayList<>();
        for (Pair<String, Parameter> p : lm.model().getBlock().getParameters()) {
            if (p.getValue().requiresGradient() && p.getValue().getArray().hasGradient()) {
                out.add(p.getValue().getArray());
            }
        }
        return out;
    }

    /**
     * The central finite-difference Hessian-vector product {@code (∇L(θ+εv) − ∇L(θ−εv)) / (2ε)}.
     * The parameters are written in place with gradient recording off and restored from a copy
     * afterwards, bit for bit, also when the gradient throws.
     *
     * @param parameters the parameter arrays θ (each records gradients or not; that is kept)
     * @param direction v, one array per parameter, of the same shapes
     * @param epsilon ε &gt; 0
     * @param gradient ∇L at the parameters' current values
     * @param scope where the result and the scratch arrays live
     * @return H·v, one array per parameter, on {@code scope}
     */
    static List<NDArray> hessianVectorProduct(List<NDArray> parameters, List<NDArray> direction, float epsilon,
            Gradient gradient, NDManager scope) {
        if (parameters.size() != direction.size()) {
            throw new IllegalArgumentException(parameters.size() + " parameters, " + direction.size() + " directions");
        }
        if (!(epsilon > 0) || !Float.isFinite(epsilon)) {
            throw new IllegalArgumentException("ε must be a positive number, not " + epsilon);
        }
        List<NDArray> saved = new ArrayList<>();
        for (NDArray p : parameters) {
            NDArray copy = p.duplicate();
            copy.attach(scope);
            saved.add(copy);
        }
        List<NDArray> plus;
        List<NDArray> minus;
        try {
            for (int i = 0; i < parameters.size(); i++) {
                overwrite(parameters.get(i), saved.get(i).add(direction.get(i).mul(epsilon)));
            }
            plus = gradient.at(scope).gradient();
            for (int i = 0; i < parameters.size(); i++) {
                overwrite(parameters.get(i), saved.get(i).sub(direction.get(i).mul(epsilon)));
            }
            minus = gradient.at(scope).gradient();
        } finally {
            for (int i = 0; i < parameters.size(); i++) {
                overwrite(parameters.get(i), saved.get(i));
            }
        }
        List<NDArray> out = new ArrayList<>();
        for (int i = 0; i < parameters.size(); i++) {
            out.add(plus.get(i).sub(minus.get(i)).div(2 * epsilon));
        }
        return out;
    }

    /**
     * The per-tensor unit direction of a gradient: {@code g_p/‖g_p‖₂}, and 0 for a tensor whose
     * gradient is 0 (where PyTorch's norm backward gives 0 too).
     *
     * @param gradient g, one array per parameter
     * @return v, on the arrays' managers
     */
    static List<NDArray> unitPerTensor(List<NDArray> gradient) {
        List<NDArray> out = new ArrayList<>();
        for (NDArray g : gradient) {
            out.add(g.div(g.square().sum().sqrt().maximum(Float.MIN_NORMAL)));
        }
        return out;
    }

    /**
     * The gradient-restriction objective's value and gradient: {@code ℓ_GR = L + α Σ_p ‖g_p‖₂} and
     * {@code ∇ℓ_GR = g + α·H·v} with v the per-tensor unit gradient, H·v by
     * {@link #hessianVectorProduct}. Three gradient evaluations, at θ, θ + εv and θ − εv.
     *
     * @param parameters the parameter arrays θ
     * @param weight α
     * @param epsilon ε
     * @param gradient ∇L at the parameters' current values
     * @param scope where the result lives
     * @return ℓ_GR and ∇ℓ_GR
     */
    static Evaluation restrictedGradient(List<NDArray> parameters, float weight, float epsilon, Gradient gradient,
            NDManager scope) {
        Evaluation at = gradient.at(scope);
        List<NDArray> g = at.gradient();
        if (weight == 0) {
            return at;
        }
        List<NDArray> direction = unitPerTensor(g);
        List<NDArray> hv = hessianVectorProduct(parameters, direction, epsilon, gradient, scope);
        double norms = 0;
        List<NDArray> out = new ArrayList<>();
        for (int i = 0; i < g.size(); i++) {
            norms += g.get(i).square().sum().sqrt().getFloat();
            out.add(g.get(i).add(hv.get(i).mul(weight)));
        }
        return new Evaluation((float) (at.loss() + weight * norms), out);
    }

    /**
     * The gradient of a scalar loss by DJL's first-order backward pass: a fresh gradient collector,
     * the loss built in the step's scope, the gradient copied out of each parameter's
     * buffer, which is then zeroed in place (never copied into: DESIGN §7).
     *
     * @param collectors opens a gradient collector (one at a time: DJL's collector is JVM-global)
     * @param parameters the parameter arrays, in the order of the result
     * @param loss builds the scalar loss in a scope
     * @return the gradient function
     */
    static Gradient backprop(Supplier<GradientCollector> collectors, List<NDArray> parameters,
            Function<NDManager, NDArray> loss) {
        return scope -> {
            float value;
            try (GradientCollector collector = collectors.get()) {
                NDArray l = loss.apply(scope);
                value = l.getFloat();
                collector.backward(l);
            }
            List<NDArray> out = new ArrayList<>();
            for (NDArray p : parameters) {
                try (NDArray buffer = p.getGradient()) {
                    NDArray copy = buffer.duplicate();
                    copy.attach(scope);
                    out.add(copy);
                    buffer.subi(buffer);
                }
            }
            return new Evaluation(value, out);
        };
    }

    /**
     * Trains the model in place with the gradient-restriction objective on seeded batches of the
     * data: {@code settings.steps()} steps of one Adam, each in its own scope, checking cancellation
     * before each step and reporting its loss as progress after it (at step 0 of an unknown total:
     * the unlearning steps after it count the run's steps from 1, and progress never goes
     * backwards), with a log line every tenth of the steps. The parameters' gradient buffers are
     * zero afterwards.
     *
     * @param lm the model (the run's working copy)
     * @param data the items trained on
     * @param settings the settings
     * @param run the run
     * @return ℓ_GR at every step, in order
     * @throws LetheException (failed) when ℓ_GR is not finite
     */
    static float[] train(LanguageModel lm, List<QaItem> data, Settings settings, RunContext run) {
        List<NDArray> parameters = trainable(lm);
        RunContext.Batches<QaItem> batches = run.batches(data, settings.batchSize());
        Optimizer adam = Optimizer.adam().optLearningRateTracker(Tracker.fixed(settings.learningRate())).build();
        float[] losses = new float[settings.steps()];
        try (Trainer trainer = lm.model().newTrainer(new DefaultTrainingConfig(Loss.l2Loss()).optOptimizer(adam))) {
            for (int step = 0; step < settings.steps(); step++) {
                run.checkCancelled();
                List<QaItem> batch = batches.next();
                try (NDManager scope = run.manager().newSubManager()) {
                    Gradient gradient = backprop(trainer::newGradientCollector, parameters,
                            s -> Iau.meanLoss(lm, batch, settings.microBatch(), s));
                    Evaluation restricted = restrictedGradient(parameters, settings.weight(), settings.epsilon(),
                            gradient, scope);
                    if (!Float.isFinite(restricted.loss())) {
                        throw LetheException.failed("diverged: the gradient-restriction loss is " + restricted.loss()
                                + " at restriction step " + step, null);
                    }
                    for (int i = 0; i < parameters.size(); i++) {
                        try (NDArray buffer = parameters.get(i).getGradient()) {
                            buffer.addi(restricted.gradient().get(i));
                        }
                    }
                    trainer.step();
                    zeroGradients(parameters);
                    losses[step] = restricted.loss();
                    // The run's step count stays at 0 here: the IAU step(s) that follow report 1/1 through
                    // RunContext.optimise, and a run's reported steps never go backwards. The loss is ℓ_GR.
                    run.progress(0, 0, restricted.loss());
                    int every = Math.max(1, settings.steps() / 10);
                    if ((step + 1) % every == 0 || step + 1 == settings.steps()) {
                        run.log(String.format("gradient restriction step %d/%d: loss %.6g", step + 1, settings.steps(),
                                restricted.loss()));
                    }
                }
            }
        } finally {
            zeroGradients(parameters);
        }
        return losses;
    }

    /** Zeroes the parameters' gradient buffers in place. */
    static void zeroGradients(List<NDArray> parameters) {
        for (NDArray p : parameters) {
            try (NDArray buffer = p.getGradient()) {
                buffer.subi(buffer);
            }
        }
    }

    /** Writes a value into a parameter array in place, with gradient recording off during the write. */
    private static void overwrite(NDArray parameter, NDArray value) {
        boolean recording = parameter.hasGradient();
        parameter.setRequiresGradient(false);
        try {
            parameter.set(ALL, value);
        } finally {
            if (recording) {
                parameter.setRequiresGradient(true);
            }
        }
    }
}
