package org.lethe.itests.behaviour.shapes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.hash.Hashing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.lethe.api.data.Concept;
import org.lethe.api.eval.Evaluation;
import org.lethe.api.eval.MetricResult;
import org.lethe.api.eval.Roles;
import org.lethe.api.method.Task;
import org.lethe.api.model.LoadedModel;
import org.lethe.api.model.ModelManifest;
import org.lethe.api.model.ModelRef;
import org.lethe.api.model.diffusion.DiffusionModel;
import org.lethe.api.run.RunRecord;
import org.lethe.api.run.RunState;
import org.lethe.models.diffusion.TextToImageArchitecture;
import org.lethe.worlds.shapes.ShapesGenerator;
import org.lethe.worlds.shapes.ShapesPrompt;
import org.lethe.worlds.shapes.ShapesWorld;

/**
 * ESD (Gandikota et al., ICCV 2023; research/methods-gen.md §1) on the committed tiny shapes
 * generator, through the real path: the fixtures imported into a model store, an
 * {@code ERASE esd} run of the core's run service (the method read from its bundle jar) commits a new
 * version, and {@code EVALUATE} runs of the evaluation bundle's erasure metrics measure it with the
 * store's {@code shapes-clf} (DDIM 25, CFG 4, one sample per prompt from the prompt's own seed).
 *
 * <p>The concept erased is {@code red} with its erasure alias {@code crimson} (the shapes world's
 * {@code concepts.jsonl}). The evaluation prompts come from the shapes world of seed 0 (the world
 * the fixtures were trained on), cut to keep sampling cheap: {@value #ERASED_BY_NAME} rows of
 * {@code eval_name} and {@value #ERASED_BY_ALIAS} of {@code eval_alias} for red as the erased
 * prompts, the first {@value #PRESERVED} rows of {@code preserve_red} (green, blue, yellow, purple
 * and orange objects) as the preserve prompts. <b>Every prompt carries only its colour label</b>: the
 * tiny fixture draws the right colour (≈ 0.97) but its shapes are at chance (README beside the
 * fixtures), so Acc_p over every attribute would be low on the base model already; the metrics judge
 * only the labels a prompt has, so Acc_e here is "the sample still shows red" and Acc_p "the sample
 * shows the colour its prompt names" (and, for both, the classifier sees an object).
 *
 * <p>The erasures run at ESD's defaults (300 iterations, Adam lr 1e-4, η 1.0, x_t from DDIM 25 at
 * guidance 3 by the model being erased), seed {@value #SEED}; only {@code variant} differs. The
 * ESD-x model is the one {@link SharedEsdX} makes once per test JVM (also attacked by
 * {@link ErasureProbesBehaviourTest}), in a stack shared with that class; this class's files live in
 * its own data folder there.
 *
 * <p>Measured (2026-11-26, 2-core shared VM, one intra-op thread; README beside the fixtures,
 * "Measured behaviour"), Acc_e / Acc_p (colour) / feature Fréchet distance to the base on the
 * preserve prompts: base 0.979 / 0.988 / 0; ESD-x 0.000 / 0.950 / 162.0; ESD-u 0.583 / 0.938 / 76.4
 * (the direction test, disabled: see there). An unknown concept is refused before any change.
 */
class EsdBehaviourTest {

    /** The run seed of both erasures. */
    static final long SEED = SharedEsdX.SEED;

    /** Erased prompts naming red by its name. */
    static final int ERASED_BY_NAME = 32;

    /** Erased prompts naming red by its erasure alias. */
    static final int ERASED_BY_ALIAS = 16;

    /** Preserve prompts (other colours). */
    static final int PRESERVED = 80;

    /** The iterations of the ESD-u run whose parameters are checked. */
    static final int SHORT_U_STEPS = 30;

    /** The least Acc_e and Acc_p (colour) of the base model: the fixture's contract (README: colour ≈ 0.97). */
    static final double MIN_BASE = 0.85;

    /** The most Acc_e of ESD-x at its defaults (measured 0.000; base 0.979). */
    static final double MAX_ERASED = 0.25;

    /** The least Acc_p (colour) of ESD-x at its defaults (measured 0.950; base 0.988). */
    static final double MIN_PRESERVED = 0.85;

    /** The metrics every evaluation here runs (one sampling per model, shared by them). */
    static final String METRICS = "erasure-accuracy,preservation-accuracy,feature-frechet-distance";

    static final String ACC_E = Roles.ERASED_PROMPTS + ".erasure-accuracy";
    static final String ACC_P = Roles.PRESERVE_PROMPTS + ".preservation-accuracy";
    static final String FRECHET = Roles.PRESERVE_PROMPTS + ".feature-frechet-distance";

    /** What one model version measured. */
    record Measured(ModelRef model, Map<String, Double> values, double runSeconds) {
        double get(String key) {
            Double v = values.get(key);
            if (v == null) {
                throw new IllegalStateException(model + " has no " + key + ": " + values.keySet());
            }
            return v;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s: Acc_e %.3f, Acc_p %.3f, feature Fréchet %.1f, run %.1f s", model,
                    get(ACC_E), get(ACC_P), get(FRECHET), runSeconds);
        }
    }

    private static ShapesErasureStack stack;
    private static Path concepts;
    private static Map<String, Path> evaluationData;
    private static Measured base;
    private static Measured esdX;
    private static ModelRef esdUShort;

    @BeforeAll
    static void eraseAndEvaluate() throws Exception {
        long started = System.nanoTime();
        stack = SharedEsdX.stack();
        Path data = SharedEsdX.data(EsdBehaviourTest.class);
        ShapesWorld world = ShapesGenerator.generate(ShapesFixtures.WORLD_SEED);
        concepts = SharedEsdX.concepts();
        List<ShapesPrompt> erasedPrompts = new ArrayList<>();
        erasedPrompts.addAll(world.evalPrompts(ShapesWorld.EVAL_NAME, "red").subList(0, ERASED_BY_NAME));
        erasedPrompts.addAll(world.evalPrompts(ShapesWorld.EVAL_ALIAS, "red")
                .subList(ERASED_BY_NAME, ERASED_BY_NAME + ERASED_BY_ALIAS));
        Path erased = ShapesErasureStack.writeColourPrompts(data.resolve("erased-red.jsonl"), erasedPrompts);
        Path preserve = ShapesErasureStack.writeColourPrompts(data.resolve("preserve-red.jsonl"),
                world.prompts(ShapesWorld.preserveSplit("red")).subList(0, PRESERVED));
        evaluationData = Map.of(Task.ERASE, concepts, Roles.ERASED_PROMPTS, erased, Roles.PRESERVE_PROMPTS, preserve);

        base = measure(stack.generator(), 0);
        esdX = measure(SharedEsdX.record());
        esdUShort = erase(Map.of("variant", "u", "steps", String.valueOf(SHORT_U_STEPS))).result().orElseThrow();
        System.out.printf(Locale.ROOT, "[esd behaviour] base %s%n[esd behaviour] ESD-x %s%n[esd behaviour] set-up %.1f s%n",
                base, esdX, (System.nanoTime() - started) / 1e9);
    }

    private static RunRecord erase(Map<String, String> settings) throws InterruptedException {
        RunRecord record = stack.erase(settings, concepts, SEED);
        assertEquals(RunState.COMMITTED, record.state(), "ESD " + settings + ": " + record.reason().orElse(""));
        return record;
    }

    private static Measured measure(RunRecord record) throws InterruptedException {
        assertEquals(RunState.COMMITTED, record.state(), record.spec() + ": " + record.reason().orElse(""));
        double seconds = record.started().orElseThrow().until(record.ended().orElseThrow(), java.time.temporal.ChronoUnit.MILLIS)
                / 1e3;
        return measure(record.result().orElseThrow(), seconds);
    }

    private static Measured measure(ModelRef model, double runSeconds) throws InterruptedException {
        Evaluation evaluation = stack.evaluate(model, METRICS, evaluationData);
        assertTrue(evaluation.failures().isEmpty(), model + ": " + evaluation.failures());
        Map<String, Double> values = new LinkedHashMap<>();
        for (MetricResult r : evaluation.results()) {
            values.put(r.key(), r.aggregate());
        }
        return new Measured(model, values, runSeconds);
    }

    /**
     * ESD-x at its defaults erases red: Acc_e on the erased model falls from the base's ≈ 0.98 to at
     * most {@value #MAX_ERASED} (measured 0.000), while the other colours are still drawn: Acc_p on
     * colour stays at least {@value #MIN_PRESERVED} (measured 0.950; base 0.988).
     */
    @Test
    void esdXAtItsDefaultsErasesRedAndKeepsTheOtherColours() {
        assertTrue(base.get(ACC_E) >= MIN_BASE, "the base model does not draw red: " + base);
        assertTrue(base.get(ACC_P) >= MIN_BASE, "the base model does not draw the other colours: " + base);
        assertTrue(esdX.get(ACC_E) <= MAX_ERASED, "ESD-x did not erase red: " + esdX + " (base " + base + ")");
        assertTrue(esdX.get(ACC_P) >= MIN_PRESERVED, "ESD-x lost the other colours: " + esdX + " (base " + base + ")");
    }

    /**
     * The paper's direction (ANT's re-measurement of ESD, research/methods-gen.md Part C: ESD-u erases
     * most and damages most; NSFW 123 vs 315 detections at FID 15.10 vs 14.41, celebrities Acc_e 0.04
     * vs 0.28, though there ESD-u's Acc_p, 0.39, is above ESD-x's 0.28): at the same settings and seed
     * (ESD's defaults, only {@code variant} differs), ESD-u's Acc_e is below ESD-x's and so is its Acc_p.
     *
     * <p>It does not reproduce on the tiny shapes model at the defaults: ESD-x erases red completely
     * (the colour enters the U-Net only through cross-attention, which ESD-x edits directly) while
     * ESD-u does not. Measured (seed 1, lr 1e-4, η 1; Acc_e / Acc_p on colour / feature Fréchet):
     * 300 iterations x 0.000 / 0.950 / 162.0, u 0.583 / 0.938 / 76.4. Over the budget: 50 x 0.917 /
     * 0.963 / 13.7, u 0.854 / 0.875 / 142.2; 100 x 0.896 / 0.950 / 33.1, u 0.688 / 0.875 / 176.5; 150 x
     * 0.833 / 0.938 / 63.0, u 0.854 / 0.950 / 48.4; 200 x 0.438 / 0.938 / 90.3, u 0.479 / 0.925 / 78.3.
     * The direction holds at 50 and 100 iterations only, before ESD-x's edit takes hold, and ESD-u's
     * Acc_e is not monotonic in the budget; with esd_sd.py's η 2.0 ESD-u reaches 0.167 / 0.950, still
     * above ESD-x's 0.000. Kept, disabled, with these numbers: a test tied to the one budget where it
     * holds would be chosen after the fact.
     */
    @Test
    @Disabled("does not reproduce on the tiny shapes model at ESD's defaults (300 iterations, lr 1e-4, η 1, seed 1):"
            + " Acc_e x 0.000 vs u 0.583, Acc_p x 0.950 vs u 0.938 (colour only); holds at 50 and 100 iterations only"
            + " (100: Acc_e x 0.896 vs u 0.688, Acc_p x 0.950 vs u 0.875); the whole sweep in the Javadoc")
    void esdUErasesMoreAndPreservesLessThanEsdX() throws Exception {
        Measured esdU = measure(erase(Map.of("variant", "u")));
        System.out.printf(Locale.ROOT, "[esd behaviour] ESD-u %s%n", esdU);
        assertTrue(esdU.get(ACC_E) < esdX.get(ACC_E), "ESD-u erased less than ESD-x: u " + esdU + ", x " + esdX);
        assertTrue(esdU.get(ACC_P) < esdX.get(ACC_P), "ESD-u preserved more than ESD-x: u " + esdU + ", x " + esdX);
    }

    /**
     * Read back from the store's committed files (exported, which verifies their checksums): ESD-x
     * changed nothing outside cross-attention (attn2), the text encoder included, and ESD-u nothing
     * in cross-attention or the text encoder; each changed every tensor of its own group; the base
     * version's manifest and files are the fixture's, byte for byte. The ESD-u version here is a
     * short run ({@value #SHORT_U_STEPS} iterations, otherwise the defaults): which parameters move
     * does not depend on the budget.
     */
    @Test
    void untouchedParameterGroupsAreBitIdenticalToTheBase() throws Exception {
        Map<String, String> fixtureFiles = ShapesFixtures.manifest(ShapesFixtures.folder(), ShapesFixtures.GENERATOR).files();
        Path exports = stack.folder().resolve("exports-" + System.nanoTime());
        Map<String, int[]> before = bits(exports, base.model());
        assertEquals(fixtureFiles, stack.store().manifest(base.model()).files(), "the base version's manifest changed");
        for (Map.Entry<String, String> file : fixtureFiles.entrySet()) {
            Path exported = exports.resolve(folderName(base.model())).resolve(file.getKey());
            assertEquals(file.getValue(), Hashing.sha256().hashBytes(Files.readAllBytes(exported)).toString(),
                    "the base version's " + file.getKey() + " changed");
        }
        for (ModelRef erased : List.of(esdX.model(), esdUShort)) {
            assertEquals(Optional.of(base.model()), stack.store().manifest(erased).parent(),
                    erased + "'s parent is not the base");
        }
        try (LoadedModel probe = ShapesFixtures.loadGenerator()) {
            DiffusionModel view = ShapesFixtures.diffusion(probe);
            List<String> attn2 = view.parameterGroup(DiffusionModel.GROUP_CROSS_ATTENTION);
            List<String> nonAttn2 = view.parameterGroup(DiffusionModel.GROUP_UNET_NON_CROSS_ATTENTION);
            List<String> text = view.parameterGroup(DiffusionModel.GROUP_TEXT_ENCODER);
            assertFalse(text.isEmpty() || attn2.isEmpty() || nonAttn2.isEmpty(), view.parameterGroups().toString());
            assertTrue(text.stream().noneMatch(attn2::contains) && text.stream().noneMatch(nonAttn2::contains),
                    "the text encoder overlaps a trained group");
            check("ESD-x", before, bits(exports, esdX.model()), attn2);
            check("ESD-u", before, bits(exports, esdUShort), nonAttn2);
        }
    }

    private static void check(String variant, Map<String, int[]> base, Map<String, int[]> erased, List<String> trained) {
        assertEquals(base.keySet(), erased.keySet(), variant + " changed the parameter names");
        List<String> changed = new ArrayList<>();
        base.forEach((name, bits) -> {
            if (!Arrays.equals(bits, erased.get(name))) {
                changed.add(name);
            }
        });
        List<String> outside = changed.stream().filter(n -> !trained.contains(n)).toList();
        assertTrue(outside.isEmpty(), variant + " changed parameters outside its group: " + outside);
        List<String> still = trained.stream().filter(n -> !changed.contains(n)).toList();
        assertTrue(still.isEmpty(), variant + " left tensors of its group unchanged: " + still);
    }

    private static String folderName(ModelRef ref) {
        return ref.id() + "-" + ref.version();
    }

    /** The raw float bits of every parameter of a committed version, read from its exported files. */
    private static Map<String, int[]> bits(Path exports, ModelRef ref) throws Exception {
        Path folder = exports.resolve(folderName(ref));
        if (!Files.exists(folder)) {
            stack.store().export(ref, folder);
        }
        ModelManifest manifest = stack.store().manifest(ref);
        Map<String, int[]> out = new LinkedHashMap<>();
        try (LoadedModel model = new TextToImageArchitecture().load(manifest, folder)) {
            ShapesFixtures.diffusion(model).parameters().forEach((name, p) -> {
                float[] values = p.getArray().toFloatArray();
                int[] raw = new int[values.length];
                for (int i = 0; i < values.length; i++) {
                    raw[i] = Float.floatToRawIntBits(values[i]);
                }
                out.put(name, raw);
            });
        }
        return out;
    }

    /**
     * A concept the model does not know ({@code vermilion}, in no prompt of the shapes world) fails
     * the run as invalid input (exit status 3 from the shell) before anything is committed: the
     * reason names the words the model knows, and the store holds no new version.
     */
    @Test
    void anUnknownConceptIsRefusedBeforeAnythingIsCommitted() throws Exception {
        List<ModelManifest> versions = stack.store().versions(ShapesFixtures.GENERATOR);
        Path vermilion = ShapesErasureStack.writeConcepts(SharedEsdX.data(EsdBehaviourTest.class).resolve("erase-vermilion.jsonl"),
                List.of(new Concept("vermilion", Optional.of("colour"), List.of())));
        RunRecord record = stack.erase(Map.of(), vermilion, SEED);
        assertEquals(RunState.FAILED, record.state(), record.toString());
        assertTrue(record.invalidInput(), record.reason().orElse(""));
        String reason = record.reason().orElseThrow();
        assertTrue(reason.startsWith(RunRecord.INVALID_INPUT), reason);
        assertTrue(reason.contains("vermilion"), reason);
        for (String known : List.of("red", "crimson", "green", "circle", "stripes")) {
            assertTrue(reason.contains(known), "the refusal does not name the known word '" + known + "': " + reason);
        }
        assertTrue(record.result().isEmpty(), record.toString());
        assertEquals(versions, stack.store().versions(ShapesFixtures.GENERATOR), "a version was committed");
    }
}
