package org.lethe.method.realera;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
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
import org.lethe.api.model.diffusion.DiffusionModel.Sample;
import org.lethe.api.model.diffusion.DiffusionModel.SampleRequest;
import org.lethe.api.run.RunContext;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * RealEra, semantic-level concept erasure via neighbour-concept mining (Liu, An, Zhang, Li, Wu, Gu,
 * Lin, Wang, arXiv 2410.09140, 2024; methods-gen.md §3). <b>A reconstruction</b>: the paper has no
 * public code and its method section was not retrievable; verified are the four components and the
 * constraints d(e, e+η) ≤ D1, cos(e, e+η) ∈ [S1, S2]. Every other choice ([R] in the README) is a
 * setting, pinned to the UCE/MACE code the paper cites as its lineage.
 *
 * <pre>
 * e = encoding of c (per token); B0 = tokens of the other concepts and of ∅; e_a = encoding of the anchor (∅)
 * D1, S1, S2 = calibrate(d_syn = d(c, its aliases), d_other = d(c, nearest other concept)); D2 = 2·D1
 * N = mineNeighbours(e, D1, S1, S2, n = 48);  Bshell = mineShell(e, D1, D2, n = 48);  B = B0 ∪ Bshell
 * E = {e} ∪ aliases(c) ∪ N
 * context = prompts (default): the same in every context of the templates ("red square on stripes"), each
 *     token mapped to the concept-free prompt's token ("square on stripes", shifted by |c|); B gains the
 *     concept-free contexts and the other concepts of c's attribute in them (see {@link Contexts})
 * closed form, for W in attn2.{to_k, to_v}:
 *     W ← W0 (Σ_{x∈E} e_a xᵀ + α Σ_b b bᵀ + λI)(Σ_{x∈E} x xᵀ + α Σ_b b bᵀ + λI)⁻¹          # per token
 * LoRA Δ (rank 4) on attn2.{to_q, to_k, to_v, to_out.0}; θ0 = frozen original
 * for it in 1..300:
 *     x ~ E, b ~ B (whole conditions);  k ~ U{0..S−1};  x_t = DDIM(θ, c, w = 3, stop after k)      # no gradient
 *     ε* = ε_θ0(x_t, e_a, t) − η(ε_θ0(x_t, x, t) − ε_θ0(x_t, e_a, t))      # e_a: the concept-free prompt in context
 *     loss = ‖ε_θ+Δ(x_t, x, t) − ε*‖² + β‖ε_θ+Δ(x_t, b, t) − ε_θ0(x_t, b, t)‖²;  Adam(Δ, lr 1e-3)
 * merge Δ into W
 * </pre>
 *
 * The order of the closed form and the LoRA is a setting (default closed form first, MACE's
 * order). Everything is validated, and the radius is calibrated and the neighbours mined, before
 * the model is changed.
 */
@Component(configurationPid = RealEra.PID)
@MethodProperties(method = "realera", modality = "text-to-image",
        paper = "Liu, An, Zhang, Li, Wu, Gu, Lin, Wang, Semantic-level Concept Erasure via Neighbor-Concept Mining,"
                + " arXiv 2410.09140, 2024 (no public code: a reconstruction, research/methods-gen.md §3)",
        inputs = Task.ERASE)
@Designate(ocd = RealEra.Config.class)
public final class RealEra implements ErasureMethod {

    /** Configuration PID. */
    public static final String PID = "org.lethe.method.realera";

    /** The closed form first, then the LoRA (MACE's order; the default). */
    static final String CLOSED_FORM_FIRST = "closed-form-first";

    /** The default of {@code minCosine}: below −1, so no cosine; S1 is then the cosine at D1. */
    static final double CALIBRATED_COSINE = -2;

    /** {@code context}: the concept's own tokens (the bare concept prompts and their aliases). */
    static final String CONCEPT = "concept";

    /** {@code context}: all tokens of prompts with the concept in context, and the bare concept. */
    static final String PROMPTS = "prompts";

    /** The default templates of {@code contexts}: the shapes world's grammar. */
    static final String SHAPES_CONTEXTS = "{colour} {shape}; {colour} {shape} on {texture}";

    /** The LoRA first, then the closed form. */
    static final String LORA_FIRST = "lora-first";

    /**
     * Hyper-parameters. RealEra's own values were not retrievable: [R] marks a reconstruction
     * (methods-gen.md §3 and Part B §6, the RealEra row), with the code it follows where there is one.
     */
    @ObjectClassDefinition(name = "RealEra", description = "Semantic-level concept erasure: neighbour-concept mining,"
            + " a closed-form cross-attention edit and LoRA prediction-noise alignment (a reconstruction).")
    public @interface Config {

        /** @return whether neighbours are mined */
        @AttributeDefinition(description = "Mine neighbours e' of the concept's embedding into the erase set (§3.1)."
                + " false gives the same closed-form update and alignment on the concept and its given aliases only:"
                + " the UCE-style baseline without mining. Default true.")
        boolean mining() default true;

        /** @return N, the neighbours mined per concept */
        @AttributeDefinition(min = "1", description = "Neighbours mined per erased concept. Default 48 [R]:"
                + " methods-gen.md §3.1 (32–64) and §3.5.")
        int neighbours() default 48;

        /** @return whether the beyond-concept shell is added to the preserve set */
        @AttributeDefinition(description = "Add beyond-concept samples, d(e, e_b) in (D1, D2], to the preserve set"
                + " (§3.2). Default true.")
        boolean shell() default true;

        /** @return beyond-concept samples per concept */
        @AttributeDefinition(min = "1", description = "Beyond-concept samples per erased concept. Default 48 [R]:"
                + " methods-gen.md §6, RealEra row.")
        int shellSamples() default 48;

        /** @return D1 before scaling, 0 to calibrate */
        @AttributeDefinition(min = "0", description = "D1, the neighbourhood radius (token-wise Euclidean distance"
                + " in the text encoder's output), before radiusScale. Default 0: calibrated [R], D1 = min(½(d_syn +"
                + " d_other), radiusCap·d_other), d_syn = median distance of the concept to its given aliases,"
                + " d_other = distance to the nearest different concept of the same attribute (methods-gen.md §3.1).")
        double radius() default 0;

        /** @return the multiplier of D1 */
        @AttributeDefinition(min = "0", description = "Multiplies D1 (calibrated or set): the paper's key ablation,"
                + " erase range against specificity (methods-gen.md §3.1 sweeps 0.5, 1, 1.5). Default 1.")
        double radiusScale() default 1.0;

        /** @return the cap of the calibrated D1 as a fraction of d_other */
        @AttributeDefinition(min = "0", max = "1", description = "The calibrated D1 stays at most this fraction of"
                + " d_other, so the nearest real other concept lies outside the neighbourhood. Default 0.9 [R]"
                + " (methods-gen.md §3.1: \"capped below d_other\").")
        double radiusCap() default 0.9;

        /** @return S1, or a value below −1 for the cosine at D1 */
        @AttributeDefinition(min = "-2", max = "1", description = "S1, the least cosine of e and a neighbour. Default"
                + " −2, or any value below −1 (no cosine is): the cosine at D1, ‖e‖/√(‖e‖² + D1²), that of a"
                + " perturbation of length D1 orthogonal to e [R].")
        double minCosine() default CALIBRATED_COSINE;

        /** @return S2 */
        @AttributeDefinition(min = "-1", max = "1", description = "S2, the largest cosine of e and a neighbour:"
                + " excludes near-copies of e, which add nothing. Default 0.999 [R] (methods-gen.md §3.1).")
        double maxCosine() default 0.999;

        /** @return D2 / D1 */
        @AttributeDefinition(min = "1", description = "D2 / D1, the outer radius of the beyond-concept shell."
                + " Default 2 [R] (methods-gen.md §3.2).")
        double shellScale() default 2.0;

        /** @return the weight of the shell samples in the preserve set */
        @AttributeDefinition(min = "0", description = "Weight of each shell token in the closed form's preserve sum,"
                + " before α (the real other concepts weigh 1). Default 1 [R].")
        double shellWeight() default 1.0;

        /** @return what e is: the concept's tokens, or all tokens of prompts containing it */
        @AttributeDefinition(description = "What the erase set is made of (methods-gen.md §3.1: e is \"the token(s) of"
                + " c, or all tokens of a prompt containing c\"; §3.3: MACE uses all tokens of augmented prompts) [R]."
                + " prompts (default): the concept and its aliases bare and in every context of 'contexts', each token"
                + " mapped to the corresponding token of the same prompt without the concept, the other concepts of"
                + " its attribute in the same contexts preserved; the text encoder is causal, so the words after the"
                + " concept carry it. concept: the bare concept prompts only, each position mapped to the anchor's.",
                options = {@Option(value = PROMPTS, label = "all tokens of prompts containing the concept"),
                    @Option(value = CONCEPT, label = "the concept's own prompts")})
        String context() default PROMPTS;

        /** @return the context templates */
        @AttributeDefinition(description = "Templates of the contexts (context = prompts), separated by ';': an"
                + " attribute in braces is a slot; the erased concept fills its own attribute's slot, the other slots"
                + " run over the keep concepts of that attribute (names and aliases), other words stay. A template"
                + " without the concept's slot, with a slot no keep concept fills, with a word the model does not"
                + " know, or too long is skipped (logged). Default: the shapes world's grammar [R].")
        String contexts() default SHAPES_CONTEXTS;

        /** @return the anchor prompt */
        @AttributeDefinition(description = "The anchor e_a the concept is mapped to, token by token: empty (default)"
                + " is the null condition (the empty prompt), UCE's guide for objects and methods-gen.md §6's"
                + " choice for colours [R]; a prompt (e.g. 'plain' for a texture) uses its encoding.")
        String anchor() default "";

        /** @return α */
        @AttributeDefinition(min = "0", description = "α, the preserve weight of the closed form. Default 1: UCE's"
                + " preserve_scale (uce_sd_erase.py).")
        double alpha() default 1.0;

        /** @return λ */
        @AttributeDefinition(min = "0", description = "λ, the weight of staying at W0 in the closed form. Default"
                + " 0.5: UCE's lamb (uce_sd_erase.py). Raised, and logged, when the system is singular or"
                + " ill-conditioned (see maxCondition).")
        double lambda() default 0.5;

        /** @return the largest condition number accepted */
        @AttributeDefinition(min = "1", description = "The largest condition number of Σxxᵀ + αΣbbᵀ + λI accepted;"
                + " above it λ is raised until it is met, and the run notes it (the comparison report lists the note under the row). Default 1e8 [R] (the edited"
                + " weights are float32).")
        double maxCondition() default 1e8;

        /** @return the order of the two optimisations */
        @AttributeDefinition(description = "closed-form-first (default): MACE's order (closed-form refinement, then"
                + " LoRA; Shilin-LU/MACE); lora-first: the alignment first. RealEra's text names only \"two"
                + " optimization processes\" [R].",
                options = {@Option(value = CLOSED_FORM_FIRST, label = "closed form, then LoRA"),
                    @Option(value = LORA_FIRST, label = "LoRA, then closed form")})
        String order() default CLOSED_FORM_FIRST;

        /** @return LoRA iterations, 0 for none */
        @AttributeDefinition(min = "0", description = "Iterations of the prediction-noise alignment (one x_t, batch"
                + " 1). Default 300 [R] (methods-gen.md §3.5 and §6). 0 skips the LoRA (closed form only).")
        int loraSteps() default 300;

        /** @return the LoRA rank */
        @AttributeDefinition(min = "1", description = "LoRA rank on the cross-attention Q/K/V/out layers. Default 4"
                + " [R] (methods-gen.md §3.4).")
        int loraRank() default 4;

        /** @return LoRA α */
        @AttributeDefinition(min = "0", description = "LoRA α: the delta is scaled by α/rank. Default 4 (scale 1)"
                + " [R].")
        double loraAlpha() default 4.0;

        /** @return Adam's learning rate */
        @AttributeDefinition(min = "0", description = "Adam learning rate of the LoRA. Default 1e-3 [R]"
                + " (methods-gen.md §3.5).")
        double learningRate() default 1e-3;

        /** @return β */
        @AttributeDefinition(min = "0", description = "β, the weight of the beyond-concept preservation term of the"
                + " alignment. Default 1 [R] (methods-gen.md §3.4).")
        double beta() default 1.0;

        /** @return η of the ESD-style erase target, 0 for the anchor's prediction */
        @AttributeDefinition(min = "0", description = "η, the erase target of the alignment: ε_θ0(x_t, e_a) − η·(ε_θ0(x_t,"
                + " x) − ε_θ0(x_t, e_a)), e_a the anchor (the concept-free prompt in context). 0 is the anchor's own"
                + " prediction (methods-gen.md §3.4's first form); above 0 the ESD target, which §3.4 allows (\"replace"
                + " the first target with the ESD target of §1; keep neighbours as inputs\"), with ESD's"
                + " negative_guidance η. Default 1 [R], chosen by measurement on the full-size shapes model (README).")
        double eta() default 1.0;

        /** @return DDIM steps of the partial sampling */
        @AttributeDefinition(min = "1", description = "S, the DDIM steps of the schedule x_t is sampled on (the"
                + " model's own samples for the concept prompt, ESD-style [R]). Default 25: the shapes model's"
                + " sampler (methods-gen.md §6).")
        int ddimSteps() default 25;

        /** @return guidance of the partial sampling */
        @AttributeDefinition(description = "Guidance w of the DDIM sampling that produces x_t. Default 3.0: ESD's"
                + " start_guidance, which methods-gen.md §6 uses for x_t inside training [R].")
        double startGuidance() default 3.0;
    }

    @Override
    public void erase(Task task, RunContext run) {
        Config config = task.config(Config.class);
        check(config);
        DiffusionModel model = task.model(DiffusionModel.class);
        List<Concept> erase = task.concepts(Task.ERASE).items();
        if (erase.isEmpty()) {
            throw LetheException.invalidInput("realera: no concept to erase (the '" + Task.ERASE + "' role is empty)");
        }
        // everything is checked and mined before anything changes (exit 3 otherwise)
        List<List<String>> erasePrompts = ErasePrompts.of(erase, Task.ERASE, model);
        ErasePrompts.checkPrompt(config.anchor(), "anchor '" + config.anchor() + "'", model);
        PreserveSet preserve = PreserveSet.of(task, erase, erasePrompts, model);
        List<String> loraLayers = config.loraSteps() > 0 ? loraLayers(model, config.loraRank()) : List.of();
        run.log("realera: " + preserve.describe());

        NDManager memory = run.manager();
        Embeddings embeddings = new Embeddings(model, memory);
        double[][] anchor = embeddings.of(config.anchor());
        Random random = run.random();
        Random mining = new Random(random.nextLong());
        boolean inContext = PROMPTS.equals(config.context());
        int anchorWords = Contexts.words(config.anchor());
        List<Embedding> eraseSet = new ArrayList<>();
        List<Embedding> shellSet = new ArrayList<>();
        List<String> samplingPrompts = new ArrayList<>();
        List<String> preservePrompts = new ArrayList<>(preserve.prompts());
        Set<String> preserved = new LinkedHashSet<>(preservePrompts);
        preserved.add("");
        for (int c = 0; c < erase.size(); c++) {
            Concept concept = erase.get(c);
            List<String> prompts = erasePrompts.get(c);
            List<Contexts.Context> contexts = inContext ? contexts(config, concept, preserve, model, run)
                    : List.of(Contexts.Context.BARE);
            Map<String, double[][]> calibration = preserve.calibrationEmbeddings(concept, embeddings);
            List<Contexts.Context> mineable = new ArrayList<>();
            List<NeighbourMining.Radius> radii = new ArrayList<>();
            int[] minedAt = new int[model.contextLength()];
            for (Contexts.Context context : contexts) {
                double[][] free = inContext ? embeddings.of(context.with(config.anchor())) : anchor;
                double[][] targets = inContext ? Contexts.targets(context, Contexts.words(prompts.get(0)), anchorWords,
                        free, anchor) : anchor;
                double[][] e = embeddings.of(context.with(prompts.get(0)));
                List<double[][]> aliases = prompts.subList(1, prompts.size()).stream()
                        .map(alias -> embeddings.of(context.with(alias))).toList();
                NeighbourMining.Radius radius = null;
                if (config.mining() || config.shell() || (inContext && !calibration.isEmpty())) {
                    Map<String, double[][]> others = new LinkedHashMap<>();
                    calibration.forEach((name, bare) -> others.put(name, context.bare() ? bare
                            : embeddings.of(context.with(name))));
                    radius = NeighbourMining.calibrate(context.bare() ? concept.name()
                            : concept.name() + "' in '" + context.with("·"), e, aliases, others, settings(config));
                    if (context.bare() && (config.mining() || config.shell())) {
                        run.log("realera: radius of " + radius.describe());
                    }
                }
                // in context, the positions that carry the concept: its own, and those with room for a
                // neighbour (the others are near-copies of the other concepts' tokens in the same context,
                // which the preserve set keeps in place)
                boolean[] carries = new boolean[e.length];
                for (int p = 0; p < e.length; p++) {
                    carries[p] = !inContext || radius == null || radius.mined(p)
                            || (p >= context.start() && p < context.start() + Contexts.words(prompts.get(0)));
                }
                eraseSet.add(Embedding.of(e, carries, targets, free));
                samplingPrompts.add(context.with(prompts.get(0)));
                for (int i = 1; i < prompts.size(); i++) {
                    String alias = prompts.get(i);
                    boolean[] aliasCarries = carries.clone();
                    for (int p = context.start(); p < Math.min(e.length, context.start() + Contexts.words(alias)); p++) {
                        aliasCarries[p] = true;
                    }
                    eraseSet.add(Embedding.of(aliases.get(i - 1), aliasCarries, inContext ? Contexts.targets(context,
                            Contexts.words(alias), anchorWords, free, anchor) : anchor, free));
                    samplingPrompts.add(context.with(alias));
                }
                if (inContext && !context.bare()) {
                    // the same contexts without the concept, and with the other concepts of its attribute
                    List<String> kept = new ArrayList<>();
                    kept.add(context.with(config.anchor()));
                    for (Concept k : preserve.concepts()) {
                        if (calibration.containsKey(k.name())) {
                            kept.add(context.with(k.name()));
                            k.aliases().forEach(al -> kept.add(context.with(al)));
                        }
                    }
                    kept.stream().filter(preserved::add).forEach(preservePrompts::add);
                }
                if (!config.mining() && !config.shell()) {
                    continue;
                }
                if (!radius.minedPositions().isEmpty() || context.bare()) {
                    mineable.add(context);
                    radii.add(radius);
                    radius.minedPositions().forEach(p -> minedAt[p]++);
                }
            }
            if (inContext && (config.mining() || config.shell())) {
                run.log("realera: '" + concept.name() + "' in " + contexts.size() + " contexts (the bare concept and "
                        + (contexts.size() - 1) + " prompts); contexts with a mined position, per position: "
                        + java.util.Arrays.toString(minedAt));
            }
            if (!config.mining() && !config.shell()) {
                continue;
            }
            if (radii.get(0).minedPositions().isEmpty() && mineable.size() > 1) {
                // the bare concept has no room but a context has: mine there
                mineable.remove(0);
                radii.remove(0);
            }
            // N neighbours (and N shell samples) per concept, spread over its contexts in turn
            for (int pass = 0; pass < 2; pass++) {
                boolean neighbours = pass == 0;
                if (neighbours ? !config.mining() : !config.shell()) {
                    continue;
                }
                int total = neighbours ? config.neighbours() : config.shellSamples();
                for (int k = 0; k < mineable.size(); k++) {
                    int count = total / mineable.size() + (k < total % mineable.size() ? 1 : 0);
                    if (count == 0) {
                        continue;
                    }
                    Contexts.Context context = mineable.get(k);
                    NeighbourMining.Radius radius = radii.get(k);
                    double[][] e = embeddings.of(context.with(prompts.get(0)));
                    double[][] free = inContext ? embeddings.of(context.with(config.anchor())) : anchor;
                    double[][] targets = inContext ? Contexts.targets(context, Contexts.words(prompts.get(0)),
                            anchorWords, free, anchor) : anchor;
                    if (neighbours) {
                        NeighbourMining.neighbours(e, radius, count, mining)
                                .forEach(n -> eraseSet.add(Embedding.mined(n, radius, targets, free)));
                    } else {
                        NeighbourMining.shell(e, radius, count, mining)
                                .forEach(b -> shellSet.add(Embedding.mined(b, radius, targets, free)));
                    }
                }
            }
        }
        List<double[][]> realPreserve = new ArrayList<>();
        for (String prompt : preservePrompts) {
            realPreserve.add(embeddings.of(prompt));
        }
        realPreserve.add(embeddings.of(""));
        run.log(String.format(Locale.ROOT, "realera: E = %d embeddings (%s%s), B = %d real (other concepts%s and ∅) + %d"
                + " shell; anchor %s", eraseSet.size(), config.mining() ? "concepts, given aliases, mined neighbours"
                : "concepts and given aliases, no mining", inContext ? ", in context" : "", realPreserve.size(),
                inContext ? " and the contexts, alone and with them" : "", shellSet.size(),
                config.anchor().isEmpty() ? "∅ (the null condition)" : "'" + config.anchor() + "'"));

        DiffusionModel original = task.reference(DiffusionModel.class);
        original.freeze(original.parameters().keySet(), true);
        Alignment alignment = new Alignment(model, original, config, loraLayers, samplingPrompts, embeddings,
                eraseSet, realPreserve, shellSet);
        if (CLOSED_FORM_FIRST.equals(config.order())) {
            closedForm(model, config, eraseSet, realPreserve, shellSet, run);
            alignment.run(run, random);
        } else {
            alignment.run(run, random);
            closedForm(model, config, eraseSet, realPreserve, shellSet, run);
        }
    }

    /**
     * The contexts of a concept (context = prompts): the bare concept and every context of the
     * templates whose words the model knows; the templates and contexts left out are logged.
     */
    private static List<Contexts.Context> contexts(Config config, Concept concept, PreserveSet preserve,
            DiffusionModel model, RunContext run) {
        Map<String, String> skipped = new LinkedHashMap<>();
        List<Contexts.Context> all = Contexts.of(config.contexts(), concept,
                preserve.fromKeep() ? preserve.concepts() : List.of(), model.contextLength() - 1, skipped);
        List<Contexts.Context> out = new ArrayList<>();
        Set<String> unknown = new LinkedHashSet<>();
        for (Contexts.Context context : all) {
            String prompt = context.with(concept.name());
            try {
                ErasePrompts.checkPrompt(prompt, "context '" + prompt + "'", model);
                out.add(context);
            } catch (LetheException e) {
                unknown.add(prompt);
            }
        }
        skipped.forEach((template, why) -> run.log("realera: context template '" + template + "' skipped: " + why));
        if (!unknown.isEmpty()) {
            run.log("realera: " + unknown.size() + " contexts skipped, a word the model does not know or too long"
                    + " (e.g. '" + unknown.iterator().next() + "')");
        }
        return out;
    }

    /**
     * The closed-form edit of every cross-attention key and value projection (§3.3), token by token:
     * each token of each erase embedding is mapped to the anchor's token at the same position.
     */
    static ClosedForm.Solution closedForm(DiffusionModel model, Config config, List<Embedding> eraseSet,
            List<double[][]> realPreserve, List<Embedding> shellSet, RunContext run) {
        ClosedForm form = new ClosedForm(model.contextWidth());
        for (Embedding x : eraseSet) {
            for (int p = 0; p < x.tokens().length; p++) {
                if (x.closedForm()[p] && x.targets()[p] != null) {
                    form.erase(x.tokens()[p], x.targets()[p]);
                }
            }
        }
        for (double[][] b : realPreserve) {
            for (double[] token : b) {
                form.preserve(token, 1);
            }
        }
        for (Embedding b : shellSet) {
            for (int p = 0; p < b.tokens().length; p++) {
                if (b.closedForm()[p]) {
                    form.preserve(b.tokens()[p], config.shellWeight());
                }
            }
        }
        ClosedForm.Solution solution = form.solve(config.alpha(), config.lambda(), config.maxCondition());
        run.log("realera: closed form over " + form.erased() + " erase and " + form.preserved() + " preserve tokens, α "
                + config.alpha() + ": " + solution.describe());
        if (solution.regularised()) {
            // a changed λ changes the edit: the comparison report must say so beside the row, not only the log
            run.note("realera: " + solution.describe());
        }
        try (NDManager scratch = model.model().getNDManager().newSubManager()) {
            for (String name : model.crossAttentionProjections().keySet()) {
                NDArray w0 = model.projection(name, scratch);
                Shape shape = w0.getShape();
                if (shape.get(1) != model.contextWidth()) {
                    throw LetheException.failed("realera: projection " + name + " has shape " + shape
                            + ", not (out, " + model.contextWidth() + ")", null);
                }
                float[] edited = ClosedForm.apply(w0.toFloatArray(), (int) shape.get(0), solution.map());
                model.setProjection(name, scratch.create(edited, shape));
            }
        }
        return solution;
    }

    /**
     * The LoRA's layers, every cross-attention Q/K/V/out linear layer, with the rank checked against
     * each layer's sizes.
     */
    static List<String> loraLayers(DiffusionModel model, int rank) {
        List<String> layers = model.linearLayers().stream().filter(n -> n.contains(".attn2.")).toList();
        if (layers.isEmpty()) {
            throw LetheException.invalidInput("realera: the model has no cross-attention linear layers for the LoRA");
        }
        for (String layer : layers) {
            Shape shape = model.parameters().get(layer + ".weight").getArray().getShape();
            long smaller = Math.min(shape.get(0), shape.get(1));
            if (rank > smaller) {
                throw LetheException.invalidInput("setting 'loraRank' of " + PID + " is " + rank + ", larger than the layer "
                        + layer + " (" + shape.get(0) + " outputs × " + shape.get(1) + " inputs; rank at most " + smaller
                        + ")");
            }
        }
        return layers;
    }

    private static NeighbourMining.Settings settings(Config config) {
        return new NeighbourMining.Settings(config.radius(), config.radiusScale(), config.radiusCap(), config.minCosine(),
                config.maxCosine(), config.shellScale());
    }

    private static void check(Config config) {
        positive("radiusScale", config.radiusScale());
        positive("radiusCap", config.radiusCap());
        positive("shellScale", config.shellScale());
        positive("maxCondition", config.maxCondition());
        positive("learningRate", config.learningRate());
        nonNegative("radius", config.radius());
        nonNegative("shellWeight", config.shellWeight());
        nonNegative("alpha", config.alpha());
        nonNegative("lambda", config.lambda());
        nonNegative("loraAlpha", config.loraAlpha());
        nonNegative("beta", config.beta());
        nonNegative("eta", config.eta());
        if (!Double.isFinite(config.startGuidance())) {
            throw LetheException.invalidInput("setting 'startGuidance' of " + PID + " must be a finite number, not "
                    + config.startGuidance());
        }
        if (config.radiusCap() > 1) {
            throw LetheException.invalidInput("setting 'radiusCap' of " + PID + " must be at most 1 (D1 below d_other),"
                    + " not " + config.radiusCap());
        }
        if (config.shellScale() <= 1) {
            throw LetheException.invalidInput("setting 'shellScale' of " + PID + " must be above 1 (D2 > D1), not "
                    + config.shellScale());
        }
        cosine("maxCosine", config.maxCosine(), false);
        cosine("minCosine", config.minCosine(), true);
        atLeast("neighbours", config.neighbours(), 1);
        atLeast("shellSamples", config.shellSamples(), 1);
        atLeast("loraSteps", config.loraSteps(), 0);
        atLeast("loraRank", config.loraRank(), 1);
        atLeast("ddimSteps", config.ddimSteps(), 1);
        if (!CONCEPT.equals(config.context()) && !PROMPTS.equals(config.context())) {
            throw LetheException.invalidInput("setting 'context' of " + PID + " must be " + PROMPTS + " or " + CONCEPT
                    + ", not '" + config.context() + "'");
        }
        if (!CLOSED_FORM_FIRST.equals(config.order()) && !LORA_FIRST.equals(config.order())) {
            throw LetheException.invalidInput("setting 'order' of " + PID + " must be " + CLOSED_FORM_FIRST + " or "
                    + LORA_FIRST + ", not '" + config.order() + "'");
        }
    }

    private static void positive(String key, double value) {
        if (!(value > 0) || !Double.isFinite(value)) {
            throw LetheException.invalidInput("setting '" + key + "' of " + PID + " must be a positive number, not " + value);
        }
    }

    private static void nonNegative(String key, double value) {
        if (!(value >= 0) || !Double.isFinite(value)) {
            throw LetheException.invalidInput("setting '" + key + "' of " + PID + " must be a finite number ≥ 0, not "
                    + value);
        }
    }

    private static void cosine(String key, double value, boolean calibratedAllowed) {
        if (calibratedAllowed && value < -1 && Double.isFinite(value)) {
            return;
        }
        if (!(value >= -1 && value <= 1)) {
            throw LetheException.invalidInput("setting '" + key + "' of " + PID + " is a cosine, from −1 to 1, not " + value);
        }
    }

    private static void atLeast(String key, int value, int least) {
        if (value < least) {
            throw LetheException.invalidInput("setting '" + key + "' of " + PID + " must be at least " + least + ", not "
                    + value);
        }
    }

    /**
     * An embedding of the erase set or the shell: the whole of it is a condition of the alignment;
     * the closed form reads the positions marked. A concept's and its aliases' embeddings enter with
     * every position (they are the prompts); a mined sample with its mined positions only, since the
     * others are copies of the concept's and would only re-weight it.
     *
     * @param tokens the embedding (positions × width)
     * @param closedForm which positions the closed form reads
     * @param targets per position, the token the closed form maps it to (null: none): the anchor's at
     *     the same position for the bare concept ({@code context} concept), the concept-free prompt's
     *     corresponding token in context ({@link Contexts#targets})
     * @param target the alignment's target condition: the anchor, or the concept-free prompt
     */
    record Embedding(double[][] tokens, boolean[] closedForm, double[][] targets, double[][] target) {

        static Embedding of(double[][] tokens, boolean[] positions, double[][] targets, double[][] target) {
            return new Embedding(tokens, positions, targets, target);
        }

        static Embedding mined(double[][] tokens, NeighbourMining.Radius radius, double[][] targets,
                double[][] target) {
            boolean[] mined = new boolean[tokens.length];
            for (int p = 0; p < tokens.length; p++) {
                mined[p] = radius.mined(p);
            }
            return new Embedding(tokens, mined, targets, target);
        }
    }

    /** Text-encoder outputs per prompt, read once, as (positions × width) doubles and as conditions. */
    static final class Embeddings {

        private final DiffusionModel model;
        private final NDManager manager;
        private final Map<String, double[][]> cache = new LinkedHashMap<>();

        Embeddings(DiffusionModel model, NDManager manager) {
            this.model = model;
            this.manager = manager;
        }

        /** @return the encoding of a prompt ("" is the null condition), token by token */
        double[][] of(String prompt) {
            return cache.computeIfAbsent(prompt, p -> {
                try (NDManager scratch = manager.newSubManager()) {
                    NDArray encoded = p.isEmpty() ? model.nullCondition(1, scratch) : model.encode(List.of(p), scratch);
                    return tokens(encoded.toFloatArray(), model.contextLength(), model.contextWidth());
                }
            });
        }

        /** @return an embedding as a (1, positions, width) float32 condition in the manager */
        NDArray condition(double[][] embedding, NDManager where) {
            float[] flat = new float[embedding.length * embedding[0].length];
            for (int p = 0; p < embedding.length; p++) {
                for (int i = 0; i < embedding[p].length; i++) {
                    flat[p * embedding[p].length + i] = (float) embedding[p][i];
                }
            }
            return where.create(flat, new Shape(1, embedding.length, embedding[0].length));
        }

        private static double[][] tokens(float[] flat, int positions, int width) {
            double[][] out = new double[positions][width];
            for (int p = 0; p < positions; p++) {
                for (int i = 0; i < width; i++) {
                    out[p][i] = flat[p * width + i];
                }
            }
            return out;
        }
    }

    /**
     * The real preserve set: the keep role's concepts when given, otherwise every other word of the
     * model's vocabulary (said so in the log).
     */
    record PreserveSet(List<Concept> concepts, List<List<String>> promptsByConcept, boolean fromKeep) {

        static PreserveSet of(Task task, List<Concept> erase, List<List<String>> erasePrompts, DiffusionModel model) {
            Set<String> erased = new LinkedHashSet<>();
            erasePrompts.forEach(erased::addAll);
            if (task.has(Task.KEEP)) {
                List<Concept> keep = task.concepts(Task.KEEP).items();
                List<List<String>> prompts = ErasePrompts.of(keep, Task.KEEP, model);
                for (int i = 0; i < keep.size(); i++) {
                    for (String p : prompts.get(i)) {
                        if (erased.contains(p)) {
                            throw LetheException.invalidInput("realera: '" + p + "' is both erased and kept (concept '"
                                    + keep.get(i).name() + "' of the '" + Task.KEEP + "' role)");
                        }
                    }
                }
                return new PreserveSet(keep, prompts, true);
            }
            List<Concept> derived = new ArrayList<>();
            for (String word : ErasePrompts.vocabulary(model)) {
                if (!erased.contains(word)) {
                    derived.add(new Concept(word, Optional.empty(), List.of()));
                }
            }
            return new PreserveSet(derived, derived.stream().map(c -> List.of(c.name())).toList(), false);
        }

        /** @return every preserve prompt (names and aliases), in order */
        List<String> prompts() {
            List<String> out = new ArrayList<>();
            promptsByConcept.forEach(out::addAll);
            return out;
        }

        /**
         * The concepts d_other is measured against: the keep concepts of the erased concept's
         * attribute when both carry one, otherwise every preserve concept.
         */
        Map<String, double[][]> calibrationEmbeddings(Concept concept, Embeddings embeddings) {
            Map<String, double[][]> out = new LinkedHashMap<>();
            for (Concept c : concepts) {
                if (concept.attribute().isEmpty() || c.attribute().isEmpty() || c.attribute().equals(concept.attribute())) {
                    out.put(c.name(), embeddings.of(c.name()));
                }
            }
            if (out.isEmpty()) {
                concepts.forEach(c -> out.put(c.name(), embeddings.of(c.name())));
            }
            return out;
        }

        String describe() {
            if (fromKeep) {
                return "preserve set: the " + concepts.size() + " concepts of the '" + Task.KEEP + "' role ("
                        + prompts().size() + " prompts with their aliases)";
            }
            return concepts.isEmpty()
                    ? "preserve set: no '" + Task.KEEP + "' role and the model lists no vocabulary: only ∅ and the shell"
                    : "preserve set: no '" + Task.KEEP + "' role, so every other word of the model's vocabulary ("
                            + concepts.size() + " words, attribute unknown: d_other is the nearest of them; an unlisted"
                            + " synonym among them is preserved, give a keep role to avoid it)";
        }
    }

    /** The LoRA prediction-noise alignment (§3.4), merged into the weights at its end. */
    private record Alignment(DiffusionModel model, DiffusionModel original, Config config, List<String> layers,
            List<String> samplingPrompts, Embeddings embeddings, List<Embedding> eraseSet,
            List<double[][]> realPreserve, List<Embedding> shellSet) {

        void run(RunContext run, Random random) {
            if (config.loraSteps() == 0) {
                run.log("realera: no LoRA alignment (loraSteps 0)");
                return;
            }
            NDManager memory = run.manager();
            List<NDArray> erase = eraseSet.stream().map(e -> embeddings.condition(e.tokens(), memory)).toList();
            List<NDArray> preserve = new ArrayList<>();
            realPreserve.forEach(b -> preserve.add(embeddings.condition(b, memory)));
            shellSet.forEach(b -> preserve.add(embeddings.condition(b.tokens(), memory)));
            Map<double[][], NDArray> targets = new java.util.IdentityHashMap<>();
            List<NDArray> eraseTargets = eraseSet.stream()
                    .map(e -> targets.computeIfAbsent(e.target(), t -> embeddings.condition(t, memory))).toList();
            List<NDArray> sampling = new ArrayList<>();
            samplingPrompts.forEach(p -> sampling.add(embeddings.condition(embeddings.of(p), memory)));

            Map<String, Boolean> frozenBefore = new LinkedHashMap<>();
            for (String name : model.parameters().keySet()) {
                frozenBefore.put(name, model.isFrozen(name));
            }
            model.freeze(model.parameters().keySet(), true);
            Lora lora = model.injectLora(new LoraRequest(layers, config.loraRank(), config.loraAlpha(), random.nextLong()));
            try {
                model.freeze(lora.parameters().keySet(), false);
                run.log(String.format(Locale.ROOT, "realera: LoRA rank %d (α %s) on %d cross-attention layers, %d"
                        + " iterations, Adam lr %s, β %s, η %s; %d erase and %d preserve conditions; x_t by DDIM %d at guidance"
                        + " %s", config.loraRank(), config.loraAlpha(), layers.size(), config.loraSteps(),
                        config.learningRate(), config.beta(), config.eta(), erase.size(), preserve.size(), config.ddimSteps(),
                        config.startGuidance()));
                Optimizer adam = Optimizer.adam().optLearningRateTracker(Tracker.fixed((float) config.learningRate()))
                        .build();
                int steps = config.ddimSteps();
                float[] losses = run.optimise(model.model(), adam, config.loraSteps(), (step, scope) -> {
                    int i = random.nextInt(erase.size());
                    NDArray x = erase.get(i);
                    NDArray b = preserve.get(random.nextInt(preserve.size()));
                    NDArray prompt = sampling.get(random.nextInt(sampling.size()));
                    int k = random.nextInt(steps);
                    long seed = random.nextLong();
                    Sample xt = model.sample(new SampleRequest(prompt, config.startGuidance(), steps, k, seed), scope);
                    return loss(model, original, xt, x, b, eraseTargets.get(i), config.beta(), config.eta(), scope);
                });
                lora.merge();
                run.log(String.format(Locale.ROOT, "realera: LoRA merged; alignment loss %.5f at the first iteration,"
                        + " %.5f at the last", losses[0], losses[losses.length - 1]));
            } finally {
                lora.close();
                List<String> frozen = new ArrayList<>();
                List<String> open = new ArrayList<>();
                frozenBefore.forEach((name, wasFrozen) -> (wasFrozen ? frozen : open).add(name));
                model.freeze(frozen, true);
                model.freeze(open, false);
            }
        }
    }

    /**
     * The alignment loss (§3.4) at one x_t: mean((ε_θ(x_t, x) − ε_θ0(x_t, e_a))²) + β·mean((ε_θ(x_t, b) −
     * ε_θ0(x_t, b))²), both predictions of θ in one batch, the targets without gradient history; β is
     * an array in the step's scope, never a {@code Number} operand.
     */
    static NDArray loss(DiffusionModel model, DiffusionModel original, Sample xt, NDArray erase, NDArray preserve,
            NDArray anchor, double beta, NDManager scope) {
        return loss(model, original, xt, erase, preserve, anchor, beta, 0, scope);
    }

    /**
     * The alignment loss with the erase target ε_θ0(x_t, e_a) − η·(ε_θ0(x_t, x) − ε_θ0(x_t, e_a)) (ESD's
     * target with e_a for the unconditional prediction; η = 0 is the anchor's prediction, computed as
     * {@link #loss(DiffusionModel, DiffusionModel, Sample, NDArray, NDArray, NDArray, double, NDManager)}).
     */
    static NDArray loss(DiffusionModel model, DiffusionModel original, Sample xt, NDArray erase, NDArray preserve,
            NDArray anchor, double beta, double eta, NDManager scope) {
        NDArray noisy = NDArrays.concat(new NDList(xt.latent(), xt.latent()));
        NDArray t = scope.create(new long[] {xt.timestep(), xt.timestep()});
        NDArray targets;
        if (eta == 0) {
            targets = original.predictNoise(noisy, t, NDArrays.concat(new NDList(anchor, preserve)), false)
                    .stopGradient();
        } else {
            NDArray three = NDArrays.concat(new NDList(xt.latent(), xt.latent(), xt.latent()));
            NDArray t3 = scope.create(new long[] {xt.timestep(), xt.timestep(), xt.timestep()});
            NDArray reference = original.predictNoise(three, t3, NDArrays.concat(new NDList(anchor, preserve, erase)),
                    false).stopGradient();
            NDArray a = reference.get("0:1");
            NDArray eraseTarget = a.sub(reference.get("2:3").sub(a).mul(scope.create((float) eta)));
            targets = NDArrays.concat(new NDList(eraseTarget, reference.get("1:2"))).stopGradient();
        }
        NDArray predicted = model.predictNoise(noisy, t, NDArrays.concat(new NDList(erase, preserve)), true);
        NDArray squared = predicted.sub(targets).square();
        NDArray eraseTerm = squared.get("0:1").mean();
        NDArray preserveTerm = squared.get("1:2").mean();
        return eraseTerm.add(preserveTerm.mul(scope.create((float) beta)));
    }
}
