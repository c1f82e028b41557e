package org.lethe.itests.behaviour.shapes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.lethe.api.data.Concept;
import org.lethe.api.eval.Evaluation;
import org.lethe.api.eval.MetricResult;
import org.lethe.api.eval.Roles;
import org.lethe.api.method.Task;
import org.lethe.api.model.ModelManifest;
import org.lethe.api.model.ModelRef;
import org.lethe.api.run.RunRecord;
import org.lethe.api.run.RunState;
import org.lethe.method.ant.Ant;
import org.lethe.worlds.shapes.ShapesGenerator;
import org.lethe.worlds.shapes.ShapesPrompt;
import org.lethe.worlds.shapes.ShapesWorld;

/**
 * ANT (Li, Lu, Ren, Kong, ACM MM 2025; research/methods-gen.md §2, directions Part C item 2) on the
 * committed tiny shapes generator, through the real path as {@link EsdBehaviourTest} runs ESD: an
 * {@code ERASE ant} run of the core's run service (the method read from its bundle jar) commits a new
 * version, {@code EVALUATE} runs of the evaluation bundle's metrics measure it with the store's
 * {@code shapes-clf} (DDIM 25, CFG 4, one sample per prompt from the prompt's own seed).
 *
 * <p>Same prompts as {@link EsdBehaviourTest}: {@code red} with its erasure alias {@code crimson},
 * {@value #ERASED_BY_NAME} erased prompts by name and {@value #ERASED_BY_ALIAS} by alias, the first
 * {@value #PRESERVED} rows of {@code preserve_red}; as there, <b>every prompt carries only its colour
 * label</b> (the tiny fixture's shapes are at chance). Layout IoU is the silhouette IoU between the
 * erased model's and the base's samples of the erased prompts (same seeds).
 *
 * <p>The single-concept runs use ANT's defaults (paper Table 6: λ (1.0, 0.5, 0.5), Adam lr 5e-4,
 * η 1, x_t at CFG 3, the first round(0.14·25) = 4 of 25 steps preserved, saliency 10 iterations at
 * lr 1e-2, top 50 % per tensor, the maps of one seed, {@value #SALIENCY_SEEDS}, × the four prompts
 * red, crimson, red circle, red square on stripes) except, to fit the behaviour-test budget,
 * {@value #STEPS} fine-tuning iterations (default 250). Run seed {@value #SEED}. The directions of the paper that do not reproduce at this scale stay here,
 * {@code @Disabled} with the measured numbers.
 */
class AntBehaviourTest {

    static final long SEED = 1;
    static final int ERASED_BY_NAME = 32;
    static final int ERASED_BY_ALIAS = 16;
    static final int PRESERVED = 80;

    /** Fine-tuning iterations of the shared single-concept runs (default 250). */
    static final int STEPS = 100;

    /**
     * The saliency seeds of the runs: the default, named so that the measured numbers stay those of
     * this mask (the released code's five seeds intersect to 0.18 % of the U-Net and erase nothing
     * here; the bundle's README).
     */
    static final String SALIENCY_SEEDS = "24";

    /** ANT's settings here; the rest its defaults. */
    static final Map<String, String> ANT = Map.of("steps", String.valueOf(STEPS), "saliencySeeds", SALIENCY_SEEDS);

    /** Multi-concept settings: few LoRA iterations at a higher rate, for the budget (defaults 150 at 5e-4). */
    static final Map<String, String> MULTI = Map.of("multiSteps", "40", "multiLearningRate", "2e-3");

    /** The least Acc_e and Acc_p (colour) of the base model: the fixture's contract. */
    static final double MIN_BASE = 0.85;

    /** The most Acc_e of ANT here (measured 0.396; base 0.979). */
    static final double MAX_ERASED = 0.6;

    /** The least Acc_p (colour) of ANT here (measured 0.925; base 0.988). */
    static final double MIN_PRESERVED = 0.85;

    /** The most Acc_e of the multi-concept run on red and green prompts (measured 0.469). */
    static final double MAX_ERASED_MULTI = 0.7;

    static final String METRICS = "erasure-accuracy,preservation-accuracy,layout-iou,feature-frechet-distance";
    static final String ACC_E = Roles.ERASED_PROMPTS + ".erasure-accuracy";
    static final String ACC_P = Roles.PRESERVE_PROMPTS + ".preservation-accuracy";
    static final String IOU = Roles.ERASED_PROMPTS + ".layout-iou";
    static final String FRECHET = Roles.PRESERVE_PROMPTS + ".feature-frechet-distance";

    private static final Path TARGET = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().resolve("target");

    /** What one model version measured. */
    record Measured(String label, ModelRef model, Map<String, Double> values, double runSeconds) {
        double get(String key) {
            Double v = values.get(key);
            if (v == null) {
                throw new IllegalStateException(model + " has no " + key + ": " + values.keySet());
            }
            return v;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s (%s): Acc_e %.3f, Acc_p %.3f, IoU %.3f, Fréchet %.1f, run %.1f s",
                    label, model, get(ACC_E), get(ACC_P), get(IOU), get(FRECHET), runSeconds);
        }
    }

    private static ShapesErasureStack stack;
    private static String ant;
    private static Path red;
    private static Path redAndGreen;
    private static Map<String, Path> evaluationData;
    private static Map<String, Path> multiEvaluationData;
    private static Measured base;
    private static Measured full;
    private static Measured eraseAll;
    private static Measured noPreserve;

    @BeforeAll
    static void eraseAndEvaluate() throws Exception {
        long started = System.nanoTime();
        stack = new ShapesErasureStack(TARGET.resolve("ant-behaviour"));
        ant = stack.addErasure(Ant.class);
        Path data = stack.folder().resolve("data");
        ShapesWorld world = ShapesGenerator.generate(ShapesFixtures.WORLD_SEED);
        red = ShapesErasureStack.writeConcepts(data.resolve("erase-red.jsonl"),
                List.of(new Concept("red", Optional.of("colour"), List.of("crimson"))));
        redAndGreen = ShapesErasureStack.writeConcepts(data.resolve("erase-red-green.jsonl"),
                List.of(new Concept("red", Optional.of("colour"), List.of("crimson")),
                        new Concept("green", Optional.of("colour"), List.of("emerald"))));
        Path erased = ShapesErasureStack.writeColourPrompts(data.resolve("erased-red.jsonl"), erasedPrompts(world, "red"));
        List<ShapesPrompt> preserveRed = world.prompts(ShapesWorld.preserveSplit("red")).subList(0, PRESERVED);
        Path preserve = ShapesErasureStack.writeColourPrompts(data.resolve("preserve-red.jsonl"), preserveRed);
        evaluationData = Map.of(Task.ERASE, red, Roles.ERASED_PROMPTS, erased, Roles.PRESERVE_PROMPTS, preserve);
        List<ShapesPrompt> both = new ArrayList<>(erasedPrompts(world, "red"));
        both.addAll(erasedPrompts(world, "green"));
        multiEvaluationData = Map.of(Task.ERASE, redAndGreen,
                Roles.ERASED_PROMPTS, ShapesErasureStack.writeColourPrompts(data.resolve("erased-red-green.jsonl"), both),
                Roles.PRESERVE_PROMPTS, ShapesErasureStack.writeColourPrompts(data.resolve("preserve-red-green.jsonl"),
                        preserveRed.stream().filter(p -> !p.colour().equals("green")).toList()));

        base = measure("base", stack.generator(), 0, evaluationData);
        full = measure("ANT", erase(ANT, red), evaluationData);
        eraseAll = measure("ANT erasing at all t", erase(with(ANT, "eraseAllTimesteps", "true"), red), evaluationData);
        noPreserve = measure("ANT λ1 = 0", erase(with(ANT, "lambdaPreserve", "0"), red), evaluationData);
        for (Measured m : List.of(base, full, eraseAll, noPreserve)) {
            System.out.println("[ant behaviour] " + m);
        }
        System.out.printf(Locale.ROOT, "[ant behaviour] set-up %.1f s%n", (System.nanoTime() - started) / 1e9);
    }

    private static List<ShapesPrompt> erasedPrompts(ShapesWorld world, String colour) {
        List<ShapesPrompt> out = new ArrayList<>();
        out.addAll(world.evalPrompts(ShapesWorld.EVAL_NAME, colour).subList(0, ERASED_BY_NAME));
        out.addAll(world.evalPrompts(ShapesWorld.EVAL_ALIAS, colour).subList(ERASED_BY_NAME, ERASED_BY_NAME + ERASED_BY_ALIAS));
        return out;
    }

    @AfterAll
    static void close() {
        if (stack != null) {
            stack.close();
        }
    }

    static Map<String, String> with(Map<String, String> settings, String key, String value) {
        Map<String, String> out = new LinkedHashMap<>(settings);
        out.put(key, value);
        return out;
    }

    private static RunRecord erase(Map<String, String> settings, Path concepts) throws InterruptedException {
        return stack.erase(ant, settings, Map.of(Task.ERASE, concepts), SEED);
    }

    private static Measured measure(String label, RunRecord record, Map<String, Path> data) throws InterruptedException {
        assertEquals(RunState.COMMITTED, record.state(), label + ": " + record.reason().orElse(""));
        double seconds = record.started().orElseThrow().until(record.ended().orElseThrow(), ChronoUnit.MILLIS) / 1e3;
        return measure(label, record.result().orElseThrow(), seconds, data);
    }

    private static Measured measure(String label, ModelRef model, double runSeconds, Map<String, Path> data)
            throws InterruptedException {
        Evaluation evaluation = stack.evaluate(model, METRICS, data);
        assertTrue(evaluation.failures().isEmpty(), model + ": " + evaluation.failures());
        Map<String, Double> values = new LinkedHashMap<>();
        for (MetricResult r : evaluation.results()) {
            values.put(r.key(), r.aggregate());
        }
        return new Measured(label, model, values, runSeconds);
    }

    /**
     * ANT erases red: Acc_e falls from the base's ≈ 0.98 to at most {@value #MAX_ERASED} (measured
     * 0.396 after {@value #STEPS} iterations; 0.021 at the default 250), while the other colours are
     * still drawn: Acc_p at least {@value #MIN_PRESERVED} (measured 0.925; base 0.988).
     */
    @Test
    void antErasesRedAndKeepsTheOtherColours() {
        assertTrue(base.get(ACC_E) >= MIN_BASE, "the base model does not draw red: " + base);
        assertTrue(base.get(ACC_P) >= MIN_BASE, "the base model does not draw the other colours: " + base);
        assertTrue(full.get(ACC_E) <= MAX_ERASED, "ANT did not erase red: " + full + " (base " + base + ")");
        assertTrue(full.get(ACC_P) >= MIN_PRESERVED, "ANT lost the other colours: " + full + " (base " + base + ")");
    }

    /**
     * Paper Table 4 direction (b): erasing at all timesteps instead of only mid-to-late ones (and so
     * without the preserve term) moves ANT toward ESD: lower Acc_p and lower layout IoU than full
     * ANT. Measured ({@value #STEPS} iterations): full ANT Acc_e 0.396 / Acc_p 0.925 / IoU 0.276,
     * erasing at all t 0.208 / 0.875 / 0.251. At the default 250 iterations (one saliency seed):
     * full 0.021 / 0.850 / 0.328, at all t 0.000 / 0.750 / 0.389 — Acc_p holds there, IoU does not.
     */
    @Test
    void erasingAtAllTimestepsPreservesLessThanAnt() {
        assertTrue(eraseAll.get(ACC_P) < full.get(ACC_P), "at all t " + eraseAll + " vs ANT " + full);
        assertTrue(eraseAll.get(IOU) < full.get(IOU), "at all t " + eraseAll + " vs ANT " + full);
    }

    /**
     * Paper Table 4 direction (b): without L_preserve (λ1 = 0) ANT preserves less: lower Acc_p.
     * Measured ({@value #STEPS} iterations): full ANT Acc_p 0.925, λ1 = 0 0.888 (Acc_e 0.458, IoU
     * 0.296). The layout half of the direction does not reproduce: λ1 = 0 has the higher IoU (0.296 vs
     * 0.276; at 250 iterations 0.380 vs 0.328, Acc_p 0.813 vs 0.850), so it is not asserted.
     */
    @Test
    void withoutThePreserveTermAntPreservesLess() {
        assertTrue(noPreserve.get(ACC_P) < full.get(ACC_P), "λ1 = 0 " + noPreserve + " vs ANT " + full);
    }

    /**
     * Paper direction (a): ANT reaches erasure comparable to ESD (ESD-x at its defaults) with higher
     * Acc_p and higher layout IoU. Not reproduced on the tiny fixture at ANT's paper settings:
     * ESD-x (300 iterations) 0.000 / 0.950 / IoU 0.411 / Fréchet 162.0; ANT (250 iterations, one
     * saliency seed × 4 prompts) 0.021 / 0.850 / IoU 0.328 / Fréchet 242.4 — comparable erasure,
     * lower Acc_p and IoU (ANT fine-tunes the whole masked U-Net, ESD-x only cross-attention, which is
     * where the colour enters). With half of the steps preserved ({@code preserveFraction} 0.5, 100
     * iterations) ANT reaches 0.000 / 0.888 / IoU 0.516 / Fréchet 161.7: the IoU half holds there,
     * the Acc_p half still does not.
     */
    @Test
    @Disabled("not reproduced at ANT's paper settings on the tiny fixture: ESD-x Acc_e 0.000, Acc_p 0.950, IoU 0.411;"
            + " ANT (250 iterations) 0.021, 0.850, 0.328; the Javadoc has the preserveFraction 0.5 run")
    void antErasesLikeEsdWithBetterPreservationAndLayout() throws Exception {
        Measured esdX = measure("ESD-x", stack.erase("esd", Map.of("variant", "x"), Map.of(Task.ERASE, red), SEED),
                evaluationData);
        Measured paper = measure("ANT 250", erase(Map.of("saliencySeeds", SALIENCY_SEEDS), red), evaluationData);
        System.out.println("[ant behaviour] " + esdX + "\n[ant behaviour] " + paper);
        assertTrue(paper.get(ACC_E) <= esdX.get(ACC_E) + 0.1, paper + " vs " + esdX);
        assertTrue(paper.get(ACC_P) > esdX.get(ACC_P), paper + " vs " + esdX);
        assertTrue(paper.get(IOU) > esdX.get(IOU), paper + " vs " + esdX);
    }

    /**
     * Paper Table 5 direction (c): the intersected saliency mask erases more per step than no mask.
     * Not reproduced: after 30 iterations the masked model has Acc_e 0.813 (Acc_p 0.925, Fréchet
     * 94.8), the unmasked one 0.583 — but at Acc_p 0.400 and Fréchet 1215.7: without the mask the
     * whole U-Net at lr 5e-4 wrecks the tiny model rather than erasing red (250 iterations: masked
     * 0.021 / 0.850, unmasked 0.021 / 0.275). The mask's effect here is preservation, not erasure speed.
     */
    @Test
    @Disabled("not reproduced: after 30 iterations Acc_e intersected mask 0.813 vs no mask 0.583 (no mask: Acc_p"
            + " 0.400, Fréchet 1215.7, the model is wrecked, not erased)")
    void theIntersectedMaskErasesMorePerStepThanNoMask() throws Exception {
        Measured masked = measure("masked 30", erase(with(ANT, "steps", "30"), red), evaluationData);
        Measured unmasked = measure("unmasked 30", erase(Map.of("steps", "30", "maskMode", "none"), red), evaluationData);
        System.out.println("[ant behaviour] " + masked + "\n[ant behaviour] " + unmasked);
        assertTrue(masked.get(ACC_E) < unmasked.get(ACC_E), masked + " vs " + unmasked);
    }

    /**
     * Several concepts (LoRA per concept on the cross-attention layers, then the closed-form fusion
     * into every to_k/to_v): red and green erased together, the prompts of both judged (48 each),
     * the other colours preserved. Settings {@link #MULTI}; the fusion's preserve prompts are derived
     * from the vocabulary (no keep role). The base draws every colour right at ≈ 0.97 (the fixture's
     * contract; red 0.979 here), so the bound on Acc_e is far below it. Measured: Acc_e 0.469 on
     * the 96 red and green prompts, Acc_p 1.000 on the 64 other-colour prompts, IoU 0.321, Fréchet
     * 90.1 (two LoRAs of 40 iterations, 13.1 s).
     */
    @Test
    void redAndGreenErasedTogetherByLoraAndFusion() throws Exception {
        Measured multi = measure("ANT multi", erase(MULTI, redAndGreen), multiEvaluationData);
        System.out.println("[ant behaviour] " + multi);
        assertTrue(multi.get(ACC_E) <= MAX_ERASED_MULTI, "red and green not erased: " + multi);
        assertTrue(multi.get(ACC_P) >= MIN_PRESERVED, "the other colours were lost: " + multi);
    }

    /**
     * A LoRA rank larger than a cross-attention layer's smaller side fails the run as invalid input
     * (exit status 3 from the shell) before anything is committed, naming the setting, the layer and
     * its sizes.
     */
    @Test
    void aLoraRankLargerThanTheLayerIsRefusedBeforeAnythingIsCommitted() throws Exception {
        List<ModelManifest> versions = stack.store().versions(ShapesFixtures.GENERATOR);
        RunRecord record = erase(Map.of("mode", "multi", "loraRank", "1000"), red);
        assertEquals(RunState.FAILED, record.state(), record.toString());
        assertTrue(record.invalidInput(), record.reason().orElse(""));
        String reason = record.reason().orElseThrow();
        assertTrue(reason.contains("loraRank") && reason.contains("attn2") && reason.contains("(in ")
                && reason.contains(", out "), reason);
        assertTrue(record.result().isEmpty(), record.toString());
        assertEquals(versions, stack.store().versions(ShapesFixtures.GENERATOR), "a version was committed");
    }
}
