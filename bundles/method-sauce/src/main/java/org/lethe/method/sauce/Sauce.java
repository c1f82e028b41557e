package org.lethe.method.sauce;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.lethe.api.LetheException;
import org.lethe.api.data.Concept;
import org.lethe.api.data.VqaItem;
import org.lethe.api.method.ErasureMethod;
import org.lethe.api.method.MethodProperties;
import org.lethe.api.method.Task;
import org.lethe.api.model.ModelManifest;
import org.lethe.api.model.vision.VisionLanguageModel;
import org.lethe.api.run.RunContext;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * SAUCE (Li, Geng, Zhu, Cai, Lyu, Karray, ICCV 2025; methods-gen.md §4): erase concepts from a
 * vision-language model by editing a sparse autoencoder's features at inference; no weight
 * changes. The run commits an {@code INTERVENTION} attachment ({@code sae-feature-edit}) that the
 * {@link SaeFeatureEdit} service installs on every load.
 *
 * <pre>
 * acts = collectActivations(vlm, layer, positions, forget ∪ retain)        # the broad set
 * sae  = trainSAE(acts, relu-L1 λ | topk k, expansion × width)             # seeded, the framework's loop
 * for c in erase concepts:
 *     D_c = forget questions on images that show c;  D_¬c = retain questions on images that do not
 *     S_c = selectFeatures(sae, D_c, D_¬c, mean-activation | contrastive | set-difference, k)
 * S = ∪ S_c;  τ = gateFraction · min over D_c of the edit's change (gate mse only)
 * report FVU, mean L0, accuracy clean vs with the SAE in the loop (no edit), and with the edit
 * task.attach(INTERVENTION sae-feature-edit: layer, positions, S, γ, τ; the SAE as safetensors)
 * </pre>
 */
@Component(configurationPid = Sauce.PID)
@MethodProperties(method = "sauce", modality = "vision-language",
        paper = "Li, Geng, Zhu, Cai, Lyu, Karray, SAUCE: Selective Concept Unlearning in Vision-Language Models with"
                + " Sparse Autoencoders, ICCV 2025 (arXiv 2503.14530)",
        inputs = {Task.ERASE, Task.FORGET})
@Designate(ocd = Sauce.Config.class)
public final class Sauce implements ErasureMethod {

    /** Configuration PID. */
    public static final String PID = "org.lethe.method.sauce";

    /** The largest drop of task accuracy the autoencoder in the loop may cost (issue 9): {@value} points. */
    public static final double MAX_RECONSTRUCTION_DROP = 2.0;

    /** Creates the method (DS). */
    public Sauce() {
    }

    /**
     * Hyper-parameters. SAUCE's paper is withdrawn and has no code: where its notes are silent the
     * defaults follow ItD ({@code NANSirun/Interpret-then-deactivate}) and SAeUron
     * ({@code cywinski/SAeUron}) scaled per methods-gen.md §7; each such choice is marked [R].
     */
    @ObjectClassDefinition(name = "SAUCE", description = "Concept unlearning in a vision-language model by editing a"
            + " sparse autoencoder's features at inference (no weight changes).")
    public @interface Config {

        /** @return the hooked layer */
        @AttributeDefinition(description = "The layer whose output the autoencoder reads and the edit changes. Default"
                + " fusion.0, the output of the first of the two fusion blocks (methods-gen.md §4.1/§7: a middle layer"
                + " of the residual stream over image and question tokens) [R].")
        String layer() default "fusion.0";

        /** @return the hooked positions */
        @AttributeDefinition(description = "Token positions read and edited: cls+visual (the summary and visual"
                + " tokens; default, methods-gen.md §7), cls, or all (question tokens and padding too) [R].",
                options = {@Option(value = "cls+visual", label = "summary + visual tokens"),
                    @Option(value = "cls", label = "summary token"), @Option(value = "all", label = "every position")})
        String positions() default "cls+visual";

        /** @return the autoencoder variant */
        @AttributeDefinition(description = "topk (ItD/SAeUron code: exactly k active, tied init, decoder-parallel"
                + " gradient removed; default, as it fixes L0 without tuning λ [R]) or relu (ReLU with L1, as SAUCE's"
                + " notes describe).", options = {@Option(value = "topk", label = "TopK"),
                    @Option(value = "relu", label = "ReLU-L1")})
        String variant() default "topk";

        /** @return dictionary size over layer width */
        @AttributeDefinition(min = "1", description = "Dictionary size as a multiple of the layer width. Default 16"
                + " (methods-gen.md §7: 64 → 1024; SAeUron 32, ItD 683) [R].")
        int expansion() default 16;

        /** @return topk's k */
        @AttributeDefinition(min = "1", description = "Active features per vector of the TopK autoencoder. Default 16"
                + " (methods-gen.md §7; SAeUron 32, ItD 64) [R].")
        int sparsityK() default 16;

        /** @return λ of the ReLU autoencoder */
        @AttributeDefinition(min = "0", description = "λ of the ReLU autoencoder's L1 penalty, with the loss in units"
                + " of the activations' spread (‖x − x̂‖²/s² + λ Σz/s), so it does not depend on the layer's scale."
                + " Default 0.05 [R]: tune for a mean L0 of 10–30 (methods-gen.md §4.1); the run reports the L0.")
        double l1() default 0.05;

        /** @return training epochs */
        @AttributeDefinition(min = "1", description = "Passes over the activation vectors. Default 3"
                + " (methods-gen.md §7: 3–5; ItD 20 on prompts).")
        int epochs() default 3;

        /** @return the least number of training steps */
        @AttributeDefinition(min = "1", description = "The autoencoder trains for at least this many steps, whatever"
                + " the epochs give: a small task (the comparison's 1,280 questions are ≈ 20k vectors, 3 epochs only"
                + " ≈ 120 steps, whose autoencoder cost 2.3–3.9 accuracy points in the loop) passes over its vectors"
                + " more often. Default 2000 (methods-gen.md §7: ≈ 1,200–2,000 steps; measured on the comparison's"
                + " cut of the full-size world: 117 steps −3.47 points, 1200 −0.89, 2000 −0.58; see the README).")
        int minSteps() default 2000;

        /** @return Adam's learning rate */
        @AttributeDefinition(min = "0", description = "Adam learning rate (ε 6.25e-10, as ItD). Default 1e-3"
                + " (methods-gen.md §7; ItD 1e-4 at width 768).")
        double learningRate() default 1e-3;

        /** @return vectors per step */
        @AttributeDefinition(min = "1", description = "Activation vectors per step. Default 512 (methods-gen.md §7).")
        int batchSize() default 512;

        /** @return the broad set's size */
        @AttributeDefinition(min = "1", description = "At most this many inputs (image + question) of forget ∪ retain"
                + " are run to collect activations, a seeded sample. Default 12000 (methods-gen.md §7: ≈ 200k vectors"
                + " from 12k inputs); 10% of them are held out to measure the autoencoder.")
        int maxInputs() default 12000;

        /** @return the scoring rule */
        @AttributeDefinition(description = "How features are picked: contrastive (SAeUron: the share of activation on"
                + " the concept's inputs minus the share on inputs without it; default, a documented departure from"
                + " the paper as methods-gen.md §4.2 recommends), mean-activation (top-k mean activation on the concept's"
                + " inputs, SAUCE's notes: the paper-faithful ablation), set-difference (ItD), or random (the ablation:"
                + " k random features active on the concept's inputs). Measured on the comparison's cut of the full-size"
                + " shapes-vqa world (red, 16 features): contrastive UQ 0.991, selectivity 0.883, utility 0.945;"
                + " mean-activation 0.519, 0.642, 0.781 (it picks features every image uses); see the README.",
                options = {@Option(value = "mean-activation", label = "mean activation"),
                    @Option(value = "contrastive", label = "contrastive"),
                    @Option(value = "set-difference", label = "set difference"),
                    @Option(value = "random", label = "random (ablation)")})
        String scoring() default "contrastive";

        /** @return features per concept */
        @AttributeDefinition(min = "1", description = "Features selected per concept, k of the scoring (several"
                + " concepts: the union). Default 16 (methods-gen.md §4.4) [R].")
        int features() default 16;

        /** @return fixed or adaptive */
        @AttributeDefinition(description = "fixed (default): each concept's k is 'features'. adaptive [R] (a departure"
                + " from the paper, whose k is fixed): k is chosen per concept on the run's own data: 'selectionHoldout'"
                + " of the concept's forget questions and of the retain questions are kept out of the scoring, the"
                + " features are ranked once, and the smallest k of 'featureGrid' whose edit (γ, no gate) makes at least"
                + " 'targetForgetError' of the held-out forget questions wrong while the held-out retain accuracy drops"
                + " by at most 'maxRetainDrop' is taken (none: the k with the most held-out forget error within the"
                + " retain limit, else the smallest). The evaluation roles are never read. See the README, \"Seeds\".",
                options = {@Option(value = "fixed", label = "fixed k"), @Option(value = "adaptive", label = "k per concept on held-out run data")})
        String featureSelection() default "fixed";

        /** @return the adaptive grid */
        @AttributeDefinition(description = "adaptive: the k tried, separated by spaces or commas (tried ascending)."
                + " Default 8 16 24 32 48 64 [R].")
        String featureGrid() default "8 16 24 32 48 64";

        /** @return the adaptive target */
        @AttributeDefinition(min = "0", max = "1", description = "adaptive: the share of held-out forget questions the"
                + " edit must make wrong. Default 0.9 [R].")
        double targetForgetError() default 0.9;

        /** @return the adaptive retain limit */
        @AttributeDefinition(min = "0", max = "1", description = "adaptive: the largest drop of held-out retain accuracy"
                + " (a share, 0.05 = 5 points) a chosen k may cost. Default 0.05 [R].")
        double maxRetainDrop() default 0.05;

        /** @return the adaptive hold-out */
        @AttributeDefinition(min = "1", description = "adaptive: at most this many of a concept's forget questions, and"
                + " of the retain questions, are held out of the scoring to choose k (a quarter of each when fewer than"
                + " four times this many). Default 64 [R].")
        int selectionHoldout() default 64;

        /** @return set-difference's m */
        @AttributeDefinition(min = "1", description = "set-difference: each input's top-m features by maximum"
                + " over positions. Default 32 (ItD: 128 of 524k; scaled to this dictionary) [R].")
        int setDifferenceTop() default 32;

        /** @return D_c's size */
        @AttributeDefinition(min = "1", description = "At most this many inputs showing a concept (D_c) are scored."
                + " Default 64 (methods-gen.md §7: 32–64).")
        int conceptInputs() default 64;

        /** @return D_¬c's size */
        @AttributeDefinition(min = "1", description = "At most this many inputs not showing the concept (D_¬c) are"
                + " scored. Default 256 (methods-gen.md §7).")
        int contrastInputs() default 256;

        /** @return γ */
        @AttributeDefinition(max = "1", description = "γ in z_S ← γ·z_S: 0 zeroes the features (SAUCE; default),"
                + " 0 < γ < 1 scales them down, γ < 0 clamps them negative (ItD: −8; methods-gen.md §4.4: −4);"
                + " 1 is no edit.")
        double gamma() default 0.0;

        /** @return the gate */
        @AttributeDefinition(description = "none (SAUCE; default): the edit applies to every input; mse (ItD): only to"
                + " inputs where it changes the reconstruction by at least τ = gateFraction · the least change over"
                + " the concepts' inputs; other inputs pass through bit-identical.",
                options = {@Option(value = "none", label = "no gate"), @Option(value = "mse", label = "MSE gate")})
        String gate() default "none";

        /** @return the gate's fraction */
        @AttributeDefinition(min = "0", description = "τ = this × the least change over the concepts' inputs. Default"
                + " 0.99 (ItD).")
        double gateFraction() default 0.99;

        /** @return inputs measured for the report */
        @AttributeDefinition(min = "1", description = "At most this many held-out inputs measure task accuracy clean"
                + " and with the autoencoder in the loop. Default 512.")
        int evalInputs() default 512;
    }

    @Override
    public void erase(Task task, RunContext run) throws Exception {
        Config config = task.config(Config.class);
        Settings settings = Settings.of(config);
        List<Concept> concepts = task.concepts(Task.ERASE).items();
        if (concepts.isEmpty()) {
            throw LetheException.invalidInput("SAUCE needs at least one concept to erase (role '" + Task.ERASE + "')");
        }
        List<VqaItem> forget = task.vqa(Task.FORGET).items();
        List<VqaItem> retain = task.has(Task.RETAIN) ? task.vqa(Task.RETAIN).items() : List.of();
        Map<String, List<VqaItem>> shows = new LinkedHashMap<>();
        for (Concept c : concepts) {
            List<VqaItem> dc = forget.stream().filter(i -> i.shows(c.name())).toList();
            if (dc.isEmpty()) {
                throw LetheException.invalidInput("concept '" + c.name() + "' has no examples: none of the "
                        + forget.size() + " forget questions is about an image that shows it");
            }
            shows.put(c.name(), dc);
        }
        VisionLanguageModel vlm = task.model(VisionLanguageModel.class);
        SaeFeatureEdit.checkLayer(vlm, settings.layer, "setting 'layer' of " + PID);
        int width = vlm.width();
        int dictionary = Math.multiplyExact(config.expansion(), width);
        if (settings.variant == Sae.Variant.TOPK && config.sparsityK() > dictionary) {
            throw LetheException.invalidInput("setting 'sparsityK' of " + PID + " is " + config.sparsityK()
                    + ", larger than the dictionary of " + dictionary + " features (expansion " + config.expansion()
                    + " × width " + width + ")");
        }
        if (config.features() >= dictionary) {
            throw LetheException.invalidInput("setting 'features' of " + PID + " is " + config.features()
                    + ", not below the dictionary of " + dictionary + " features (expansion " + config.expansion()
                    + " × width " + width + ")");
        }
        Random random = run.random();
        NDManager memory = run.manager();

        // 1. activations over the broad set (forget ∪ retain), a seeded sample, 10% held out
        List<VqaItem> broad = new ArrayList<>(new LinkedHashSet<>(concat(forget, retain)));
        Collections.shuffle(broad, random);
        if (broad.size() > config.maxInputs()) {
            broad = new ArrayList<>(broad.subList(0, config.maxInputs()));
        }
        int heldOut = broad.size() >= 10 ? Math.max(1, broad.size() / 10) : 0;
        List<VqaItem> trainInputs = broad.subList(0, broad.size() - heldOut);
        List<VqaItem> evalInputs = broad.subList(broad.size() - heldOut, broad.size());
        Instant started = run.clock().instant();
        Activations train = Activations.collect(vlm, settings.layer, settings.positions, trainInputs, memory, run);
        Activations held = Activations.collect(vlm, settings.layer, settings.positions, evalInputs, memory, run);
        Instant collected = run.clock().instant();
        run.log(String.format(Locale.ROOT, "SAUCE: %d activation vectors of width %d from %d inputs at %s (%s), %d"
                + " held-out vectors from %d inputs; %.1f s", train.count(), width, trainInputs.size(), settings.layer,
                settings.positions.code(), held.count(), evalInputs.size(), seconds(started, collected)));

        // 2. the autoencoder
        SaeTrainer.Settings trainSettings = new SaeTrainer.Settings(settings.variant, dictionary, config.sparsityK(),
                config.l1(), config.epochs(), config.minSteps(), config.learningRate(), config.batchSize());
        SaeTrainer.Trained trained = SaeTrainer.train(train.rows(), train.count(), width, trainSettings, run);
        Sae sae = trained.sae();
        Instant fitted = run.clock().instant();
        SaeTrainer.Quality quality = SaeTrainer.quality(sae, held.count() > 0 ? held.rows() : train.rows(),
                held.count() > 0 ? held.count() : train.count(), memory);
        float[] losses = trained.losses();
        run.log(String.format(Locale.ROOT, "SAUCE: %s autoencoder %d → %d%s, %d steps, loss %.4f → %.4f; %.1f s",
                settings.variant.code(), width, dictionary, settings.variant == Sae.Variant.TOPK ? " (k " + config.sparsityK()
                        + ")" : " (λ " + config.l1() + ")", losses.length, losses[0], losses[losses.length - 1],
                seconds(collected, fitted)));

        // 3. features per concept, S = ∪ S_c
        FeatureScores.Method scoring = settings.scoring;
        Set<Integer> union = new TreeSet<>();
        Map<String, int[]> perConcept = new LinkedHashMap<>();
        List<VqaItem> conceptInputs = new ArrayList<>();
        for (Concept c : concepts) {
            List<VqaItem> pool = shows.get(c.name());
            List<VqaItem> contrastPool = retain.stream().filter(i -> !i.shows(c.name())).toList();
            List<VqaItem> heldForget = List.of();
            List<VqaItem> heldRetain = List.of();
            if (settings.adaptive) {
                List<List<VqaItem>> f = holdOut(pool, config.selectionHoldout(), random);
                List<List<VqaItem>> r = holdOut(retain, config.selectionHoldout(), random);
                heldForget = f.get(0);
                pool = f.get(1);
                heldRetain = r.get(0);
                Set<VqaItem> kept = new java.util.HashSet<>(heldRetain);
                contrastPool = contrastPool.stream().filter(i -> !kept.contains(i)).toList();
            }
            List<VqaItem> dc = sample(pool, config.conceptInputs(), random);
            List<VqaItem> others = sample(contrastPool, config.contrastInputs(), random);
            List<FeatureScores.Summary> dcCodes = Activations.collect(vlm, settings.layer, settings.positions, dc, memory,
                    run).summaries(sae, memory);
            List<FeatureScores.Summary> otherCodes = others.isEmpty() ? List.of()
                    : Activations.collect(vlm, settings.layer, settings.positions, others, memory, run).summaries(sae, memory);
            int[] s;
            if (settings.adaptive) {
                int[] ranked = FeatureScores.rank(scoring, dcCodes, otherCodes, settings.grid[settings.grid.length - 1],
                        config.setDifferenceTop(), random);
                Choice choice = chooseK(vlm, sae, ranked, settings, config, heldForget, heldRetain, memory);
                s = Arrays.stream(ranked, 0, Math.min(choice.k, ranked.length)).sorted().toArray();
                run.note("sauce: " + c.name() + ": " + choice.note());
                run.log("SAUCE: adaptive k for '" + c.name() + "': " + choice.note());
            } else {
                s = FeatureScores.select(scoring, dcCodes, otherCodes, config.features(), config.setDifferenceTop(),
                        random);
            }
            if (s.length == 0) {
                throw LetheException.failed("SAUCE: scoring '" + scoring.code() + "' found no feature for concept '"
                        + c.name() + "' (" + dc.size() + " inputs showing it, " + others.size() + " not)", null);
            }
            if (!settings.adaptive && s.length < config.features()) {
                run.note("sauce: scoring '" + scoring.code() + "' found only " + s.length + " of " + config.features()
                        + " features for '" + c.name() + "'");
            }
            perConcept.put(c.name(), s);
            for (int j : s) {
                union.add(j);
            }
            conceptInputs.addAll(dc);
        }
        int[] features = union.stream().mapToInt(Integer::intValue).toArray();
        run.log("SAUCE: features by " + scoring.code() + ": " + perConcept.entrySet().stream()
                .map(e -> e.getKey() + " " + Arrays.toString(e.getValue())).collect(Collectors.joining("; "))
                + "; union " + features.length);

        // the gate's τ: the least change the edit makes over the concepts' inputs, times gateFraction
        float gamma = (float) config.gamma();
        float tau = Float.NaN;
        if (settings.gated) {
            tau = (float) (config.gateFraction() * leastChange(vlm, sae, features, gamma, settings, conceptInputs, memory,
                    run));
            if (!(tau > 0)) {
                run.note("sauce: the gate's τ is " + tau + " (some input showing the concept does not activate the"
                        + " selected features), so the gate passes every input");
            }
        }
        EditSpec spec = new EditSpec(settings.layer, settings.positions, settings.variant,
                settings.variant == Sae.Variant.TOPK ? config.sparsityK() : 0, features, gamma, settings.gated, tau,
                concepts.stream().map(Concept::name).collect(Collectors.joining(",")));

        // 4. what it costs and what it does
        List<VqaItem> measured = evalInputs.isEmpty() ? trainInputs : evalInputs;
        measured = measured.subList(0, Math.min(config.evalInputs(), measured.size()));
        double clean = accuracy(vlm, measured, memory);
        double inLoop;
        try (NDManager saeMemory = memory.newSubManager();
                AutoCloseable hook = vlm.hook(settings.layer, FeatureEdit.reconstruction(sae.on(saeMemory),
                        settings.positions, vlm.visualTokens()))) {
            inLoop = accuracy(vlm, measured, memory);
        }
        double forgetBefore = accuracy(vlm, conceptInputs, memory);
        List<VqaItem> retainMeasured = sample(retain, config.evalInputs(), random);
        double retainBefore = retainMeasured.isEmpty() ? Double.NaN : accuracy(vlm, retainMeasured, memory);
        double forgetAfter;
        double retainAfter;
        try (AutoCloseable edit = SaeFeatureEdit.install(vlm, spec, sae, memory.newSubManager(), "the trained autoencoder")) {
            forgetAfter = accuracy(vlm, conceptInputs, memory);
            retainAfter = retainMeasured.isEmpty() ? Double.NaN : accuracy(vlm, retainMeasured, memory);
        }
        double drop = 100 * (clean - inLoop);
        run.note(String.format(Locale.ROOT, "sauce: autoencoder FVU %.4f, mean L0 %.1f (%d held-out vectors); task"
                + " accuracy clean %.2f%%, with the autoencoder in the loop and no edit %.2f%% (%+.2f points, %s the %.0f"
                + " allowed) on %d inputs", quality.fvu(), quality.meanL0(), quality.count(), 100 * clean, 100 * inLoop,
                -drop, drop <= MAX_RECONSTRUCTION_DROP ? "within" : "EXCEEDS", MAX_RECONSTRUCTION_DROP, measured.size()));
        run.note(String.format(Locale.ROOT, "sauce: %d features (%s, %s, γ %s, gate %s); accuracy on the concepts'"
                + " forget questions %.2f%% → %.2f%% (%d), on retain questions %.2f%% → %.2f%% (%d)", features.length,
                scoring.code(), settings.adaptive ? "k per concept chosen on held-out run data, see above"
                        : "k " + config.features() + " per concept, fixed: setting 'features'", spec.mode(), settings.gated ? "τ " + tau : "none", 100 * forgetBefore, 100 * forgetAfter,
                conceptInputs.size(), 100 * retainBefore, 100 * retainAfter, retainMeasured.size()));

        // 5. commit the intervention
        String name = "sauce-" + concepts.stream().map(c -> c.name().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_"))
                .collect(Collectors.joining("-"));
        String file = name + ".safetensors";
        task.attach(new ModelManifest.Attachment(ModelManifest.Attachment.Type.INTERVENTION, name, List.of(file),
                spec.config(), true), Map.of(file, SaeFiles.write(sae, memory)));
        run.log("SAUCE: attached intervention '" + name + "' " + spec.config());
    }

    /** The validated settings that are words. */
    private record Settings(String layer, Positions positions, Sae.Variant variant, FeatureScores.Method scoring,
            boolean gated, boolean adaptive, int[] grid) {

        static Settings of(Config config) {
            Positions positions = Positions.of(config.positions(), "setting 'positions' of " + PID);
            Sae.Variant variant = Sae.Variant.of(config.variant(), "setting 'variant' of " + PID);
            FeatureScores.Method scoring = FeatureScores.Method.of(config.scoring(), "setting 'scoring' of " + PID);
            boolean gated = switch (config.gate().trim().toLowerCase(Locale.ROOT)) {
                case "mse" -> true;
                case "none" -> false;
                default -> throw LetheException.invalidInput("setting 'gate' of " + PID + " must be none or mse, not '"
                        + config.gate() + "'");
            };
            if (!Double.isFinite(config.gamma()) || config.gamma() > 1) {
                throw LetheException.invalidInput("setting 'gamma' of " + PID + " must be a finite number ≤ 1, not "
                        + config.gamma());
            }
            if (!(config.learningRate() > 0) || !Double.isFinite(config.learningRate())) {
                throw LetheException.invalidInput("setting 'learningRate' of " + PID + " must be a positive number, not "
                        + config.learningRate());
            }
            if (!(config.l1() >= 0) || !Double.isFinite(config.l1())) {
                throw LetheException.invalidInput("setting 'l1' of " + PID + " must be a number ≥ 0, not " + config.l1());
            }
            if (!(config.gateFraction() >= 0) || !Double.isFinite(config.gateFraction())) {
                throw LetheException.invalidInput("setting 'gateFraction' of " + PID + " must be a number ≥ 0, not "
                        + config.gateFraction());
            }
            boolean adaptive = switch (config.featureSelection().trim().toLowerCase(Locale.ROOT)) {
                case "adaptive" -> true;
                case "fixed" -> false;
                default -> throw LetheException.invalidInput("setting 'featureSelection' of " + PID + " must be fixed or"
                        + " adaptive, not '" + config.featureSelection() + "'");
            };
            int[] grid;
            try {
                // the metatype default comes with its separators escaped (8\ 16\ …): backslashes separate too
                grid = Arrays.stream(config.featureGrid().split("[\\s,\\\\]+")).map(String::trim)
                        .filter(t -> !t.isEmpty())
                        .mapToInt(Integer::parseInt).sorted().distinct().toArray();
            } catch (NumberFormatException e) {
                grid = new int[0];
            }
            if (grid.length == 0 || grid[0] < 1) {
                throw LetheException.invalidInput("setting 'featureGrid' of " + PID + " must be counts ≥ 1 separated by"
                        + " spaces or commas, not '" + config.featureGrid() + "'");
            }
            if (!(config.targetForgetError() >= 0 && config.targetForgetError() <= 1)) {
                throw LetheException.invalidInput("setting 'targetForgetError' of " + PID + " must be in [0, 1], not "
                        + config.targetForgetError());
            }
            if (!(config.maxRetainDrop() >= 0 && config.maxRetainDrop() <= 1)) {
                throw LetheException.invalidInput("setting 'maxRetainDrop' of " + PID + " must be in [0, 1], not "
                        + config.maxRetainDrop());
            }
            positive("selectionHoldout", config.selectionHoldout());
            positive("expansion", config.expansion());
            positive("sparsityK", config.sparsityK());
            positive("epochs", config.epochs());
            positive("minSteps", config.minSteps());
            positive("batchSize", config.batchSize());
            positive("maxInputs", config.maxInputs());
            positive("features", config.features());
            positive("setDifferenceTop", config.setDifferenceTop());
            positive("conceptInputs", config.conceptInputs());
            positive("contrastInputs", config.contrastInputs());
            positive("evalInputs", config.evalInputs());
            return new Settings(config.layer().trim(), positions, variant, scoring, gated, adaptive, grid);
        }

        private static void positive(String key, int value) {
            if (value < 1) {
                throw LetheException.invalidInput("setting '" + key + "' of " + PID + " must be at least 1, not " + value);
            }
        }
    }

    /** The adaptive choice of k for one concept, and how it was made. */
    private record Choice(int k, String note) {
    }

    /**
     * Tries the grid's k (ranked features' prefixes) on the held-out questions: the smallest k whose edit
     * makes at least targetForgetError of the held-out forget questions wrong with the held-out retain
     * accuracy down by at most maxRetainDrop; else the most forget error within the retain limit; else the
     * smallest k. Stops at the first k that meets the target.
     */
    private static Choice chooseK(VisionLanguageModel vlm, Sae sae, int[] ranked, Settings settings, Config config,
            List<VqaItem> heldForget, List<VqaItem> heldRetain, NDManager memory) throws Exception {
        if (heldForget.isEmpty()) {
            return new Choice(Math.min(config.features(), ranked.length), "k " + config.features() + " ('features'): too"
                    + " few forget questions about the concept to hold any out");
        }
        double retainClean = heldRetain.isEmpty() ? Double.NaN : accuracy(vlm, heldRetain, memory);
        StringBuilder tried = new StringBuilder();
        int best = -1;
        double bestError = -1;
        int chosen = -1;
        String why = null;
        int previous = -1;
        for (int k : settings.grid) {
            int n = Math.min(k, ranked.length);
            if (n == previous || n == 0) {
                break;
            }
            previous = n;
            int[] features = Arrays.stream(ranked, 0, n).sorted().toArray();
            EditSpec trial = new EditSpec(settings.layer, settings.positions, settings.variant,
                    settings.variant == Sae.Variant.TOPK ? config.sparsityK() : 0, features, (float) config.gamma(), false,
                    Float.NaN, "");
            double forgetError;
            double retainAfter;
            try (AutoCloseable edit = SaeFeatureEdit.install(vlm, trial, sae, memory.newSubManager(), "the trial edit")) {
                forgetError = 1 - accuracy(vlm, heldForget, memory);
                retainAfter = heldRetain.isEmpty() ? Double.NaN : accuracy(vlm, heldRetain, memory);
            }
            double drop = heldRetain.isEmpty() ? 0 : retainClean - retainAfter;
            boolean within = drop <= config.maxRetainDrop() + 1e-9;
            tried.append(String.format(Locale.ROOT, "%s%d: %.3f wrong, retain %+.3f", tried.length() == 0 ? "" : "; ", n,
                    forgetError, -drop));
            if (within && forgetError > bestError) {
                best = n;
                bestError = forgetError;
            }
            if (within && forgetError >= config.targetForgetError()) {
                chosen = n;
                why = "the smallest k reaching the target";
                break;
            }
        }
        if (chosen < 0 && best > 0) {
            chosen = best;
            why = "no k reached the target within the retain limit: the most forget error within it";
        } else if (chosen < 0) {
            chosen = Math.min(settings.grid[0], ranked.length);
            why = "no k kept the retain limit: the smallest";
        }
        return new Choice(chosen, String.format(Locale.ROOT, "adaptive k %d (%s; target %.2f of %d held-out forget"
                + " questions wrong, retain drop ≤ %.3f on %d, clean %.3f; tried %s)", chosen, why,
                config.targetForgetError(), heldForget.size(), config.maxRetainDrop(), heldRetain.size(), retainClean,
                tried));
    }

    /**
     * @return [held out, the rest]: a seeded quarter of items, at most max (none when fewer than 4 items)
     */
    private static List<List<VqaItem>> holdOut(List<VqaItem> items, int max, Random random) {
        List<VqaItem> copy = new ArrayList<>(items);
        Collections.shuffle(copy, random);
        int n = Math.min(max, copy.size() / 4);
        return List.of(copy.subList(0, n), copy.subList(n, copy.size()));
    }

    /** The least change (gate score) the edit makes over inputs. */
    private static double leastChange(VisionLanguageModel vlm, Sae sae, int[] features, float gamma, Settings settings,
            List<VqaItem> inputs, NDManager memory, RunContext run) {
        Activations acts = Activations.collect(vlm, settings.layer, settings.positions, inputs, memory, run);
        double least = Double.POSITIVE_INFINITY;
        try (NDManager scope = memory.newSubManager()) {
            FeatureEdit edit = new FeatureEdit(sae.on(scope), features, gamma, settings.positions, vlm.visualTokens(),
                    Float.NaN);
            for (int i = 0; i < acts.inputs(); i++) {
                try (NDManager step = scope.newSubManager()) {
                    NDArray x = step.create(acts.input(i), new Shape(1, acts.positions(i), sae.width()));
                    least = Math.min(least, FeatureEdit.score(edit.delta(x)).getFloat(0));
                }
            }
        }
        return least;
    }

    /**
     * @return the share of items whose highest-scoring answer is their answer
     */
    static double accuracy(VisionLanguageModel vlm, List<VqaItem> items, NDManager memory) {
        if (items.isEmpty()) {
            return Double.NaN;
        }
        int right = 0;
        for (int start = 0; start < items.size(); start += Activations.BATCH) {
            List<VqaItem> batch = items.subList(start, Math.min(items.size(), start + Activations.BATCH));
            long[] gold = vlm.answerIndices(batch);
            try (NDManager scope = memory.newSubManager()) {
                NDArray logits = vlm.logits(vlm.images(batch.stream().map(VqaItem::image).toList(), scope),
                        batch.stream().map(VqaItem::question).toList(), false);
                long[] predicted = logits.argMax(1).toLongArray();
                for (int i = 0; i < gold.length; i++) {
                    if (predicted[i] == gold[i]) {
                        right++;
                    }
                }
            }
        }
        return right / (double) items.size();
    }

    private static <T> List<T> sample(List<T> items, int max, Random random) {
        if (items.size() <= max) {
            return items;
        }
        List<T> copy = new ArrayList<>(items);
        Collections.shuffle(copy, random);
        return copy.subList(0, max);
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static double seconds(Instant from, Instant to) {
        return Duration.between(from, to).toMillis() / 1000.0;
    }

    /** The hook that records the hooked positions' activations (and changes nothing). */
    static final class Recorder implements UnaryOperator<NDArray> {
        private final Positions positions;
        private final int visualTokens;
        float[] last;
        long lastPositions;

        Recorder(Positions positions, int visualTokens) {
            this.positions = positions;
            this.visualTokens = visualTokens;
        }

        @Override
        public NDArray apply(NDArray x) {
            long tokens = x.getShape().get(1);
            int n = positions.count(visualTokens, tokens);
            last = (n == tokens ? x : x.get(":, 0:" + n + ", :")).toFloatArray();
            lastPositions = n;
            return x;
        }
    }
}
