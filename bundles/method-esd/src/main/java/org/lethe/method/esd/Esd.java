package org.lethe.method.esd;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.lethe.api.LetheException;
import org.lethe.api.method.ErasureMethod;
import org.lethe.api.method.MethodProperties;
import org.lethe.api.method.Task;
import org.lethe.api.model.diffusion.DiffusionModel;
import org.lethe.api.model.diffusion.DiffusionModel.Sample;
import org.lethe.api.model.diffusion.DiffusionModel.SampleRequest;
import org.lethe.api.run.RunContext;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * ESD, Erased Stable Diffusion (Gandikota et al., ICCV 2023; methods-gen.md §1): teach the model
 * that conditioning on the erased concept c now means "the original model's unconditional
 * prediction, pushed away from c by negative guidance". Anchor-free: it reads no preserve set.
 *
 * <pre>
 * θ* = frozen copy of θ;  trainable(θ) = attn2 (ESD-x) or the U-Net without attn2 (ESD-u)
 * for it in 1..N:
 *     c ~ U(erase prompts); k ~ U{0..S−1}; t = ddimTimesteps(S)[k]
 *     x_t = DDIM(θ, c, guidance w, from noise, stop after k of S steps)     # no gradient
 *     e0 = ε_θ*(x_t, ∅, t); ep = ε_θ*(x_t, c, t)                             # no gradient
 *     target = e0 − η·(ep − e0)
 *     loss = mean((ε_θ(x_t, c, t) − target)²); backward; Adam step on trainable(θ)
 * </pre>
 */
@Component(configurationPid = Esd.PID)
@MethodProperties(method = "esd", modality = "text-to-image",
        paper = "Gandikota, Materzyńska, Fiotto-Kaufman, Bau, Erasing Concepts from Diffusion Models, ICCV 2023"
                + " (rohitgandikota/erasing)",
        inputs = Task.ERASE)
@Designate(ocd = Esd.Config.class)
public final class Esd implements ErasureMethod {

    /** Configuration PID. */
    public static final String PID = "org.lethe.method.esd";

    /**
     * Hyper-parameters. Sources: the paper, its original CompVis code ({@code train-scripts/train-esd.py}),
     * its current diffusers code ({@code esd_sd.py}), and methods-gen.md Part B §6 for the scaling to
     * the 16×16 shapes model.
     */
    @ObjectClassDefinition(name = "ESD", description = "Erasing a concept from a diffusion model by fine-tuning"
            + " towards the frozen model's negatively guided noise prediction.")
    public @interface Config {

        /** @return which parameters are trained */
        @AttributeDefinition(description = "x: ESD-x, only the U-Net's cross-attention (attn2) parameters — the"
                + " paper's choice for concepts tied to a prompt word (styles); u: ESD-u, every U-Net parameter"
                + " outside cross-attention — the paper's choice for global concepts (nudity, objects). Neither"
                + " touches the text encoder. Default x (both codes require the choice; x changes the least).",
                options = {@Option(value = "x", label = "ESD-x (cross-attention)"),
                    @Option(value = "u", label = "ESD-u (non-cross-attention)")})
        String variant() default "x";

        /** @return η, the negative guidance of the target */
        @AttributeDefinition(description = "η in target = ε*(x_t,∅) − η·(ε*(x_t,c) − ε*(x_t,∅)). Default 1.0: the"
                + " paper and its original code (negative_guidance 1.0); the current esd_sd.py uses 2.0.")
        double negativeGuidance() default 1.0;

        /** @return optimisation iterations */
        @AttributeDefinition(min = "1", description = "Iterations (one x_t, batch 1, per iteration). Default 300:"
                + " methods-gen.md §6 for the shapes model (≈ 0.1 s each at 32×64, BENCHMARKS.md, so ≈ 30–35 s);"
                + " the original code runs 1000, esd_sd.py 200, on Stable Diffusion.")
        int steps() default 300;

        /** @return Adam's learning rate */
        @AttributeDefinition(min = "0", description = "Adam learning rate. Default 1e-4: methods-gen.md §6 (the"
                + " middle of its sweep 3e-5, 1e-4, 3e-4). The paper and original code use 1e-5, esd_sd.py 5e-5,"
                + " on Stable Diffusion, which was pre-trained at 1e-4; the shapes model is trained from scratch"
                + " at 2e-3, so its fine-tuning rates sit proportionally higher.")
        double learningRate() default 1e-4;

        /** @return DDIM steps of the partial sampling */
        @AttributeDefinition(min = "1", description = "S, the DDIM steps of the schedule x_t is sampled on; k is"
                + " drawn uniformly from 0..S−1. Default 25: the shapes model's sampler (methods-gen.md §6);"
                + " both ESD codes use 50 on Stable Diffusion.")
        int ddimSteps() default 25;

        /** @return classifier-free guidance of the partial sampling */
        @AttributeDefinition(description = "Guidance w of the DDIM sampling that produces x_t. Default 3.0: the"
                + " original code's start_guidance and esd_sd.py's guidance_scale.")
        double startGuidance() default 3.0;

        /** @return which model samples x_t */
        @AttributeDefinition(description = "trained: x_t is sampled with the model being erased, as the paper's"
                + " algorithm and the original code do (default); original: with the frozen original, as the"
                + " current esd_sd.py does (its pipe runs base_unet).",
                options = {@Option(value = "trained", label = "the model being erased"),
                    @Option(value = "original", label = "the frozen original")})
        String sampleFrom() default "trained";
    }

    /** ESD's two variants: which parameter group is trained. */
    enum Variant {
        /** Cross-attention only. */
        X("x", DiffusionModel.GROUP_CROSS_ATTENTION),
        /** The U-Net outside cross-attention. */
        U("u", DiffusionModel.GROUP_UNET_NON_CROSS_ATTENTION);

        private final String code;
        private final String group;

        Variant(String code, String group) {
            this.code = code;
            this.group = group;
        }

        /** @return the model's parameter group this variant trains */
        String group() {
            return group;
        }

        static Variant of(String code) {
            for (Variant v : values()) {
                if (v.code.equals(code)) {
                    return v;
                }
            }
            throw LetheException.invalidInput("setting 'variant' of " + PID + " must be x (ESD-x) or u (ESD-u), not '"
                    + code + "'");
        }
    }

    @Override
    public void erase(Task task, RunContext run) {
        Config config = task.config(Config.class);
        Variant variant = Variant.of(config.variant());
        check(config);
        DiffusionModel model = task.model(DiffusionModel.class);
        // every erase prompt must be made of words the model knows (exit 3 otherwise), before anything changes
        List<String> prompts = ErasePrompts.of(task.concepts(Task.ERASE).items(), model);
        DiffusionModel original = task.reference(DiffusionModel.class);
        original.freeze(original.parameters().keySet(), true);
        DiffusionModel sampler = "original".equals(config.sampleFrom()) ? original : model;

        Map<String, Boolean> frozenBefore = frozenStates(model);
        List<String> trained = model.parameterGroup(variant.group());
        if (trained.isEmpty()) {
            throw LetheException.invalidInput("the model has no parameters in group '" + variant.group() + "' (ESD-"
                    + config.variant() + ")");
        }
        model.freeze(model.parameters().keySet(), true);
        try {
            Conditions conditions = Conditions.of(model, original, prompts, run.manager());
            model.freeze(trained, false);
            run.log("ESD-" + config.variant() + ": " + trained.size() + " parameter tensors of group '" + variant.group()
                    + "' trained; prompts " + prompts + "; η " + config.negativeGuidance() + ", " + config.steps()
                    + " iterations, Adam lr " + config.learningRate() + ", x_t from " + config.sampleFrom()
                    + " by DDIM " + config.ddimSteps() + " at guidance " + config.startGuidance());
            Random random = run.random();
            int steps = config.ddimSteps();
            Optimizer adam = Optimizer.adam().optLearningRateTracker(Tracker.fixed((float) config.learningRate())).build();
            run.optimise(model.model(), adam, config.steps(), (step, scope) -> {
                int p = random.nextInt(prompts.size());
                int k = random.nextInt(steps);
                long seed = random.nextLong();
                Sample xt = sampler.sample(new SampleRequest(conditions.sampling(p, sampler == original), config.startGuidance(),
                        steps, k, seed), scope);
                NDArray t = scope.create(new long[] {xt.timestep()});
                NDArray target = target(original, xt.latent(), t, conditions.original(p), conditions.originalNull(),
                        config.negativeGuidance());
                return loss(model, xt.latent(), t, conditions.trained(p), target);
            });
        } finally {
            restore(model, frozenBefore);
        }
    }

    /**
     * ESD's target from the frozen model: ε*(x_t,∅,t) − η·(ε*(x_t,c,t) − ε*(x_t,∅,t)), without
     * gradient history. η is an array made in the scope of {@code noisy}, never a {@code Number}
     * operand (DESIGN §7).
     */
    static NDArray target(DiffusionModel original, NDArray noisy, NDArray timesteps, NDArray condition,
            NDArray nullCondition, double eta) {
        NDArray unconditional = original.predictNoise(noisy, timesteps, nullCondition, false).stopGradient();
        NDArray conditional = original.predictNoise(noisy, timesteps, condition, false).stopGradient();
        return negativelyGuided(unconditional, conditional, eta);
    }

    /** e0 − η·(ep − e0), η as an array in the manager of {@code unconditional}. */
    static NDArray negativelyGuided(NDArray unconditional, NDArray conditional, double eta) {
        NDArray guidance = unconditional.getManager().create((float) eta);
        return unconditional.sub(conditional.sub(unconditional).mul(guidance)).stopGradient();
    }

    /** ESD's loss: the mean squared error between ε_θ(x_t, c, t), with gradients, and the target. */
    static NDArray loss(DiffusionModel model, NDArray noisy, NDArray timesteps, NDArray condition, NDArray target) {
        return model.predictNoise(noisy, timesteps, condition, true).sub(target).square().mean();
    }

    private static void check(Config config) {
        if (!Double.isFinite(config.negativeGuidance())) {
            throw LetheException.invalidInput("setting 'negativeGuidance' of " + PID + " must be a finite number, not "
                    + config.negativeGuidance());
        }
        if (!(config.learningRate() > 0) || !Double.isFinite(config.learningRate())) {
            throw LetheException.invalidInput("setting 'learningRate' of " + PID + " must be a positive number, not "
                    + config.learningRate());
        }
        if (!Double.isFinite(config.startGuidance())) {
            throw LetheException.invalidInput("setting 'startGuidance' of " + PID + " must be a finite number, not "
                    + config.startGuidance());
        }
        if (config.steps() < 1) {
            throw LetheException.invalidInput("setting 'steps' of " + PID + " must be at least 1, not " + config.steps());
        }
        if (config.ddimSteps() < 1) {
            throw LetheException.invalidInput("setting 'ddimSteps' of " + PID + " must be at least 1, not "
                    + config.ddimSteps());
        }
        if (!"trained".equals(config.sampleFrom()) && !"original".equals(config.sampleFrom())) {
            throw LetheException.invalidInput("setting 'sampleFrom' of " + PID + " must be trained or original, not '"
                    + config.sampleFrom() + "'");
        }
    }

    private static Map<String, Boolean> frozenStates(DiffusionModel model) {
        Map<String, Boolean> states = new LinkedHashMap<>();
        for (String name : model.parameters().keySet()) {
            states.put(name, model.isFrozen(name));
        }
        return states;
    }

    private static void restore(DiffusionModel model, Map<String, Boolean> states) {
        List<String> frozen = new ArrayList<>();
        List<String> open = new ArrayList<>();
        states.forEach((name, wasFrozen) -> (wasFrozen ? frozen : open).add(name));
        model.freeze(frozen, true);
        model.freeze(open, false);
    }

    /**
     * The encoded prompts, made once in the run's memory with both text encoders frozen (neither
     * variant trains the text encoder, so they carry no gradient history).
     */
    private record Conditions(List<NDArray> trainedConditions, List<NDArray> originalConditions,
            NDArray originalNull) {

        static Conditions of(DiffusionModel model, DiffusionModel original, List<String> prompts, NDManager manager) {
            List<NDArray> own = new ArrayList<>();
            List<NDArray> frozen = new ArrayList<>();
            for (String prompt : prompts) {
                own.add(model.encode(List.of(prompt), manager).stopGradient());
                frozen.add(original.encode(List.of(prompt), manager).stopGradient());
            }
            return new Conditions(own, frozen, original.nullCondition(1, manager).stopGradient());
        }

        NDArray trained(int prompt) {
            return trainedConditions.get(prompt);
        }

        NDArray original(int prompt) {
            return originalConditions.get(prompt);
        }

        NDArray sampling(int prompt, boolean fromOriginal) {
            return fromOriginal ? original(prompt) : trained(prompt);
        }
    }
}
