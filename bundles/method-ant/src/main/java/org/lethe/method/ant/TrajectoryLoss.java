package org.lethe.method.ant;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Random;
import org.lethe.api.model.diffusion.DiffusionModel;
import org.lethe.api.model.diffusion.DiffusionModel.Sample;
import org.lethe.api.model.diffusion.DiffusionModel.SampleRequest;

/**
 * ANT's trajectory-aware objective (methods-gen.md §2.1, pseudocode §2.3), for one prompt and one
 * draw of the two DDIM step counts:
 *
 * <pre>
 * z = start noise;  x_pre = DDIM(θ, c, w, z, k_pre steps);  x_era = DDIM(θ, c, w, z, k_era steps)
 * e0 = ε_θ0(x, ∅, t);  ep = ε_θ0(x, c, t)                                  (frozen original, no gradient)
 * L_preserve     = mse(ε_θ(x_pre, c), e0 + η·(ep − e0))       early (k_pre &lt; p)
 * L_erase        = mse(ε_θ(x_era, c), e0 − η·(ep − e0))       mid-to-late (k_era ≥ p)
 * L_uncond-early = mse(ε_θ(x_pre, ∅), e0);  L_uncond-late = mse(ε_θ(x_era, ∅), e0)   (with gradient)
 * L = L_erase + λ1·L_preserve + λ2·L_uncond-late + λ3·L_uncond-early
 * </pre>
 *
 * Both latents come from the same start noise and the current model (as ESD's x_t). The frozen
 * model's four predictions run as one batch, and so do the edited model's (its ∅ half outside the
 * gradient when {@code unconditionalGradient} is off, as the released Single code does).
 */
final class TrajectoryLoss {

    /**
     * The weights of the three secondary terms (the erase term has weight 1).
     *
     * @param preserve λ1, of L_preserve
     * @param uncondLate λ2, of L_uncond-late
     * @param uncondEarly λ3, of L_uncond-early
     */
    record Weights(double preserve, double uncondLate, double uncondEarly) {
    }

    /**
     * Where the trajectory is split: k counts the DDIM steps already taken from noise, 0..S−1.
     *
     * @param ddimSteps S
     * @param preserved p, the early steps kept (k &lt; p); the rest are erased
     * @param fromCleanEnd the released Single code's convention: the preserved steps are the last p
     *     (the low-noise end), the erased ones the first S − p
     * @param eraseEverywhere the ablation "erase at all t": k_era is drawn from all S steps
     */
    record Split(int ddimSteps, int preserved, boolean fromCleanEnd, boolean eraseEverywhere) {

        /**
         * The split rule: p = round(fraction·S), halves rounded up, kept within 1..S−1 so that both
         * branches have steps. The paper's NSFW setting t' = 43 of 50 (7 preserved, 0.14) gives
         * round(3.5) = 4 of 25; the celebrity setting 10 of 50 (0.2) gives 5 of 25.
         *
         * @param fraction the preserved fraction of the steps
         * @param ddimSteps S ≥ 2
         * @return p
         */
        static int preservedSteps(double fraction, int ddimSteps) {
            long p = Math.round(fraction * ddimSteps);
            return (int) Math.max(1, Math.min(ddimSteps - 1, p));
        }

        /**
         * @param random the draws
         * @return k_pre, uniform over the preserved steps
         */
        int drawPreserve(Random random) {
            return fromCleanEnd ? ddimSteps - preserved + random.nextInt(preserved) : random.nextInt(preserved);
        }

        /**
         * @param random the draws
         * @return k_era, uniform over the erased steps (all steps when erasing everywhere)
         */
        int drawErase(Random random) {
            if (eraseEverywhere) {
                return random.nextInt(ddimSteps);
            }
            int erased = ddimSteps - preserved;
            return fromCleanEnd ? random.nextInt(erased) : preserved + random.nextInt(erased);
        }

        /**
         * One iteration's draws, in a fixed order: k_pre, k_era, the start-noise seed.
         *
         * @param random the draws
         * @return the draw
         */
        Draw draw(Random random) {
            int pre = drawPreserve(random);
            int era = drawErase(random);
            return new Draw(pre, era, random.nextLong());
        }
    }

    /**
     * One iteration's randomness.
     *
     * @param preserveStep k_pre
     * @param eraseStep k_era
     * @param noiseSeed the seed of the start noise z both latents are sampled from
     */
    record Draw(int preserveStep, int eraseStep, long noiseSeed) {
    }

    /**
     * The encoded prompt in the batch layouts the loss uses, made once per prompt.
     *
     * @param sampling c of the edited model (1, L, d): what x_t is sampled with
     * @param trained [c, c, ∅, ∅] of the edited model: its conditional and unconditional predictions
     * @param original [∅, ∅, c, c] of the frozen model
     */
    record Conditions(NDArray sampling, NDArray trained, NDArray original) {

        /**
         * @param model the edited model
         * @param original the frozen original
         * @param prompt the prompt
         * @param manager where the encodings live (no gradient history: the text encoders are frozen)
         * @return the conditions
         */
        static Conditions of(DiffusionModel model, DiffusionModel original, String prompt, NDManager manager) {
            NDArray c = model.encode(List.of(prompt), manager).stopGradient();
            NDArray empty = model.nullCondition(1, manager).stopGradient();
            NDArray c0 = original.encode(List.of(prompt), manager).stopGradient();
            NDArray empty0 = original.nullCondition(1, manager).stopGradient();
            return new Conditions(c, NDArrays.concat(new NDList(c, c, empty, empty)).stopGradient(),
                    NDArrays.concat(new NDList(empty0, empty0, c0, c0)).stopGradient());
        }
    }

    /**
     * The four terms and their weighted sum, scalars in the step's scope.
     *
     * @param erase L_erase
     * @param preserve L_preserve
     * @param uncondLate L_uncond-late
     * @param uncondEarly L_uncond-early
     * @param total L_ANT
     * @param preserveTimestep t of x_pre
     * @param eraseTimestep t of x_era
     */
    record Terms(NDArray erase, NDArray preserve, NDArray uncondLate, NDArray uncondEarly, NDArray total,
            int preserveTimestep, int eraseTimestep) {
    }

    private final DiffusionModel model;
    private final DiffusionModel original;
    private final Split split;
    private final Weights weights;
    private final double eta;
    private final double startGuidance;
    private final boolean unconditionalGradient;

    /**
     * @param model the edited model θ
     * @param original the frozen original θ0
     * @param split the trajectory split
     * @param weights λ1, λ2, λ3
     * @param eta η, the guidance of both targets
     * @param startGuidance the CFG weight x_t is sampled with
     * @param unconditionalGradient whether the unconditional terms carry gradient (paper: yes)
     */
    TrajectoryLoss(DiffusionModel model, DiffusionModel original, Split split, Weights weights, double eta,
            double startGuidance, boolean unconditionalGradient) {
        this.model = model;
        this.original = original;
        this.split = split;
        this.weights = weights;
        this.eta = eta;
        this.startGuidance = startGuidance;
        this.unconditionalGradient = unconditionalGradient;
    }

    /** @return the frozen original θ0 */
    DiffusionModel original() {
        return original;
    }

    /** @return the split */
    Split split() {
        return split;
    }

    /**
     * @param draw the iteration's draws
     * @param conditions the prompt's encodings
     * @param scope the step's memory scope
     * @return the terms, the total with gradient history for the edited model's parameters
     */
    Terms terms(Draw draw, Conditions conditions, NDManager scope) {
        int steps = split.ddimSteps();
        // the same start noise (same seed) for both latents; sampling records no gradient
        Sample pre = model.sample(new SampleRequest(conditions.sampling(), startGuidance, steps, draw.preserveStep(),
                draw.noiseSeed()), scope);
        Sample era = model.sample(new SampleRequest(conditions.sampling(), startGuidance, steps, draw.eraseStep(),
                draw.noiseSeed()), scope);
        NDArray x = pre.latent().concat(era.latent(), 0);
        NDArray t = scope.create(new long[] {pre.timestep(), era.timestep()});
        NDArray x4 = x.concat(x, 0);
        NDArray t4 = t.concat(t, 0);

        NDArray frozen = original.predictNoise(x4, t4, conditions.original(), false).stopGradient();
        NDArray e0 = frozen.get("0:2");
        NDArray ep = frozen.get("2:4");
        // [+η, −η]: the preserve target (x_pre) and the erase target (x_era); arrays, never Number operands
        NDArray signs = scope.create(new float[] {(float) eta, (float) -eta}, new Shape(2, 1, 1, 1));
        NDArray target = e0.add(ep.sub(e0).mul(signs)).stopGradient();

        NDArray conditional;
        NDArray unconditional;
        if (unconditionalGradient) {
            NDArray edited = model.predictNoise(x4, t4, conditions.trained(), true);
            conditional = edited.get("0:2");
            unconditional = edited.get("2:4");
        } else {
            NDArray trained = conditions.trained();
            conditional = model.predictNoise(x, t, trained.get("0:2"), true);
            unconditional = model.predictNoise(x, t, trained.get("2:4"), false).stopGradient();
        }
        NDArray conditionalLoss = perItemMse(conditional, target);   // [L_preserve, L_erase]
        NDArray unconditionalLoss = perItemMse(unconditional, e0);  // [L_uncond-early, L_uncond-late]
        NDArray conditionalWeights = scope.create(new float[] {(float) weights.preserve(), 1f});
        NDArray unconditionalWeights = scope.create(new float[] {(float) weights.uncondEarly(),
            (float) weights.uncondLate()});
        NDArray total = conditionalLoss.mul(conditionalWeights).sum().add(unconditionalLoss.mul(unconditionalWeights).sum());
        return new Terms(conditionalLoss.get(1), conditionalLoss.get(0), unconditionalLoss.get(1),
                unconditionalLoss.get(0), total, pre.timestep(), era.timestep());
    }

    /** The mean squared error of each batch item: (n) from two (n, C, H, W) arrays. */
    static NDArray perItemMse(NDArray prediction, NDArray target) {
        long n = prediction.getShape().get(0);
        // mean over one axis only (DJL's PyTorch mean takes one axis): flatten each item first
        return prediction.sub(target).square().reshape(n, -1).mean(new int[] {1});
    }
}
