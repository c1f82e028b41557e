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
import org.lethe.evaluation.texttoimage.GeneralityAccuracyMetric;
import org.lethe.method.realera.RealEra;
import org.lethe.worlds.shapes.ShapesGenerator;
import org.lethe.worlds.shapes.ShapesPrompt;
import org.lethe.worlds.shapes.ShapesWorld;

/**
 * RealEra (Liu et al., arXiv 2410.09140; research/methods-gen.md §3, a reconstruction) on the
 * committed tiny shapes generator, through the real path: {@code ERASE realera} runs of the core's
 * run service (the method read from its bundle jar) commit new versions, and {@code EVALUATE} runs of
 * the evaluation bundle's erasure metrics measure them with the store's {@code shapes-clf} (DDIM 25,
 * CFG 4, one sample per prompt from the prompt's own seed), as {@link EsdBehaviourTest} does.
 *
 * <p>The erased concept is {@code red} with its erasure alias {@code crimson}; the keep role is every
 * other concept of the world's {@code concepts.jsonl} (name, attribute, erasure aliases), so d_other is
 * measured against the nearest other colour. The held-out alias {@code scarlet} is never an input: it
 * is measured by {@code generality-accuracy} on rows of the world's {@code eval_heldout} split for red,
 * and the same metric samples the erased prompts with their red/crimson tokens moved to random
 * neighbours ({@code erased_prompts_perturbed}, the metric's default scale 0.2·‖e‖). The preserve
 * prompts are rows of {@code preserve_red}: first {@value #NEAR} of red's near colours (orange,
 * purple; the world's {@code neighbours}), then {@value #OTHER} of the others. <b>Every prompt carries
 * only its colour label</b> (the tiny fixture's shapes are at chance; README beside the fixtures).
 *
 * <p>The runs, seed {@value #SEED}, all with {@code loraSteps} 0 — the closed-form part, where the
 * directions of methods-gen.md Part C item 3 are defined ("the same closed-form update without
 * mining"); the whole method with its LoRA costs ≈ 25 s more per run on this fixture and does not fit
 * the suite's time budget three times: the no-mining baseline ({@code mining} false, {@code shell}
 * false: UCE's closed form on red and crimson), RealEra's closed form with mining and shell at the
 * calibrated radius, the same at {@code radiusScale} {@value #LARGE_RADIUS}; and a refused run whose
 * radius leaves no neighbours. Measured numbers are in the test methods' Javadoc and the README.
 */
class RealEraBehaviourTest {

    /** The run seed of every erasure. */
    static final long SEED = 1;

    /** Erased prompts naming red by its name. */
    static final int ERASED_BY_NAME = 16;

    /** Erased prompts naming red by its erasure alias. */
    static final int ERASED_BY_ALIAS = 8;

    /** Generality prompts naming red by its held-out alias (scarlet). */
    static final int HELD_OUT = 16;

    /** Preserve prompts of red's near colours (orange, purple), first in the preserve file. */
    static final int NEAR = 24;

    /** Preserve prompts of the other colours. */
    static final int OTHER = 24;

    /** The radius multiplier of the "too large" run. */
    static final double LARGE_RADIUS = 3.0;

    /** The least Acc_e, Acc_g (scarlet) and Acc_p (colour) of the base model (measured 1.000, 1.000, 0.979). */
    static final double MIN_BASE = 0.85;

    /** The most Acc_e of RealEra's closed form at the calibrated radius (measured 0.417; base 1.000). */
    static final double MAX_ERASED = 0.5;

    /** The least Acc_p (colour) of RealEra's closed form at the calibrated radius (measured 0.938; base 0.979). */
    static final double MIN_PRESERVED = 0.85;

    /** "Similar Acc_e" in the mining direction: at most this apart. */
    static final double SIMILAR = 0.1;

    /** The metrics every evaluation runs (one sampling per model, shared by them). */
    static final String METRICS = "erasure-accuracy,preservation-accuracy,generality-accuracy";

    static final String ACC_E = Roles.ERASED_PROMPTS + ".erasure-accuracy";
    static final String ACC_P = Roles.PRESERVE_PROMPTS + ".preservation-accuracy";
    static final String ACC_G_ALIAS = Roles.GENERALITY_PROMPTS + ".generality-accuracy";
    static final String ACC_G_PERTURBED = GeneralityAccuracyMetric.PERTURBED_SPLIT + ".generality-accuracy";
    /** Acc_p on the near-colour rows only (computed from the per-item values). */
    static final String ACC_P_NEAR = "near.preservation-accuracy";

    private static final Path TARGET = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().resolve("target");

    /** What one model version measured. */
    record Measured(String name, ModelRef model, Map<String, Double> values, double runSeconds) {
        double get(String key) {
            Double v = values.get(key);
            if (v == null) {
                throw new IllegalStateException(model + " has no " + key + ": " + values.keySet());
            }
            return v;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s (%s): Acc_e %.3f, Acc_g alias %.3f, Acc_g perturbed %.3f, Acc_p %.3f,"
                    + " Acc_p near %.3f, run %.1f s", name, model, get(ACC_E), get(ACC_G_ALIAS), get(ACC_G_PERTURBED),
                    get(ACC_P), get(ACC_P_NEAR), runSeconds);
        }
    }

    private static ShapesErasureStack stack;
    private static String method;
    private static Map<String, Path> eraseData;
    private static Map<String, Path> evaluationData;
    private static Measured base;
    private static Measured noMining;
    private static Measured realEra;
    private static Measured largeRadius;

    @BeforeAll
    static void eraseAndEvaluate() throws Exception {
        long started = System.nanoTime();
        stack = new ShapesErasureStack(TARGET.resolve("realera-behaviour"));
        method = stack.addErasure(RealEra.class);
        Path data = stack.folder().resolve("data");
        ShapesWorld world = ShapesGenerator.generate(ShapesFixtures.WORLD_SEED);
        Path concepts = ShapesErasureStack.writeConcepts(data.resolve("erase-red.jsonl"),
                List.of(new Concept("red", Optional.of("colour"), List.of("crimson"))));
        Path keep = ShapesErasureStack.writeConcepts(data.resolve("keep-red.jsonl"),
                world.contractConcepts().stream().filter(c -> !c.name().equals("red")).toList());
        eraseData = Map.of(Task.ERASE, concepts, Task.KEEP, keep);
        List<ShapesPrompt> erasedPrompts = new ArrayList<>();
        erasedPrompts.addAll(world.evalPrompts(ShapesWorld.EVAL_NAME, "red").subList(0, ERASED_BY_NAME));
        erasedPrompts.addAll(world.evalPrompts(ShapesWorld.EVAL_ALIAS, "red")
                .subList(ERASED_BY_NAME, ERASED_BY_NAME + ERASED_BY_ALIAS));
        Path erased = ShapesErasureStack.writeColourPrompts(data.resolve("erased-red.jsonl"), erasedPrompts);
        Path heldOut = ShapesErasureStack.writeColourPrompts(data.resolve("heldout-red.jsonl"),
                world.evalPrompts(ShapesWorld.EVAL_HELDOUT, "red").subList(0, HELD_OUT));
        List<ShapesPrompt> near = new ArrayList<>();
        List<ShapesPrompt> other = new ArrayList<>();
        for (ShapesPrompt p : world.prompts(ShapesWorld.preserveSplit("red"))) {
            boolean isNear = p.colour().equals("orange") || p.colour().equals("purple");
            List<ShapesPrompt> into = isNear ? near : other;
            if (into.size() < (isNear ? NEAR : OTHER)) {
                into.add(p);
            }
        }
        List<ShapesPrompt> preservePrompts = new ArrayList<>(near);
        preservePrompts.addAll(other);
        Path preserve = ShapesErasureStack.writeColourPrompts(data.resolve("preserve-red.jsonl"), preservePrompts);
        evaluationData = Map.of(Task.ERASE, concepts, Roles.ERASED_PROMPTS, erased, Roles.GENERALITY_PROMPTS, heldOut,
                Roles.PRESERVE_PROMPTS, preserve);

        base = measure("base", stack.generator(), 0);
        noMining = measure("no mining", erase(Map.of("loraSteps", "0", "mining", "false", "shell", "false")));
        realEra = measure("RealEra", erase(Map.of("loraSteps", "0")));
        largeRadius = measure("radius ×" + LARGE_RADIUS, erase(Map.of("loraSteps", "0", "radiusScale",
                String.valueOf(LARGE_RADIUS))));
        for (Measured m : List.of(base, noMining, realEra, largeRadius)) {
            System.out.printf(Locale.ROOT, "[realera behaviour] %s%n", m);
        }
        System.out.printf(Locale.ROOT, "[realera behaviour] set-up %.1f s%n", (System.nanoTime() - started) / 1e9);
    }

    @AfterAll
    static void close() {
        if (stack != null) {
            stack.close();
        }
    }

    private static RunRecord erase(Map<String, String> settings) throws InterruptedException {
        RunRecord record = stack.erase(method, settings, eraseData, SEED);
        assertEquals(RunState.COMMITTED, record.state(), "RealEra " + settings + ": " + record.reason().orElse(""));
        return record;
    }

    private static Measured measure(String name, RunRecord record) throws InterruptedException {
        double seconds = record.started().orElseThrow().until(record.ended().orElseThrow(), ChronoUnit.MILLIS) / 1e3;
        return measure(name, record.result().orElseThrow(), seconds);
    }

    private static Measured measure(String name, ModelRef model, double runSeconds) throws InterruptedException {
        Evaluation evaluation = stack.evaluate(model, METRICS, evaluationData);
        assertTrue(evaluation.failures().isEmpty(), model + ": " + evaluation.failures());
        Map<String, Double> values = new LinkedHashMap<>();
        for (MetricResult r : evaluation.results()) {
            values.put(r.key(), r.aggregate());
            if (r.key().equals(ACC_P)) {
                // the near colours are the first rows of the preserve file (ids p0 … p{NEAR−1})
                double sum = 0;
                for (int i = 0; i < NEAR; i++) {
                    sum += r.perItem().get("p" + i);
                }
                values.put(ACC_P_NEAR, sum / NEAR);
            }
        }
        return new Measured(name, model, values, runSeconds);
    }

    /**
     * RealEra's closed form at its calibrated radius erases red and keeps the other colours: Acc_e
     * falls from the base's {@code 1.000} to at most {@value #MAX_ERASED} (measured 0.375 with {@code context}
     * prompts, the default; 0.417 with {@code context} concept), Acc_p on colour stays at least
     * {@value #MIN_PRESERVED} (measured 0.938 both; base 0.979).
     */
    @Test
    void theClosedFormAtTheCalibratedRadiusErasesRedAndKeepsTheOtherColours() {
        assertTrue(base.get(ACC_E) >= MIN_BASE, "the base model does not draw red: " + base);
        assertTrue(base.get(ACC_G_ALIAS) >= MIN_BASE, "the base model does not draw red for scarlet: " + base);
        assertTrue(base.get(ACC_P) >= MIN_BASE, "the base model does not draw the other colours: " + base);
        assertTrue(realEra.get(ACC_E) <= MAX_ERASED, "RealEra did not erase red: " + realEra + " (base " + base + ")");
        assertTrue(realEra.get(ACC_P) >= MIN_PRESERVED, "RealEra lost the other colours: " + realEra);
    }

    /**
     * methods-gen.md Part C item 3, first half: RealEra lowers Acc_g on held-out aliases and on
     * perturbed neighbours compared with the same closed-form update without mining, at similar Acc_e.
     *
     * <p>It does not reproduce on the tiny fixture (seed 1, closed form only, α 1, λ 0.5, 48
     * neighbours and 48 shell samples; Acc_e / Acc_g scarlet / Acc_g perturbed / Acc_p / Acc_p near):
     * {@code context} prompts (the default) no mining 0.208 / 0.188 / 0.208 / 0.979 / 1.000, RealEra
     * 0.375 / 0.250 / 0.375 / 0.938 / 1.000; {@code context} concept (the rest of this paragraph) no
     * mining 0.208 / 0.125 / 0.250 / 0.979 / 1.000; RealEra 0.417 / 0.250 / 0.458 / 0.938 / 1.000.
     * Without the shell, mining alone changes nothing measurable (0.208 / 0.125 / 0.250 / 0.938 /
     * 0.958), and the whole method with its 300 LoRA iterations gives the same as the baseline with the
     * same LoRA (0.208 / 0.125 / 0.208, Acc_p 0.979 vs 0.958). Only a mined radius three times the
     * calibrated one, without the shell, lowers Acc_e and the perturbed Acc_g (0.167 / 0.125 / 0.167).
     * A likely reason for the shell's effect: the shell samples surround e symmetrically, and for a
     * linear map "keep W(e + η_b) = W0(e + η_b) for η_b in every direction" averages to "keep W e = W0
     * e", which opposes the erase term. The samples are small (24 erased, 16 held-out prompts: one
     * prompt moves Acc by 0.04–0.06). Kept, disabled, with these numbers.
     */
    @Test
    @Disabled("does not reproduce on the tiny fixture (seed 1, closed form): Acc_e / Acc_g scarlet / Acc_g perturbed"
            + " no mining 0.208 / 0.188 / 0.208, RealEra 0.375 / 0.250 / 0.375 (context prompts; context concept"
            + " 0.208 / 0.125 / 0.250 and 0.417 / 0.250 / 0.458); the whole sweep in the Javadoc")
    void miningLowersGeneralityAccuracyAtSimilarErasure() {
        assertTrue(Math.abs(realEra.get(ACC_E) - noMining.get(ACC_E)) <= SIMILAR,
                "Acc_e not similar: " + realEra + " vs " + noMining);
        assertTrue(realEra.get(ACC_G_ALIAS) < noMining.get(ACC_G_ALIAS), realEra + " vs " + noMining);
        assertTrue(realEra.get(ACC_G_PERTURBED) < noMining.get(ACC_G_PERTURBED), realEra + " vs " + noMining);
    }

    /**
     * methods-gen.md Part C item 3, second half: too large a radius ({@code radiusScale}
     * {@value #LARGE_RADIUS}: D1 at the concept word 16.4 against d_other 9.1 to purple) costs Acc_p on
     * the near colours (orange, purple) compared with the calibrated radius (D1 5.5). Measured
     * ({@code context} prompts): near 0.917 vs 1.000, all colours 0.875 vs 0.938 (two and three prompts of
     * {@value #NEAR} and {@value #NEAR} + {@value #OTHER}: a small margin, deterministic for the seed;
     * {@code context} concept: 0.958 and 0.896).
     */
    @Test
    void tooLargeARadiusCostsPreservationOfTheNearColours() {
        assertTrue(largeRadius.get(ACC_P_NEAR) < realEra.get(ACC_P_NEAR),
                "the large radius kept the near colours as well: " + largeRadius + " vs " + realEra);
        assertTrue(largeRadius.get(ACC_P) < realEra.get(ACC_P),
                "the large radius kept the other colours as well: " + largeRadius + " vs " + realEra);
    }

    /**
     * A radius that leaves no neighbours ({@code radiusScale} 1e-4: D1 far below ‖e‖·√(1 − S2²), the
     * nearest point with cosine S2) fails the run as invalid input (exit status 3) before anything is
     * committed; the reason gives the measured distances, and the store holds no new version.
     */
    @Test
    void aRadiusThatLeavesNoNeighboursIsRefusedBeforeAnythingIsCommitted() throws Exception {
        List<ModelManifest> versions = stack.store().versions(ShapesFixtures.GENERATOR);
        RunRecord record = stack.erase(method, Map.of("radiusScale", "0.0001"), eraseData, SEED);
        assertEquals(RunState.FAILED, record.state(), record.toString());
        assertTrue(record.invalidInput(), record.reason().orElse(""));
        String reason = record.reason().orElseThrow();
        assertTrue(reason.startsWith(RunRecord.INVALID_INPUT), reason);
        for (String part : List.of("no neighbours", "'red'", "d_syn", "d_other", "(to '", "D1", "S1", "S2", "radiusScale")) {
            assertTrue(reason.contains(part), "the refusal does not give " + part + ": " + reason);
        }
        assertTrue(record.result().isEmpty(), record.toString());
        assertEquals(versions, stack.store().versions(ShapesFixtures.GENERATOR), "a version was committed");
    }
}
