package org.lethe.method.ant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.lethe.api.LetheException;
import org.lethe.api.data.Concept;
import org.lethe.api.model.diffusion.DiffusionModel;
import org.lethe.api.model.diffusion.DiffusionModel.Sample;
import org.lethe.api.model.diffusion.DiffusionModel.SampleRequest;
import org.lethe.method.ant.TrajectoryLoss.Conditions;
import org.lethe.method.ant.TrajectoryLoss.Draw;
import org.lethe.method.ant.TrajectoryLoss.Split;
import org.lethe.method.ant.TrajectoryLoss.Terms;
import org.lethe.method.ant.TrajectoryLoss.Weights;
import org.lethe.models.diffusion.TextToImageArchitecture;
import org.lethe.models.diffusion.TextToImageModel;

/**
 * ANT on a tiny text-to-image model made here (8×8 images, U-Net widths 8/16, text width 16, as the
 * ESD bundle's test): the four loss terms against their formulas, the split rule, the saliency mask
 * (top fraction per tensor, keepSmallest, intersection), masked elements bit-identical, the
 * closed-form fusion against its normal equations, which parameters each mode changes, the
 * reference copy untouched, determinism and bad inputs refused before anything changes.
 * Behavioural erasure needs the trained shapes model (itests/behaviour, AntBehaviourTest).
 */
class AntTest {

    static final Map<String, String> TINY = Map.ofEntries(
            Map.entry("vocabulary", "red green blue circle square crimson scarlet on big"),
            Map.entry("imageSize", "8"), Map.entry("baseChannels", "8"), Map.entry("channels", "16"),
            Map.entry("heads", "4"), Map.entry("groups", "4"), Map.entry("textWidth", "16"),
            Map.entry("textHeads", "4"), Map.entry("textMlp", "32"), Map.entry("contextLength", "6"));
    static final long INIT = 7;
    static final Concept RED = new Concept("red", Optional.of("colour"), List.of("crimson"));
    static final Concept GREEN = new Concept("green", Optional.of("colour"), List.of());
    /** Fast settings: few iterations, one saliency seed, a large rate so every trained tensor moves. */
    static final Map<String, Object> FAST = Map.of("steps", 3, "ddimSteps", 5, "learningRate", 1e-2,
            "saliencySeeds", "5", "saliencySteps", 2, "multiSteps", 3, "multiLearningRate", 1e-2);

    static TextToImageModel tiny() {
        return (TextToImageModel) new TextToImageArchitecture().create(TINY, INIT);
    }

    static Map<String, float[]> values(DiffusionModel model) {
        Map<String, float[]> out = new LinkedHashMap<>();
        model.parameters().forEach((name, p) -> out.put(name, p.getArray().toFloatArray()));
        return out;
    }

    /** Names whose raw bits differ. */
    static List<String> changed(Map<String, float[]> before, Map<String, float[]> after) {
        List<String> out = new ArrayList<>();
        before.forEach((name, b) -> {
            float[] a = after.get(name);
            if (a == null || !Arrays.equals(bits(b), bits(a))) {
                out.add(name);
            }
        });
        return out;
    }

    static int[] bits(float[] values) {
        int[] raw = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            raw[i] = Float.floatToRawIntBits(values[i]);
        }
        return raw;
    }

    record Outcome(Map<String, float[]> before, Map<String, float[]> after, Map<String, float[]> referenceBefore,
            Map<String, float[]> referenceAfter, List<float[]> losses, List<String> log) {
    }

    static Outcome erase(List<Concept> concepts, List<Concept> keep, Map<String, Object> settings, long runSeed) {
        try (TextToImageModel model = tiny()) {
            List<TextToImageModel> references = new ArrayList<>();
            List<Map<String, float[]>> referenceBefore = new ArrayList<>();
            AntTask task = new AntTask(model, () -> {
                TextToImageModel reference = tiny();
                references.add(reference);
                referenceBefore.add(values(reference));
                return reference;
            }, concepts, settings);
            task.keep = keep;
            Map<String, float[]> before = values(model);
            try (AntRunContext run = new AntRunContext(runSeed, model.model().getNDManager())) {
                new Ant().erase(task, run);
                assertEquals(1, references.size(), "the reference copy is loaded once");
                for (String name : model.parameters().keySet()) {
                    assertFalse(model.isFrozen(name), "freezing is restored after the run: " + name);
                }
                return new Outcome(before, values(model), referenceBefore.get(0), values(references.get(0)),
                        List.copyOf(run.losses), List.copyOf(run.log));
            } finally {
                references.forEach(TextToImageModel::close);
            }
        }
    }

    static Map<String, Object> with(Map<String, Object> base, Object... pairs) {
        Map<String, Object> out = new LinkedHashMap<>(base);
        for (int i = 0; i < pairs.length; i += 2) {
            out.put((String) pairs[i], pairs[i + 1]);
        }
        return out;
    }

    // ------------------------------------------------------------------ the objective

    @Test
    void theFourTermsAndTheirSumMatchTheFormulas() {
        try (TextToImageModel model = tiny(); TextToImageModel original = tiny();
                NDManager scope = model.model().getNDManager().newSubManager()) {
            // make θ differ from θ0 so that every term is non-trivial
            model.parameters().get("unet.conv_out.bias").getArray().addi(scope.create(0.05f));
            Split split = new Split(5, 2, false, false);
            Weights weights = new Weights(0.7, 0.3, 0.2);
            double eta = 1.5;
            TrajectoryLoss loss = new TrajectoryLoss(model, original, split, weights, eta, 3.0, true);
            Conditions conditions = Conditions.of(model, original, "red", scope);
            Draw draw = new Draw(1, 3, 1234);
            Terms terms = loss.terms(draw, conditions, scope);

            NDArray c = model.encode(List.of("red"), scope);
            NDArray empty = model.nullCondition(1, scope);
            double[] expected = new double[4]; // erase, preserve, uncond-late, uncond-early
            int[] k = {draw.eraseStep(), draw.preserveStep()};
            for (int branch = 0; branch < 2; branch++) {
                Sample x = model.sample(new SampleRequest(c, 3.0, 5, k[branch], draw.noiseSeed()), scope);
                assertEquals(model.samplingTimesteps(5)[k[branch]], x.timestep());
                NDArray t = scope.create(new long[] {x.timestep()});
                float[] e0 = original.predictNoise(x.latent(), t, empty, false).toFloatArray();
                float[] ep = original.predictNoise(x.latent(), t, c, false).toFloatArray();
                float[] ec = model.predictNoise(x.latent(), t, c, false).toFloatArray();
                float[] eu = model.predictNoise(x.latent(), t, empty, false).toFloatArray();
                double sign = branch == 0 ? -1 : 1; // erase: e0 − η δ; preserve: e0 + η δ
                double lc = 0;
                double lu = 0;
                for (int i = 0; i < e0.length; i++) {
                    double target = e0[i] + sign * eta * (ep[i] - e0[i]);
                    lc += (ec[i] - target) * (ec[i] - target);
                    lu += (eu[i] - e0[i]) * (eu[i] - e0[i]);
                }
                expected[branch] = lc / e0.length;
                expected[2 + branch] = lu / e0.length;
            }
            float[] got = {terms.erase().getFloat(), terms.preserve().getFloat(), terms.uncondLate().getFloat(),
                terms.uncondEarly().getFloat()};
            for (int i = 0; i < 4; i++) {
                assertEquals(expected[i], got[i], 1e-4 * Math.max(1e-3, expected[i]), "term " + i);
                assertTrue(expected[i] > 0, "term " + i + " is trivial");
            }
            double total = expected[0] + 0.7 * expected[1] + 0.3 * expected[2] + 0.2 * expected[3];
            assertEquals(total, terms.total().getFloat(), 1e-4 * total);
        }
    }

    @Test
    void theSplitRuleScalesThePapersSplitToTheSamplersSteps() {
        assertEquals(4, Split.preservedSteps(0.14, 25), "7 of 50 ⇒ round(3.5) = 4 of 25");
        assertEquals(7, Split.preservedSteps(0.14, 50), "the paper's before_step 7");
        assertEquals(5, Split.preservedSteps(0.2, 25), "celebrities, 10 of 50 ⇒ 5 of 25");
        assertEquals(1, Split.preservedSteps(0.01, 25), "at least one preserved step");
        assertEquals(24, Split.preservedSteps(0.99, 25), "at least one erased step");
        Random random = new Random(3);
        Split paper = new Split(25, 4, false, false);
        Split code = new Split(25, 4, true, false);
        Split everywhere = new Split(25, 4, false, true);
        boolean[] seenEverywhere = new boolean[25];
        for (int i = 0; i < 2000; i++) {
            int pre = paper.drawPreserve(random);
            int era = paper.drawErase(random);
            assertTrue(pre >= 0 && pre < 4 && era >= 4 && era < 25, pre + " " + era);
            int preCode = code.drawPreserve(random);
            int eraCode = code.drawErase(random);
            assertTrue(preCode >= 21 && preCode < 25 && eraCode >= 0 && eraCode < 21, preCode + " " + eraCode);
            seenEverywhere[everywhere.drawErase(random)] = true;
        }
        for (boolean seen : seenEverywhere) {
            assertTrue(seen, "erase at all t draws every step");
        }
    }

    @Test
    void withoutUnconditionalGradientTheUnconditionalTermsTrainNothing() {
        try (TextToImageModel model = tiny(); TextToImageModel original = tiny();
                NDManager scope = model.model().getNDManager().newSubManager()) {
            model.parameters().get("unet.conv_out.bias").getArray().addi(scope.create(0.05f));
            Conditions conditions = Conditions.of(model, original, "red", scope);
            Draw draw = new Draw(0, 3, 9);
            // only the unconditional terms weighted (the erase term weighs 1, so compare two weightings)
            TrajectoryLoss with = new TrajectoryLoss(model, original, new Split(5, 2, false, false),
                    new Weights(0, 1, 1), 1, 3.0, true);
            TrajectoryLoss without = new TrajectoryLoss(model, original, new Split(5, 2, false, false),
                    new Weights(0, 1, 1), 1, 3.0, false);
            float[] gradWith = gradient(model, () -> with.terms(draw, conditions, scope).total());
            float[] gradWithout = gradient(model, () -> without.terms(draw, conditions, scope).total());
            float[] gradEraseOnly = gradient(model, () -> new TrajectoryLoss(model, original,
                    new Split(5, 2, false, false), new Weights(0, 0, 0), 1, 3.0, true).terms(draw, conditions, scope)
                    .total());
            assertArrayEquals(gradEraseOnly, gradWithout, 1e-6f, "no-grad uncond terms add no gradient");
            assertFalse(Arrays.equals(gradEraseOnly, gradWith), "uncond terms with gradient do");
        }
    }

    private static float[] gradient(TextToImageModel model, java.util.function.Supplier<NDArray> loss) {
        NDArray weight = model.parameters().get("unet.conv_out.weight").getArray();
        if (!weight.hasGradient()) {
            weight.setRequiresGradient(true);
        }
        // PyTorch adds into .grad: start each measurement from zero
        ai.djl.pytorch.jni.JniUtils.zeroGrad((ai.djl.pytorch.engine.PtNDArray) weight);
        try (ai.djl.training.GradientCollector collector = model.model().getNDManager().getEngine()
                .newGradientCollector()) {
            collector.backward(loss.get());
        }
        return weight.getGradient().toFloatArray();
    }

    // ------------------------------------------------------------------ saliency mask

    @Test
    void theMaskKeepsTheTopFractionOfEachTensorOrTheSmallestForCodeParity() {
        float[] g = {0.1f, 5f, 0.3f, 4f, 0.2f, 3f};
        assertArrayEquals(new float[] {0, 1, 0, 1, 0, 1}, SaliencyMask.keep(g, 0.5, false));
        assertArrayEquals(new float[] {1, 0, 1, 0, 1, 0}, SaliencyMask.keep(g, 0.5, true));
        // ceil(0.4·6) = 3 kept, as generate_mask.py's rank < threshold·n
        assertArrayEquals(new float[] {0, 1, 0, 1, 0, 1}, SaliencyMask.keep(g, 0.4, false));
        // ties: the first positions win, exactly k kept
        assertArrayEquals(new float[] {1, 1, 0, 0}, SaliencyMask.keep(new float[] {2, 2, 2, 1}, 0.5, false));
        // per tensor: each tensor keeps its own top half, even when one tensor's values are all smaller
        Map<String, float[]> accumulated = new LinkedHashMap<>();
        accumulated.put("big", new float[] {-10, 20, 30, -40});
        accumulated.put("small", new float[] {0.001f, -0.004f, 0.003f, 0.002f});
        Map<String, float[]> map = SaliencyMask.map(accumulated, 0.5, false);
        assertArrayEquals(new float[] {0, 0, 1, 1}, map.get("big"), "by |G|, signs ignored");
        assertArrayEquals(new float[] {0, 1, 1, 0}, map.get("small"));
        assertEquals(0.5, SaliencyMask.density(map));
    }

    @Test
    void theFinalMaskIsTheIntersectionOfTheMaps() {
        Map<String, float[]> running = new LinkedHashMap<>();
        running.put("w", new float[] {1, 1, 0, 1});
        SaliencyMask.intersect(running, Map.of("w", new float[] {1, 0, 1, 1}));
        assertArrayEquals(new float[] {1, 0, 0, 1}, running.get("w"));
        SaliencyMask.intersect(running, Map.of("w", new float[] {0, 1, 1, 1}));
        assertArrayEquals(new float[] {0, 0, 0, 1}, running.get("w"));
    }

    @Test
    void maskedElementsAreBitIdenticalAfterAdamSteps() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray weight = m.create(new float[] {1f, -2f, 3f, 0.5f});
            float[] before = weight.toFloatArray();
            Optimizer adam = Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.1f)).build();
            NDArray accumulator = m.zeros(weight.getShape());
            GradientGate gate = new GradientGate(adam, Map.of("w", m.create(new float[] {1, 0, 1, 0})),
                    Map.of("w", accumulator));
            for (int i = 0; i < 3; i++) {
                gate.update("w", weight, m.create(new float[] {0.3f, -0.7f, 0.1f, 2f}));
            }
            float[] after = weight.toFloatArray();
            assertEquals(Float.floatToRawIntBits(before[1]), Float.floatToRawIntBits(after[1]));
            assertEquals(Float.floatToRawIntBits(before[3]), Float.floatToRawIntBits(after[3]));
            assertTrue(after[0] != before[0] && after[2] != before[2]);
            assertArrayEquals(new float[] {0.9f, -2.1f, 0.3f, 6f}, accumulator.toFloatArray(), 1e-6f,
                    "G accumulates the signed, unmasked gradients");
        }
    }

    @Test
    void singleModeChangesOnlyTheUnetAndAtMostTheKeptFractionOfEachTensor() {
        Outcome outcome = erase(List.of(RED), null, with(FAST, "saliencyFraction", 0.25), 11);
        List<String> changed = changed(outcome.before(), outcome.after());
        try (TextToImageModel probe = tiny()) {
            List<String> unet = probe.parameterGroup(DiffusionModel.GROUP_UNET);
            assertTrue(unet.containsAll(changed), "only the U-Net changes: " + changed);
            assertTrue(changed.size() > unet.size() / 2, "most U-Net tensors are trained: " + changed.size());
            for (String name : unet) {
                float[] b = outcome.before().get(name);
                float[] a = outcome.after().get(name);
                int moved = 0;
                for (int i = 0; i < b.length; i++) {
                    moved += Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i]) ? 1 : 0;
                }
                assertTrue(moved <= Math.ceil(0.25 * b.length), name + ": " + moved + " of " + b.length
                        + " moved, more than the mask keeps");
            }
        }
        // 1 seed × ("red", "crimson", "red circle"): "red square on stripes" has a word the model lacks
        assertEquals(3 + 1, outcome.losses().size(), "three saliency maps and the fine-tuning: " + outcome.log());
        assertTrue(outcome.log().stream().anyMatch(l -> l.contains("'red circle'")), outcome.log().toString());
        assertTrue(outcome.log().stream().noneMatch(l -> l.contains("stripes")), outcome.log().toString());
    }

    @Test
    void withoutAMaskTheWholeUnetIsTrainedAndNoSaliencyPassRuns() {
        Outcome outcome = erase(List.of(RED), null, with(FAST, "maskMode", "none"), 11);
        try (TextToImageModel probe = tiny()) {
            assertEquals(probe.parameterGroup(DiffusionModel.GROUP_UNET), changed(outcome.before(), outcome.after()));
        }
        assertEquals(1, outcome.losses().size());
        Outcome single = erase(List.of(RED), null, with(FAST, "maskMode", "single"), 11);
        assertEquals(2, single.losses().size(), "one map (first seed, the name), then the fine-tuning");
    }

    @Test
    void theReferenceCopyIsNeverTrainedAndTheSameSeedGivesTheSameModel() {
        Outcome first = erase(List.of(RED), null, FAST, 99);
        assertEquals(List.of(), changed(first.referenceBefore(), first.referenceAfter()));
        assertEquals(List.of(), changed(first.before(), first.referenceBefore()), "the reference starts as the model");
        Outcome second = erase(List.of(RED), null, FAST, 99);
        assertEquals(List.of(), changed(first.after(), second.after()));
        for (int i = 0; i < first.losses().size(); i++) {
            assertArrayEquals(first.losses().get(i), second.losses().get(i));
        }
        Outcome other = erase(List.of(RED), null, FAST, 100);
        assertFalse(changed(first.after(), other.after()).isEmpty(), "another seed draws other x_t");
    }

    // ------------------------------------------------------------------ several concepts

    @Test
    void theFusionSolvesItsNormalEquations() {
        Random random = new Random(4);
        int out = 3;
        int in = 5;
        double[][] w0 = randomMatrix(random, out, in);
        List<double[][]> weights = List.of(randomMatrix(random, out, in), randomMatrix(random, out, in));
        List<double[][]> grams = new ArrayList<>();
        for (int c = 0; c < 2; c++) {
            float[] tokens = new float[3 * in];
            for (int i = 0; i < tokens.length; i++) {
                tokens[i] = (float) random.nextGaussian();
            }
            grams.add(ClosedFormFusion.gram(tokens, in));
        }
        float[] preserveTokens = new float[4 * in];
        for (int i = 0; i < preserveTokens.length; i++) {
            preserveTokens[i] = (float) random.nextGaussian();
        }
        double[][] kp = ClosedFormFusion.gram(preserveTokens, in);
        double s = 2.0;
        double lambda = 1e-3;
        List<String> log = new ArrayList<>();
        double[][] w = ClosedFormFusion.solve(w0, weights, grams, kp, s, lambda, log::add).weight();
        // W*·(Σ K_i + s K_p + λ I) = Σ W_i K_i + s W0 K_p + λ W0
        for (int r = 0; r < out; r++) {
            for (int j = 0; j < in; j++) {
                double left = 0;
                double right = lambda * w0[r][j];
                for (int k = 0; k < in; k++) {
                    double system = grams.get(0)[k][j] + grams.get(1)[k][j] + s * kp[k][j] + (k == j ? lambda : 0);
                    left += w[r][k] * system;
                    right += weights.get(0)[r][k] * grams.get(0)[k][j] + weights.get(1)[r][k] * grams.get(1)[k][j]
                            + s * w0[r][k] * kp[k][j];
                }
                assertEquals(right, left, 1e-9 * Math.max(1, Math.abs(right)), "(" + r + ", " + j + ")");
            }
        }
        assertEquals(List.of(), log, "a well-posed system is not regularised");
        // a hand-checked Gram matrix: tokens (1, 2) and (3, 0)
        double[][] gram = ClosedFormFusion.gram(new float[] {1, 2, 3, 0}, 2);
        assertArrayEquals(new double[] {10, 2}, gram[0]);
        assertArrayEquals(new double[] {2, 4}, gram[1]);
    }

    @Test
    void aSingularFusionSystemIsRegularisedAndLoggedNotACrash() {
        double[][] w0 = {{1, 2, 3}};
        double[][] rankOne = ClosedFormFusion.gram(new float[] {1, 1, 0}, 3);
        List<String> log = new ArrayList<>();
        ClosedFormFusion.Solution solution = ClosedFormFusion.solve(w0, List.<double[][]>of(new double[][] {{4, 4, 4}}),
                List.<double[][]>of(rankOne), new double[3][3], 0, 0, log::add);
        assertTrue(solution.lambda() > 0, "λ raised");
        assertEquals(1, log.size(), log.toString());
        assertTrue(log.get(0).contains("singular"), log.toString());
        for (double v : solution.weight()[0]) {
            assertTrue(Double.isFinite(v));
        }
        // along the concept's direction (1, 1, 0) the fused weight maps as the concept's weight does
        double along = solution.weight()[0][0] + solution.weight()[0][1];
        assertEquals(8, along, 1e-3);
    }

    private static double[][] randomMatrix(Random random, int rows, int cols) {
        double[][] m = new double[rows][cols];
        for (double[] row : m) {
            for (int j = 0; j < cols; j++) {
                row[j] = random.nextGaussian();
            }
        }
        return m;
    }

    @Test
    void multiModeChangesOnlyTheCrossAttentionKeysAndValuesAndLeavesNoLora() {
        Outcome outcome = erase(List.of(RED, GREEN), List.of(new Concept("blue", Optional.empty(), List.of())), FAST, 5);
        List<String> changed = changed(outcome.before(), outcome.after());
        assertEquals(outcome.before().keySet(), outcome.after().keySet(), "no LoRA parameter is left behind");
        try (TextToImageModel probe = tiny()) {
            assertEquals(List.copyOf(probe.crossAttentionProjections().keySet()), changed,
                    "exactly every to_k/to_v changes");
        }
        assertEquals(2, outcome.losses().size(), "one LoRA training per concept");
        assertEquals(List.of(), changed(outcome.referenceBefore(), outcome.referenceAfter()));
        assertTrue(outcome.log().stream().anyMatch(l -> l.contains("keep role") && l.contains("blue")),
                outcome.log().toString());
    }

    /**
     * End to end through the run: with the LoRA delta scaled to 0 every W_i is W0, and the closed
     * form (W0·ΣK_i + s·W0·K_p + λ·W0)(ΣK_i + s·K_p + λI)⁻¹ is W0 itself — the fused to_k/to_v equal
     * the originals up to float rounding, while the trained delta (scale 1) moves them.
     */
    @Test
    void withAZeroLoraDeltaTheFusionGivesBackTheOriginalProjections() {
        Outcome zero = erase(List.of(RED, GREEN), null, with(FAST, "fusionLoraScale", 0.0), 5);
        Outcome trained = erase(List.of(RED, GREEN), null, FAST, 5);
        try (TextToImageModel probe = tiny()) {
            for (String name : probe.crossAttentionProjections().keySet()) {
                float[] before = zero.before().get(name);
                float[] fused = zero.after().get(name);
                float[] moved = trained.after().get(name);
                double largest = 0;
                double difference = 0;
                double trainedDifference = 0;
                for (int i = 0; i < before.length; i++) {
                    largest = Math.max(largest, Math.abs(before[i]));
                    difference = Math.max(difference, Math.abs(fused[i] - before[i]));
                    trainedDifference = Math.max(trainedDifference, Math.abs(moved[i] - before[i]));
                }
                assertTrue(difference <= 1e-4 * largest, name + ": fused differs from W0 by " + difference);
                assertTrue(trainedDifference > 100 * difference, name + ": the trained delta moved it by only "
                        + trainedDifference);
            }
        }
    }

    @Test
    void withoutAKeepRoleThePreservePromptsAreTheOtherWordsTheModelKnows() {
        try (TextToImageModel model = tiny()) {
            List<String> prompts = Ant.preservePrompts(null, List.of(List.of("red", "crimson")), List.of(), model);
            assertEquals(List.of("green", "blue", "circle", "square", "scarlet", "on", "big"), prompts);
        }
    }

    // ------------------------------------------------------------------ bad input

    @Test
    void anUnknownConceptIsRefusedWithExit3NamingTheKnownOnesBeforeAnythingChanges() {
        for (Concept concept : List.of(new Concept("magenta", Optional.empty(), List.of()),
                new Concept("red", Optional.empty(), List.of("vermilion")))) {
            try (TextToImageModel model = tiny(); AntRunContext run = new AntRunContext(1, model.model().getNDManager())) {
                AntTask task = new AntTask(model, AntTest::tiny, List.of(concept), FAST);
                Map<String, float[]> before = values(model);
                LetheException e = assertThrows(LetheException.class, () -> new Ant().erase(task, run));
                assertEquals(LetheException.INVALID_INPUT, e.exitStatus());
                String bad = concept.aliases().isEmpty() ? concept.name() : concept.aliases().get(0);
                assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
                for (String known : List.of("red", "green", "blue", "circle", "crimson")) {
                    assertTrue(e.getMessage().contains(known), "names the known word " + known + ": " + e.getMessage());
                }
                assertEquals(0, run.optimiseCalls);
                assertNull(task.reference, "the reference copy was not even loaded");
                assertEquals(List.of(), changed(before, values(model)));
            }
        }
    }

    @Test
    void badSettingsAreInvalidInputNamingTheSettingAndThePid() {
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("mode", "both");
        bad.put("maskMode", "random");
        bad.put("saliencySeeds", "1,x");
        bad.put("augmentationTemplates", "a red circle");
        bad.put("preserveFraction", "1.0");
        bad.put("saliencyFraction", "0");
        bad.put("lambdaPreserve", "-1");
        bad.put("learningRate", "0");
        bad.put("negativeGuidance", "NaN");
        bad.put("ddimSteps", "1");
        bad.put("loraAlpha", "0");
        try (TextToImageModel model = tiny(); AntRunContext run = new AntRunContext(1, model.model().getNDManager())) {
            for (Map.Entry<String, String> entry : bad.entrySet()) {
                Object value = switch (entry.getKey()) {
                    case "mode", "maskMode", "saliencySeeds", "augmentationTemplates" -> entry.getValue();
                    case "ddimSteps" -> Integer.parseInt(entry.getValue());
                    default -> Double.parseDouble(entry.getValue());
                };
                AntTask task = new AntTask(model, AntTest::tiny, List.of(RED), with(FAST, entry.getKey(), value));
                LetheException e = assertThrows(LetheException.class, () -> new Ant().erase(task, run), entry.getKey());
                assertEquals(LetheException.INVALID_INPUT, e.exitStatus(), e.getMessage());
                assertTrue(e.getMessage().contains("'" + entry.getKey() + "'") && e.getMessage().contains(Ant.PID),
                        e.getMessage());
                assertNull(task.reference);
            }
            LetheException empty = assertThrows(LetheException.class,
                    () -> new Ant().erase(new AntTask(model, AntTest::tiny, List.of(), FAST), run));
            assertEquals(LetheException.INVALID_INPUT, empty.exitStatus());
            assertTrue(empty.getMessage().contains("no concept"), empty.getMessage());
            assertEquals(0, run.optimiseCalls);
        }
    }

    @Test
    void aLoraRankLargerThanTheLayerIsRefusedNamingTheLayerAndItsSizes() {
        try (TextToImageModel model = tiny(); AntRunContext run = new AntRunContext(1, model.model().getNDManager())) {
            Map<String, float[]> before = values(model);
            AntTask task = new AntTask(model, AntTest::tiny, List.of(RED, GREEN), with(FAST, "loraRank", 17));
            LetheException e = assertThrows(LetheException.class, () -> new Ant().erase(task, run));
            assertEquals(LetheException.INVALID_INPUT, e.exitStatus());
            assertTrue(e.getMessage().contains("'loraRank'") && e.getMessage().contains(Ant.PID), e.getMessage());
            assertTrue(e.getMessage().contains("attn2") && e.getMessage().contains("in 16")
                    && e.getMessage().contains("out 16"), e.getMessage());
            assertEquals(0, run.optimiseCalls);
            assertNull(task.reference);
            assertEquals(List.of(), changed(before, values(model)));
            assertEquals(List.of(), model.parameterGroup(DiffusionModel.GROUP_LORA), "no LoRA was injected");
        }
    }
}
