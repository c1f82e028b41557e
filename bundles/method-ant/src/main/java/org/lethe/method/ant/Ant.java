package org.lethe.method.ant;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.lethe.api.LetheException;
import org.lethe.api.data.Concept;
import org.lethe.api.method.ErasureMethod;
import org.lethe.api.method.MethodProperties;
import org.lethe.api.method.Task;
import org.lethe.api.model.diffusion.DiffusionModel;
import org.lethe.api.model.diffusion.DiffusionModel.Lora;
import org.lethe.api.model.diffusion.DiffusionModel.LoraRequest;
import org.lethe.api.run.RunContext;
import org.lethe.method.ant.TrajectoryLoss.Conditions;
import org.lethe.method.ant.TrajectoryLoss.Split;
import org.lethe.method.ant.TrajectoryLoss.Weights;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * ANT, "Set You Straight: Auto-Steering Denoising Trajectories to Sidestep Unwanted Concepts" (Li,
 * Lu, Ren, Kong, ACM MM 2025; methods-gen.md §2): reverse the concept's condition direction only in
 * mid-to-late denoising, keep the original early (layout-forming) score field and the unconditional
 * prediction everywhere. No anchor concept. The objective is {@link TrajectoryLoss}.
 *
 * <pre>
 * θ0 = frozen copy of θ;  S DDIM steps;  p = round(preserveFraction·S) early steps preserved
 * single concept (paper §2.3):
 *   # stage 1: augmentation-enhanced weight saliency
 *   M = 1
 *   for seed in seeds: for prompt in augment(c):               # name, aliases, compositional prompts
 *       θ' = θ0;  G = 0
 *       for it in 1..N: loss = L_ANT(θ', prompt); backward; G += ∇; Adam step(θ', lr_s)
 *       M = M AND topFractionPerTensor(|G|)
 *   # stage 2: masked fine-tuning of the full U-Net
 *   for it in 1..steps:
 *       c ~ U(name, aliases);  z ~ N(0, I);  k_pre ~ U{0..p−1};  k_era ~ U{p..S−1}
 *       x_pre = DDIM(θ, c, w, z, k_pre);  x_era = DDIM(θ, c, w, z, k_era)        # same start noise
 *       loss = L_erase(x_era) + λ1·L_preserve(x_pre) + λ2·L_uncond(x_era) + λ3·L_uncond(x_pre)
 *       backward; ∇ *= M; Adam step(θ, lr)
 * several concepts (released Multiple code):
 *   for each concept i: LoRA_i on cross-attention; train it with L_ANT (multi λ, p); W_i = W0 + ΔW_i
 *   for each cross-attention W ∈ {to_k, to_v}:
 *       W* = (Σ_i W_i C_i C_iᵀ + s·W0 C_p C_pᵀ + λ W0)(Σ_i C_i C_iᵀ + s·C_p C_pᵀ + λ I)⁻¹
 * </pre>
 */
@Component(configurationPid = Ant.PID)
@MethodProperties(method = "ant", modality = "text-to-image",
        paper = "Li, Lu, Ren, Kong, Set You Straight: Auto-Steering Denoising Trajectories to Sidestep Unwanted"
                + " Concepts, ACM MM 2025, arXiv 2504.12782 (lileyang1210/ANT)",
        inputs = Task.ERASE)
@Designate(ocd = Ant.Config.class)
public final class Ant implements ErasureMethod {

    /** Configuration PID. */
    public static final String PID = "org.lethe.method.ant";

    /**
     * Hyper-parameters. Sources: the paper's Table 6 (50 DDIM steps, Adam lr 5e-4), the released
     * code (lileyang1210/ANT: Single/ and Multiple/), and methods-gen.md Part B §6 for the scaling to
     * the shapes model (S = 25 DDIM steps, the split kept as a fraction of S).
     */
    @ObjectClassDefinition(name = "ANT", description = "Erasing a concept by steering the mid-to-late denoising"
            + " trajectory away from it while keeping the early steps and the unconditional prediction.")
    public @interface Config {

        /** @return single, multi or auto */
        @AttributeDefinition(description = "single: the paper's single-concept method (saliency-masked full"
                + " U-Net); multi: one LoRA per concept and a closed-form fusion into every cross-attention"
                + " to_k/to_v (the paper's multi-concept method); auto (default): multi when the erase role"
                + " holds more than one concept.",
                options = {@Option(value = "auto", label = "by the number of concepts"),
                    @Option(value = "single", label = "single concept"), @Option(value = "multi", label = "LoRA + fusion")})
        String mode() default "auto";

        /** @return fine-tuning iterations (single) */
        @AttributeDefinition(min = "1", description = "Iterations of the masked fine-tuning. Default 250: paper"
                + " Table 6 (NSFW) and ant_train.yaml.")
        int steps() default 250;

        /** @return Adam learning rate (single) */
        @AttributeDefinition(min = "0", description = "Adam learning rate of the masked fine-tuning. Default 5e-4:"
                + " paper Table 6 and ant_train.yaml (methods-gen §6 suggests sweeping 1e-3 on the toy).")
        double learningRate() default 5e-4;

        /** @return DDIM steps of the partial sampling */
        @AttributeDefinition(min = "2", description = "S, the DDIM steps of the trajectory x_t is sampled on."
                + " Default 25: the shapes model's sampler (methods-gen §6); the paper uses 50.")
        int ddimSteps() default 25;

        /** @return classifier-free guidance of the partial sampling */
        @AttributeDefinition(description = "Guidance w of the DDIM sampling that produces x_t. Default 3.0: the"
                + " Single code's start_guidance (the Multiple code uses 7.5).")
        double startGuidance() default 3.0;

        /** @return η */
        @AttributeDefinition(description = "η in the targets e0 ± η·(ep − e0). Default 1.0: negative_guidance of"
                + " both released codes.")
        double negativeGuidance() default 1.0;

        /** @return preserved share of the steps (single) */
        @AttributeDefinition(description = "Share of the S steps, from noise, kept as the original (L_preserve);"
                + " the rest are erased. p = round(fraction·S), halves up, within 1..S−1. Default 0.14: paper"
                + " t' = 43 of 50 (7 steps, before_step 7) ⇒ 4 of 25.")
        double preserveFraction() default 0.14;

        /** @return λ1 (single) */
        @AttributeDefinition(description = "λ1, weight of L_preserve (0 removes it, an ablation). Default 1.0:"
                + " paper Table 6 (NSFW), α1 of ant_train.yaml.")
        double lambdaPreserve() default 1.0;

        /** @return λ2 (single) */
        @AttributeDefinition(description = "λ2, weight of L_uncond-late. Default 0.5: paper Table 6, α2.")
        double lambdaUncondLate() default 0.5;

        /** @return λ3 (single) */
        @AttributeDefinition(description = "λ3, weight of L_uncond-early. Default 0.5: paper Table 6 (= α1·α2 in"
                + " the code).")
        double lambdaUncondEarly() default 0.5;

        /** @return the ablation "erase at all t" */
        @AttributeDefinition(description = "Ablation (paper Table 4, 'erase at all t'): the erase term is drawn"
                + " from all S steps and L_preserve is off (λ1 taken as 0); the unconditional terms stay."
                + " Default false.")
        boolean eraseAllTimesteps() default false;

        /** @return the Single code's split convention */
        @AttributeDefinition(description = "Code parity only: preserve the last p steps (the low-noise end) and"
                + " erase the first S − p, as the released Single code does through the CompVis sampler's"
                + " t_enc convention. Default false (the paper: preserve the early steps).")
        boolean splitFromCleanEnd() default false;

        /** @return whether the unconditional terms carry gradient */
        @AttributeDefinition(description = "Whether L_uncond-early/late are trained (paper, Multiple code:"
                + " true, default). false reproduces the Single code, which computes them under no_grad.")
        boolean unconditionalGradient() default true;

        /** @return the saliency mask */
        @AttributeDefinition(description = "intersected (default, the paper): AND of the maps of every seed ×"
                + " prompt augmentation; single: the map of the first seed and the concept's name only (paper"
                + " Table 5 'single map'); none: no mask, the full U-Net is fine-tuned (Table 5 'no mask').",
                options = {@Option(value = "intersected", label = "intersection of all maps"),
                    @Option(value = "single", label = "one map"), @Option(value = "none", label = "no mask")})
        String maskMode() default "intersected";

        /** @return saliency seeds */
        @AttributeDefinition(description = "Seeds of the saliency maps, separated by spaces (or commas); each"
                + " seed makes one map per augmented prompt. Default 24, the first of the released code's seed"
                + " set 24 42 98 403 3407, because on the shapes model the intersection does not converge as on"
                + " Stable Diffusion (paper Fig. 4): measured on the tiny fixture, 4 maps keep 10.5 % of the"
                + " U-Net and ANT erases red (Acc_e 0.021 after 250 iterations), the 20 maps of all five seeds"
                + " keep 0.18 % and it erases nothing (Acc_e 0.938; bundle README).")
        String saliencySeeds() default "24";

        /** @return iterations per saliency map */
        @AttributeDefinition(min = "1", description = "Iterations per saliency map (gradients accumulated while"
                + " Adam still steps). Default 10: ant_gradient.yaml.")
        int saliencySteps() default 10;

        /** @return Adam learning rate of the saliency pass */
        @AttributeDefinition(min = "0", description = "Adam learning rate of the saliency pass. Default 1e-2:"
                + " ant_gradient.yaml.")
        double saliencyLearningRate() default 1e-2;

        /** @return the kept share of each tensor */
        @AttributeDefinition(description = "Share of each tensor's elements kept per map, by |G|. Default 0.5:"
                + " generate_mask.py's threshold.")
        double saliencyFraction() default 0.5;

        /** @return keep the smallest |G| */
        @AttributeDefinition(description = "Code parity only: keep the smallest |G| per tensor, as"
                + " generate_mask.py's ascending ranking does (a bug the paper's text contradicts). Default false.")
        boolean keepSmallest() default false;

        /** @return prompt augmentation templates */
        @AttributeDefinition(description = "Semicolon-separated templates, {} = the concept's name, that with the"
                + " name and aliases make the augmented prompts (saliency maps, fusion contexts); a template"
                + " with a word the model does not know is skipped. Default: the shapes world's compositional"
                + " prompts of methods-gen §6 ('red circle', 'red square on stripes'); the paper uses"
                + " GPT-4-generated prompts.")
        String augmentationTemplates() default "{} circle;{} square on stripes";

        /** @return LoRA training iterations per concept (multi) */
        @AttributeDefinition(min = "1", description = "Iterations of each concept's LoRA. Default 150: methods-gen"
                + " §6 (100–200 on the toy); paper Table 6: 400.")
        int multiSteps() default 150;

        /** @return LoRA learning rate (multi) */
        @AttributeDefinition(min = "0", description = "Adam learning rate of the LoRA. Default 5e-4: paper"
                + " Table 6 and config.yaml.")
        double multiLearningRate() default 5e-4;

        /** @return preserved share (multi) */
        @AttributeDefinition(description = "Preserved share of the steps for the LoRA training. Default 0.2:"
                + " paper Table 6, celebrities, t' = 40 of 50 ⇒ 5 of 25.")
        double multiPreserveFraction() default 0.2;

        /** @return λ1 (multi) */
        @AttributeDefinition(description = "λ1 of the LoRA training. Default 0.4: paper Table 6 (celebrities,"
                + " styles).")
        double multiLambdaPreserve() default 0.4;

        /** @return λ2 (multi) */
        @AttributeDefinition(description = "λ2 of the LoRA training. Default 0.5: paper Table 6.")
        double multiLambdaUncondLate() default 0.5;

        /** @return λ3 (multi) */
        @AttributeDefinition(description = "λ3 of the LoRA training. Default 0.2: paper Table 6.")
        double multiLambdaUncondEarly() default 0.2;

        /** @return LoRA rank */
        @AttributeDefinition(min = "1", description = "LoRA rank r on every cross-attention linear layer."
                + " Default 4: methods-gen §6 (the released c3lier uses 64 on SD). At most the layer's"
                + " smaller side.")
        int loraRank() default 4;

        /** @return LoRA α */
        @AttributeDefinition(description = "LoRA α; the delta is scaled by α/r. Default 4 (scale 1); the"
                + " released code uses α 1 at rank 64.")
        double loraAlpha() default 4.0;

        /** @return the scale of the LoRA delta in the fusion's values */
        @AttributeDefinition(description = "The trained LoRA delta is multiplied by this in W_i = W0 + scale·ΔW_i"
                + " before the fusion. Default 1.0 (the delta as trained); the released fuse_lora_ant.py uses"
                + " lora_scale 4.3.")
        double fusionLoraScale() default 1.0;

        /** @return s */
        @AttributeDefinition(description = "s, the weight of the preserve statistics in the fusion. Default 1.0"
                + " (the released code weights its domain statistics by an effective 20 over ~100 concepts).")
        double fusionPreserveScale() default 1.0;

        /** @return λ */
        @AttributeDefinition(description = "λ of the fusion (pull to W0). Default 1e-3: methods-gen §6 (avoids"
                + " a singular system at d 64); the released code uses 0.")
        double fusionLambda() default 1e-3;
    }

    /** Which of the paper's two methods runs. */
    enum Mode {
        /** The single-concept method. */
        SINGLE,
        /** LoRA per concept, then closed-form fusion. */
        MULTI;

        static Mode of(String code, int concepts) {
            return switch (code) {
                case "auto" -> concepts > 1 ? MULTI : SINGLE;
                case "single" -> SINGLE;
                case "multi" -> MULTI;
                default -> throw LetheException.invalidInput("setting 'mode' of " + PID
                        + " must be auto, single or multi, not '" + code + "'");
            };
        }
    }

    /** The saliency mask modes. */
    enum MaskMode {
        /** The AND of every map. */
        INTERSECTED,
        /** One map. */
        SINGLE,
        /** No mask. */
        NONE;

        static MaskMode of(String code) {
            for (MaskMode m : values()) {
                if (m.name().toLowerCase(Locale.ROOT).equals(code)) {
                    return m;
                }
            }
            throw LetheException.invalidInput("setting 'maskMode' of " + PID
                    + " must be intersected, single or none, not '" + code + "'");
        }
    }

    @Override
    public void erase(Task task, RunContext run) {
        Config config = task.config(Config.class);
        check(config);
        List<Long> seeds = seeds(config.saliencySeeds());
        MaskMode maskMode = MaskMode.of(config.maskMode());
        DiffusionModel model = task.model(DiffusionModel.class);
        List<Concept> concepts = task.concepts(Task.ERASE).items();
        // every prompt must be made of words the model knows (exit 3 otherwise), before anything changes
        List<List<String>> own = ErasePrompts.of(concepts, model, Task.ERASE);
        Mode mode = Mode.of(config.mode(), concepts.size());
        List<String> templates = templates(config.augmentationTemplates());
        List<String> loraLayers = mode == Mode.MULTI ? loraLayers(model, config.loraRank()) : List.of();
        List<List<String>> keep = mode == Mode.MULTI && task.has(Task.KEEP)
                ? ErasePrompts.of(task.concepts(Task.KEEP).items(), model, Task.KEEP) : null;

        DiffusionModel original = task.reference(DiffusionModel.class);
        original.freeze(original.parameters().keySet(), true);
        Map<String, Boolean> frozenBefore = frozenStates(model);
        try {
            if (mode == Mode.SINGLE) {
                single(config, maskMode, seeds, model, original, own, templates, run);
            } else {
                multi(config, model, original, own, keep, templates, loraLayers, run);
            }
        } finally {
            restore(model, frozenBefore);
        }
    }

    // ------------------------------------------------------------------ single concept

    private static void single(Config config, MaskMode maskMode, List<Long> seeds, DiffusionModel model,
            DiffusionModel original, List<List<String>> own, List<String> templates, RunContext run) {
        List<String> prompts = own.stream().flatMap(List::stream).distinct().toList();
        Set<String> augmentedSet = new LinkedHashSet<>();
        for (List<String> concept : own) {
            augmentedSet.addAll(ErasePrompts.augmented(concept, templates, model));
        }
        List<String> augmented = List.copyOf(augmentedSet);
        List<String> unet = model.parameterGroup(DiffusionModel.GROUP_UNET);
        model.freeze(model.parameters().keySet(), true);
        model.freeze(unet, false);
        Split split = new Split(config.ddimSteps(), Split.preservedSteps(config.preserveFraction(), config.ddimSteps()),
                config.splitFromCleanEnd(), config.eraseAllTimesteps());
        Weights weights = new Weights(config.eraseAllTimesteps() ? 0 : config.lambdaPreserve(),
                config.lambdaUncondLate(), config.lambdaUncondEarly());
        TrajectoryLoss loss = new TrajectoryLoss(model, original, split, weights, config.negativeGuidance(),
                config.startGuidance(), config.unconditionalGradient());
        run.log(String.format(Locale.ROOT, "ANT single: prompts %s; %d of %d DDIM steps preserved (%s), λ %s,"
                + " η %s, x_t at guidance %s, unconditional terms %s; mask %s", prompts, split.preserved(),
                split.ddimSteps(), config.splitFromCleanEnd() ? "the low-noise end, Single-code parity" : "from noise",
                weights, config.negativeGuidance(), config.startGuidance(),
                config.unconditionalGradient() ? "with gradient" : "without gradient", maskMode));

        Map<String, float[]> mask = switch (maskMode) {
            case NONE -> null;
            case SINGLE -> saliency(config, List.of(seeds.get(0)), List.of(prompts.get(0)), model, loss, unet, run);
            case INTERSECTED -> saliency(config, seeds, augmented, model, loss, unet, run);
        };
        Map<String, NDArray> masksById = new LinkedHashMap<>();
        if (mask != null) {
            Map<String, Parameter> parameters = model.parameters();
            mask.forEach((name, values) -> masksById.put(parameters.get(name).getId(),
                    run.manager().create(values, parameters.get(name).getArray().getShape())));
            run.log(String.format(Locale.ROOT, "ANT saliency mask keeps %.4f of the U-Net's %d tensors' elements",
                    SaliencyMask.density(mask), mask.size()));
        }
        List<Conditions> conditions = new ArrayList<>();
        for (String prompt : prompts) {
            conditions.add(Conditions.of(model, original, prompt, run.manager()));
        }
        Random random = run.random();
        Optimizer gate = new GradientGate(adam(config.learningRate()), masksById, Map.of());
        run.log("ANT stage 2: " + config.steps() + " iterations, Adam lr " + config.learningRate());
        run.optimise(model.model(), gate, config.steps(), (step, scope) -> {
            int p = random.nextInt(conditions.size());
            return loss.terms(split.draw(random), conditions.get(p), scope).total();
        });
    }

    /**
     * Stage 1: for every seed × prompt, the ANT loss for a few iterations from θ0 (the working model,
     * reset to θ0 after each map), accumulating signed gradients; per tensor the top fraction of
     * |G|; the AND of all maps.
     */
    private static Map<String, float[]> saliency(Config config, List<Long> seeds, List<String> prompts,
            DiffusionModel model, TrajectoryLoss loss, List<String> unet, RunContext run) {
        Map<String, Parameter> parameters = model.parameters();
        Map<String, float[]> theta0 = new LinkedHashMap<>();
        for (String name : unet) {
            theta0.put(name, parameters.get(name).getArray().toFloatArray());
        }
        Map<String, float[]> intersection = null;
        for (long seed : seeds) {
            for (String prompt : prompts) {
                try (NDManager map = run.manager().newSubManager()) {
                    Map<String, NDArray> accumulators = new LinkedHashMap<>();
                    for (String name : unet) {
                        Parameter p = parameters.get(name);
                        accumulators.put(p.getId(), map.zeros(p.getArray().getShape()));
                    }
                    Conditions conditions = Conditions.of(model, loss.original(), prompt, map);
                    Random random = new Random(seed);
                    run.optimise(model.model(), new GradientGate(adam(config.saliencyLearningRate()), Map.of(),
                            accumulators), config.saliencySteps(),
                            (step, scope) -> loss.terms(loss.split().draw(random), conditions, scope).total());
                    Map<String, float[]> gradients = new LinkedHashMap<>();
                    for (String name : unet) {
                        gradients.put(name, accumulators.get(parameters.get(name).getId()).toFloatArray());
                    }
                    Map<String, float[]> next = SaliencyMask.map(gradients, config.saliencyFraction(),
                            config.keepSmallest());
                    if (intersection == null) {
                        intersection = next;
                    } else {
                        SaliencyMask.intersect(intersection, next);
                    }
                } finally {
                    // θ' = copy(θ0) for the next map, and θ0 for stage 2
                    theta0.forEach((name, values) -> write(parameters.get(name), values));
                }
                run.log(String.format(Locale.ROOT, "ANT saliency map seed %d prompt '%s': intersection keeps %.4f",
                        seed, prompt, SaliencyMask.density(intersection)));
            }
        }
        return intersection;
    }

    /** Writes values into a parameter in place, outside its gradient record. */
    private static void write(Parameter parameter, float[] values) {
        NDArray array = parameter.getArray();
        boolean recording = array.hasGradient();
        array.setRequiresGradient(false);
        array.set(values);
        if (recording) {
            array.setRequiresGradient(true);
        }
    }

    // ------------------------------------------------------------------ several concepts

    private static void multi(Config config, DiffusionModel model, DiffusionModel original, List<List<String>> own,
            List<List<String>> keep, List<String> templates, List<String> loraLayers, RunContext run) {
        Split split = new Split(config.ddimSteps(), Split.preservedSteps(config.multiPreserveFraction(),
                config.ddimSteps()), config.splitFromCleanEnd(), config.eraseAllTimesteps());
        Weights weights = new Weights(config.eraseAllTimesteps() ? 0 : config.multiLambdaPreserve(),
                config.multiLambdaUncondLate(), config.multiLambdaUncondEarly());
        TrajectoryLoss loss = new TrajectoryLoss(model, original, split, weights, config.negativeGuidance(),
                config.startGuidance(), config.unconditionalGradient());
        List<String> projections = List.copyOf(model.crossAttentionProjections().keySet());
        double scale = config.loraAlpha() / config.loraRank() * config.fusionLoraScale();
        run.log(String.format(Locale.ROOT, "ANT multi: %d concepts %s; LoRA rank %d α %s on %d cross-attention"
                + " layers, %d iterations each, lr %s; %d of %d steps preserved, λ %s; fusion into %d to_k/to_v,"
                + " s %s, λ %s", own.size(), own, config.loraRank(), config.loraAlpha(), loraLayers.size(),
                config.multiSteps(), config.multiLearningRate(), split.preserved(), split.ddimSteps(), weights,
                projections.size(), config.fusionPreserveScale(), config.fusionLambda()));
        model.freeze(model.parameters().keySet(), true);

        Map<String, double[][]> base = new LinkedHashMap<>();
        for (String name : projections) {
            base.put(name, matrix(original.projection(name, run.manager())));
        }
        List<Map<String, double[][]>> conceptWeights = new ArrayList<>();
        Random random = run.random();
        for (List<String> prompts : own) {
            Lora lora = model.injectLora(new LoraRequest(loraLayers, config.loraRank(), config.loraAlpha(),
                    random.nextLong()));
            try {
                List<Conditions> conditions = new ArrayList<>();
                for (String prompt : prompts) {
                    conditions.add(Conditions.of(model, original, prompt, run.manager()));
                }
                run.optimise(model.model(), adam(config.multiLearningRate()), config.multiSteps(), (step, scope) -> {
                    int p = random.nextInt(conditions.size());
                    return loss.terms(split.draw(random), conditions.get(p), scope).total();
                });
                Map<String, Parameter> adapter = lora.parameters();
                Map<String, double[][]> merged = new LinkedHashMap<>();
                for (String name : projections) {
                    String layer = name.substring(0, name.length() - ".weight".length());
                    Parameter a = adapter.get(layer + ".lora_A.weight");
                    Parameter b = adapter.get(layer + ".lora_B.weight");
                    merged.put(name, a == null ? base.get(name) : plusLowRank(base.get(name), b, a, scale));
                }
                conceptWeights.add(merged);
            } finally {
                lora.close();
            }
        }

        int width = model.contextWidth();
        List<double[][]> conceptGrams = new ArrayList<>();
        for (List<String> prompts : own) {
            conceptGrams.add(gram(original, ErasePrompts.augmented(prompts, templates, model), width, run.manager()));
        }
        List<String> preservePrompts = preservePrompts(keep, own, templates, model);
        run.log("ANT fusion preserve prompts (" + (keep != null ? "the keep role" : "derived from the vocabulary")
                + "): " + preservePrompts);
        double[][] preserveGram = gram(original, preservePrompts, width, run.manager());
        for (String name : projections) {
            List<double[][]> weightsOfConcepts = conceptWeights.stream().map(m -> m.get(name)).toList();
            ClosedFormFusion.Solution solution = ClosedFormFusion.solve(base.get(name), weightsOfConcepts,
                    conceptGrams, preserveGram, config.fusionPreserveScale(), config.fusionLambda(),
                    message -> run.log("ANT fusion " + name + ": " + message));
            model.setProjection(name, array(solution.weight(), run.manager()));
        }
    }

    /**
     * The fusion's preserve prompts: the keep role's names and aliases when given; else every word
     * of the model's vocabulary that is not a word of an erased prompt (the concepts the model knows
     * besides the erased ones; an unlisted alias of an erased concept is among them), else the empty
     * prompt alone.
     */
    static List<String> preservePrompts(List<List<String>> keep, List<List<String>> erased, List<String> templates,
            DiffusionModel model) {
        if (keep != null) {
            Set<String> out = new LinkedHashSet<>();
            for (List<String> concept : keep) {
                out.addAll(ErasePrompts.augmented(concept, templates, model));
            }
            return List.copyOf(out);
        }
        Set<String> erasedWords = new LinkedHashSet<>();
        erased.forEach(prompts -> prompts.forEach(p -> erasedWords.addAll(List.of(p.toLowerCase(Locale.ROOT)
                .split("\\s+")))));
        List<String> words = ErasePrompts.vocabulary(model).stream().filter(w -> !erasedWords.contains(w)).toList();
        return words.isEmpty() ? List.of("") : words;
    }

    /** Σ over every token of every prompt's context c·cᵀ, by the frozen text encoder. */
    private static double[][] gram(DiffusionModel original, List<String> prompts, int width, NDManager manager) {
        try (NDManager scratch = manager.newSubManager()) {
            return ClosedFormFusion.gram(original.encode(prompts, scratch).toFloatArray(), width);
        }
    }

    /**
     * The cross-attention linear layers a LoRA goes on, refused as invalid input when the rank
     * exceeds a layer's smaller side (a rank-r factorisation of an out × in matrix needs r ≤ min).
     */
    static List<String> loraLayers(DiffusionModel model, int rank) {
        List<String> layers = model.linearLayers().stream().filter(n -> n.contains(".attn2.")).toList();
        if (layers.isEmpty()) {
            throw LetheException.invalidInput("ant: the model has no cross-attention linear layer for LoRA (multi mode)");
        }
        Map<String, Parameter> parameters = model.parameters();
        for (String layer : layers) {
            Shape shape = parameters.get(layer + ".weight").getArray().getShape();
            long out = shape.get(0);
            long in = shape.get(1);
            if (rank > Math.min(in, out)) {
                throw LetheException.invalidInput("setting 'loraRank' of " + PID + " is " + rank
                        + ", larger than layer '" + layer + "' (in " + in + ", out " + out + "): at most "
                        + Math.min(in, out));
            }
        }
        return layers;
    }

    private static double[][] plusLowRank(double[][] w0, Parameter b, Parameter a, double scale) {
        double[][] bm = matrix(b.getArray());
        double[][] am = matrix(a.getArray());
        int out = w0.length;
        int in = w0[0].length;
        double[][] w = new double[out][in];
        for (int i = 0; i < out; i++) {
            for (int j = 0; j < in; j++) {
                double sum = 0;
                for (int r = 0; r < am.length; r++) {
                    sum += bm[i][r] * am[r][j];
                }
                w[i][j] = w0[i][j] + scale * sum;
            }
        }
        return w;
    }

    /** A 2-d array as double rows. */
    static double[][] matrix(NDArray array) {
        int rows = (int) array.getShape().get(0);
        int cols = (int) array.getShape().get(1);
        float[] values = array.toFloatArray();
        double[][] out = new double[rows][cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                out[i][j] = values[i * cols + j];
            }
        }
        return out;
    }

    private static NDArray array(double[][] matrix, NDManager manager) {
        int rows = matrix.length;
        int cols = matrix[0].length;
        float[] values = new float[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                values[i * cols + j] = (float) matrix[i][j];
            }
        }
        return manager.create(values, new Shape(rows, cols));
    }

    // ------------------------------------------------------------------ settings

    private static Optimizer adam(double learningRate) {
        return Optimizer.adam().optLearningRateTracker(Tracker.fixed((float) learningRate)).build();
    }

    static List<Long> seeds(String text) {
        List<Long> out = new ArrayList<>();
        // Metatype escapes the separators of a default ("24\\ 42"): a backslash is never part of a seed
        for (String part : text.replace("\\", " ").split("[,\\s]+")) {
            String s = part.trim();
            if (s.isEmpty()) {
                continue;
            }
            try {
                out.add(Long.parseLong(s));
            } catch (NumberFormatException e) {
                throw LetheException.invalidInput("setting 'saliencySeeds' of " + PID
                        + " must be integers separated by spaces or commas, not '" + text + "'");
            }
        }
        if (out.isEmpty()) {
            throw LetheException.invalidInput("setting 'saliencySeeds' of " + PID + " names no seed");
        }
        return out;
    }

    static List<String> templates(String text) {
        List<String> out = new ArrayList<>();
        // Metatype escapes a default's spaces and commas ("{}\\ circle"): drop the escapes
        for (String part : text.replaceAll("\\\\(.)", "$1").split(";")) {
            String t = part.trim();
            if (t.isEmpty()) {
                continue;
            }
            if (!t.contains(ErasePrompts.SLOT)) {
                throw LetheException.invalidInput("setting 'augmentationTemplates' of " + PID + ": template '" + t
                        + "' has no " + ErasePrompts.SLOT + " for the concept's name");
            }
            out.add(t);
        }
        return out;
    }

    private static void check(Config config) {
        finite("negativeGuidance", config.negativeGuidance());
        finite("startGuidance", config.startGuidance());
        positive("learningRate", config.learningRate());
        positive("saliencyLearningRate", config.saliencyLearningRate());
        positive("multiLearningRate", config.multiLearningRate());
        atLeast("steps", config.steps(), 1);
        atLeast("saliencySteps", config.saliencySteps(), 1);
        atLeast("multiSteps", config.multiSteps(), 1);
        atLeast("ddimSteps", config.ddimSteps(), 2);
        atLeast("loraRank", config.loraRank(), 1);
        fraction("preserveFraction", config.preserveFraction(), false);
        fraction("multiPreserveFraction", config.multiPreserveFraction(), false);
        fraction("saliencyFraction", config.saliencyFraction(), true);
        Map<String, Double> weights = new LinkedHashMap<>();
        weights.put("lambdaPreserve", config.lambdaPreserve());
        weights.put("lambdaUncondLate", config.lambdaUncondLate());
        weights.put("lambdaUncondEarly", config.lambdaUncondEarly());
        weights.put("multiLambdaPreserve", config.multiLambdaPreserve());
        weights.put("multiLambdaUncondLate", config.multiLambdaUncondLate());
        weights.put("multiLambdaUncondEarly", config.multiLambdaUncondEarly());
        weights.put("fusionPreserveScale", config.fusionPreserveScale());
        weights.put("fusionLambda", config.fusionLambda());
        weights.forEach((key, value) -> {
            if (!(value >= 0) || !Double.isFinite(value)) {
                throw LetheException.invalidInput("setting '" + key + "' of " + PID
                        + " must be a finite number ≥ 0, not " + value);
            }
        });
        if (!(config.loraAlpha() > 0) || !Double.isFinite(config.loraAlpha())) {
            throw LetheException.invalidInput("setting 'loraAlpha' of " + PID + " must be a positive number, not "
                    + config.loraAlpha());
        }
        finite("fusionLoraScale", config.fusionLoraScale());
        Mode.of(config.mode(), 1);
        seeds(config.saliencySeeds());
        templates(config.augmentationTemplates());
    }

    private static void finite(String key, double value) {
        if (!Double.isFinite(value)) {
            throw LetheException.invalidInput("setting '" + key + "' of " + PID + " must be a finite number, not " + value);
        }
    }

    private static void positive(String key, double value) {
        if (!(value > 0) || !Double.isFinite(value)) {
            throw LetheException.invalidInput("setting '" + key + "' of " + PID + " must be a positive number, not "
                    + value);
        }
    }

    private static void atLeast(String key, int value, int least) {
        if (value < least) {
            throw LetheException.invalidInput("setting '" + key + "' of " + PID + " must be at least " + least
                    + ", not " + value);
        }
    }

    private static void fraction(String key, double value, boolean oneAllowed) {
        if (!(value > 0) || value > 1 || (!oneAllowed && value >= 1)) {
            throw LetheException.invalidInput("setting '" + key + "' of " + PID + " must be in (0, 1"
                    + (oneAllowed ? "]" : ")") + ", not " + value);
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
}
