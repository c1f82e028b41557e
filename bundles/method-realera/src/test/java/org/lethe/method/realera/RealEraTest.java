package org.lethe.method.realera;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
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
import org.lethe.models.diffusion.TextToImageArchitecture;
import org.lethe.models.diffusion.TextToImageModel;

/**
 * RealEra on a tiny text-to-image model made here (8×8 images, U-Net widths 8/16, text width 16,
 * context 6), and its parts on hand-made numbers: the mining's constraints and seed, the closed
 * form against its normal equations, the regularisation of a singular system, which parameters a
 * run changes (bit for bit), the reference copy untouched, determinism, and every refusal before
 * anything changes. Behavioural erasure (Acc_e, Acc_g, Acc_p) needs the trained shapes model
 * (itests/behaviour, {@code RealEraBehaviourTest}).
 */
class RealEraTest {

    static final Map<String, String> TINY = Map.ofEntries(
            Map.entry("vocabulary", "red green blue circle square crimson scarlet on big"),
            Map.entry("imageSize", "8"), Map.entry("baseChannels", "8"), Map.entry("channels", "16"),
            Map.entry("heads", "4"), Map.entry("groups", "4"), Map.entry("textWidth", "16"),
            Map.entry("textHeads", "4"), Map.entry("textMlp", "32"), Map.entry("contextLength", "6"));
    static final long INIT = 7;
    static final Concept RED = new Concept("red", Optional.of("colour"), List.of("crimson"));
    static final List<Concept> KEEP = List.of(new Concept("green", Optional.of("colour"), List.of()),
            new Concept("blue", Optional.of("colour"), List.of()),
            new Concept("circle", Optional.of("shape"), List.of()),
            new Concept("square", Optional.of("shape"), List.of()));
    /** Fast settings: few neighbours, iterations and DDIM steps, a large rate so every LoRA layer moves visibly. */
    static final Map<String, Object> FAST = Map.of("neighbours", 8, "shellSamples", 8, "loraSteps", 3, "ddimSteps", 5,
            "learningRate", 1e-2);

    static TextToImageModel tiny() {
        return (TextToImageModel) new TextToImageArchitecture().create(TINY, INIT);
    }

    static Map<String, int[]> bits(DiffusionModel model) {
        Map<String, int[]> out = new LinkedHashMap<>();
        model.parameters().forEach((name, p) -> {
            float[] values = p.getArray().toFloatArray();
            int[] raw = new int[values.length];
            for (int i = 0; i < values.length; i++) {
                raw[i] = Float.floatToRawIntBits(values[i]);
            }
            out.put(name, raw);
        });
        return out;
    }

    static List<String> changed(Map<String, int[]> before, Map<String, int[]> after) {
        List<String> out = new ArrayList<>();
        before.forEach((name, b) -> {
            if (!Arrays.equals(b, after.get(name))) {
                out.add(name);
            }
        });
        return out;
    }

    record Outcome(Map<String, int[]> before, Map<String, int[]> after, Map<String, int[]> referenceBefore,
            Map<String, int[]> referenceAfter, List<String> log) {
    }

    static Outcome erase(Map<String, Object> settings, List<Concept> keep, long runSeed) {
        try (TextToImageModel model = tiny()) {
            List<TextToImageModel> references = new ArrayList<>();
            List<Map<String, int[]>> referenceBefore = new ArrayList<>();
            RealEraTask task = new RealEraTask(model, () -> {
                TextToImageModel reference = tiny();
                references.add(reference);
                referenceBefore.add(bits(reference));
                return reference;
            }, List.of(RED), keep, settings);
            Map<String, int[]> before = bits(model);
            try (RealEraRunContext run = new RealEraRunContext(runSeed, model.model().getNDManager())) {
                new RealEra().erase(task, run);
                assertTrue(references.size() <= 1, "the reference copy is loaded at most once");
                for (String name : model.parameters().keySet()) {
                    assertFalse(model.isFrozen(name), "freezing is restored after the run: " + name);
                }
                return new Outcome(before, bits(model), references.isEmpty() ? Map.of() : referenceBefore.get(0),
                        references.isEmpty() ? Map.of() : bits(references.get(0)), List.copyOf(run.log));
            } finally {
                references.forEach(TextToImageModel::close);
            }
        }
    }

    /** Runs a refused erasure: returns the exception, having checked that nothing changed. */
    static LetheException refused(Map<String, Object> settings, List<Concept> erase) {
        try (TextToImageModel model = tiny()) {
            RealEraTask task = new RealEraTask(model, () -> {
                throw new AssertionError("the reference copy is loaded after a refusal");
            }, erase, KEEP, settings);
            Map<String, int[]> before = bits(model);
            try (RealEraRunContext run = new RealEraRunContext(5, model.model().getNDManager())) {
                LetheException e = assertThrows(LetheException.class, () -> new RealEra().erase(task, run));
                assertEquals(LetheException.INVALID_INPUT, e.exitStatus(), e.getMessage());
                assertEquals(List.of(), changed(before, bits(model)), "a refused run changed the model");
                assertEquals(0, run.optimiseCalls, "a refused run optimised");
                return e;
            }
        }
    }

    static Map<String, Object> with(Map<String, Object> base, Object... keyValues) {
        Map<String, Object> out = new LinkedHashMap<>(base);
        for (int i = 0; i < keyValues.length; i += 2) {
            out.put((String) keyValues[i], keyValues[i + 1]);
        }
        return out;
    }

    // ------------------------------------------------------------------ mining

    static double[][] randomEmbedding(Random random, int positions, int width) {
        double[][] e = new double[positions][width];
        for (double[] token : e) {
            for (int i = 0; i < width; i++) {
                token[i] = random.nextGaussian();
            }
        }
        return e;
    }

    static double[] minus(double[] a, double[] b) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] - b[i];
        }
        return out;
    }

    static NeighbourMining.Settings calibrated() {
        return new NeighbourMining.Settings(0, 1, 0.9, RealEra.CALIBRATED_COSINE, 0.999, 2);
    }

    @Test
    void theRadiusIsCalibratedBetweenTheAliasesAndTheNearestOtherConceptPositionByPosition() {
        Random random = new Random(3);
        double[][] e = randomEmbedding(random, 4, 16);
        double[][] alias = perturbed(e, 1.0, random);
        double[][] near = perturbed(e, 3.0, random);
        double[][] far = perturbed(e, 9.0, random);
        NeighbourMining.Radius r = NeighbourMining.calibrate("red", e, List.<double[][]>of(alias),
                Map.of("near", near, "far", far), calibrated());
        double[] dSyn = NeighbourMining.distances(e, alias);
        double[] dNear = NeighbourMining.distances(e, near);
        for (int p = 0; p < e.length; p++) {
            assertEquals(dSyn[p], r.synonymDistance()[p], 1e-12);
            assertEquals(dNear[p], r.otherDistance()[p], 1e-12);
            assertEquals("near", r.nearestOther()[p]);
            assertEquals(0.5 * (dSyn[p] + dNear[p]), r.d1()[p], 1e-12);
            assertEquals(2 * r.d1()[p], r.d2()[p], 1e-12);
            double norm = r.norm()[p];
            assertEquals(norm / Math.sqrt(norm * norm + r.d1()[p] * r.d1()[p]), r.minCosine()[p], 1e-12);
        }
        assertEquals(0.999, r.maxCosine());
        // an alias farther than the other concept: the midpoint would pass d_other, so D1 is capped below it
        NeighbourMining.Radius capped = NeighbourMining.calibrate("red", e, List.<double[][]>of(far),
                Map.of("near", near), calibrated());
        assertEquals(0.9 * capped.otherDistance()[0], capped.d1()[0], 1e-12);
        assertTrue(capped.describe().contains("capped"), capped.describe());
        NeighbourMining.Radius scaled = NeighbourMining.calibrate("red", e, List.<double[][]>of(alias),
                Map.of("near", near), new NeighbourMining.Settings(0, 3, 0.9, RealEra.CALIBRATED_COSINE, 0.999, 2));
        assertEquals(3 * r.d1()[1], scaled.d1()[1], 1e-12);
        NeighbourMining.Radius set = NeighbourMining.calibrate("red", e, List.of(), Map.of(),
                new NeighbourMining.Settings(0.7, 2, 0.9, 0.5, 0.99, 3));
        assertEquals(1.4, set.d1()[2], 1e-12);
        assertEquals(4.2, set.d2()[2], 1e-12);
        assertEquals(0.5, set.minCosine()[2]);
        assertEquals(0.99, set.maxCosine());
        LetheException none = assertThrows(LetheException.class,
                () -> NeighbourMining.calibrate("red", e, List.<double[][]>of(alias), Map.of(), calibrated()));
        assertTrue(none.getMessage().contains("radius") && none.getMessage().contains(RealEra.PID), none.getMessage());
    }

    /** A position where the nearest other concept is a near-copy of e (cos above S2 within D1) is not mined. */
    @Test
    void aPositionWithoutRoomForANeighbourIsNotMined() {
        Random random = new Random(8);
        double[][] e = randomEmbedding(random, 2, 16);
        double[][] other = perturbed(e, 3.0, random);
        other[1] = e[1].clone();
        other[1][0] += 1e-3;
        NeighbourMining.Radius r = NeighbourMining.calibrate("red", e, List.of(), Map.of("green", other), calibrated());
        assertEquals(List.of(0), r.minedPositions());
        List<double[][]> neighbours = NeighbourMining.neighbours(e, r, 4, new Random(1));
        for (double[][] n : neighbours) {
            assertArrayEquals(e[1], n[1], "an unmined position is a copy of e's");
            assertNotEquals(e[0][0], n[0][0]);
        }
        assertTrue(r.describe().contains("position 1") && r.describe().contains("not mined"), r.describe());
    }

    static double[][] perturbed(double[][] e, double distance, Random random) {
        double[][] out = new double[e.length][];
        for (int p = 0; p < e.length; p++) {
            double[] u = new double[e[p].length];
            double n = 0;
            for (int i = 0; i < u.length; i++) {
                u[i] = random.nextGaussian();
                n += u[i] * u[i];
            }
            out[p] = new double[u.length];
            for (int i = 0; i < u.length; i++) {
                out[p][i] = e[p][i] + u[i] * distance / Math.sqrt(n);
            }
        }
        return out;
    }

    @Test
    void minedNeighboursRespectTheDistanceAndCosineConstraintsAndTheShellLiesBeyond() {
        Random random = new Random(4);
        double[][] e = randomEmbedding(random, 5, 16);
        NeighbourMining.Radius r = NeighbourMining.calibrate("red", e, List.<double[][]>of(perturbed(e, 1.0, random)),
                Map.of("green", perturbed(e, 2.0, random)), calibrated());
        List<double[][]> neighbours = NeighbourMining.neighbours(e, r, 48, new Random(9));
        assertEquals(48, neighbours.size());
        double largestCos = -1;
        assertEquals(List.of(0, 1, 2, 3, 4), r.minedPositions());
        for (double[][] n : neighbours) {
            for (int p = 0; p < e.length; p++) {
                double d = NeighbourMining.norm(minus(n[p], e[p]));
                double cos = NeighbourMining.cosine(e[p], n[p]);
                assertTrue(d <= r.d1()[p] + 1e-12, "a neighbour token at " + d + " > D1 " + r.d1()[p]);
                assertTrue(cos >= r.minCosine()[p] - 1e-12 && cos <= r.maxCosine() + 1e-12, "cos " + cos + " outside ["
                        + r.minCosine()[p] + ", " + r.maxCosine() + "]");
                largestCos = Math.max(largestCos, cos);
            }
        }
        assertTrue(largestCos < 0.999, "S2 excludes near-copies");
        List<double[][]> shell = NeighbourMining.shell(e, r, 48, new Random(9));
        for (double[][] s : shell) {
            for (int p = 0; p < e.length; p++) {
                double d = NeighbourMining.norm(minus(s[p], e[p]));
                assertTrue(d > r.d1()[p] && d <= r.d2()[p] + 1e-12, "a shell token at " + d + " outside (D1, D2] = ("
                        + r.d1()[p] + ", " + r.d2()[p] + "]");
            }
        }
    }

    @Test
    void miningFollowsTheSeed() {
        Random random = new Random(5);
        double[][] e = randomEmbedding(random, 3, 16);
        NeighbourMining.Radius r = NeighbourMining.calibrate("red", e, List.<double[][]>of(perturbed(e, 1.0, random)),
                Map.of("green", perturbed(e, 2.0, random)), calibrated());
        List<double[][]> a = NeighbourMining.neighbours(e, r, 6, new Random(1));
        List<double[][]> b = NeighbourMining.neighbours(e, r, 6, new Random(1));
        List<double[][]> c = NeighbourMining.neighbours(e, r, 6, new Random(2));
        for (int i = 0; i < a.size(); i++) {
            assertTrue(Arrays.deepEquals(a.get(i), b.get(i)), "the same seed mined another neighbour");
        }
        assertFalse(Arrays.deepEquals(a.get(0), c.get(0)), "another seed mined the same neighbour");
    }

    @Test
    void constraintsThatAdmitNoNeighbourAreRefusedWithTheMeasuredDistances() {
        Random random = new Random(6);
        double[][] e = randomEmbedding(random, 3, 16);
        NeighbourMining.Radius tiny = NeighbourMining.calibrate("red", e, List.<double[][]>of(perturbed(e, 1.0, random)),
                Map.of("green", perturbed(e, 2.0, random)), new NeighbourMining.Settings(0, 1e-4, 0.9,
                        RealEra.CALIBRATED_COSINE, 0.999, 2));
        LetheException e1 = assertThrows(LetheException.class, () -> NeighbourMining.neighbours(e, tiny, 4, random));
        assertEquals(LetheException.INVALID_INPUT, e1.exitStatus());
        for (String part : List.of("d_syn", "d_other", "D1", "S1", "S2", "no neighbours", "not mined")) {
            assertTrue(e1.getMessage().contains(part), part + " missing: " + e1.getMessage());
        }
        NeighbourMining.Radius crossed = NeighbourMining.calibrate("red", e, List.of(), Map.of("green",
                perturbed(e, 2.0, random)), new NeighbourMining.Settings(0, 1, 0.9, 0.99, 0.9, 2));
        assertThrows(LetheException.class, () -> NeighbourMining.neighbours(e, crossed, 4, random));
    }

    // ------------------------------------------------------------------ closed form

    static double[][] matrix(Random random, int rows, int columns) {
        double[][] m = new double[rows][columns];
        for (double[] row : m) {
            for (int j = 0; j < columns; j++) {
                row[j] = random.nextGaussian();
            }
        }
        return m;
    }

    static double[] times(double[][] m, double[] x) {
        double[] out = new double[m.length];
        for (int i = 0; i < m.length; i++) {
            for (int j = 0; j < x.length; j++) {
                out[i] += m[i][j] * x[j];
            }
        }
        return out;
    }

    static double[][] edited(double[][] w0, double[][] map) {
        float[] flat = new float[w0.length * w0[0].length];
        for (int i = 0; i < w0.length; i++) {
            for (int j = 0; j < w0[0].length; j++) {
                flat[i * w0[0].length + j] = (float) w0[i][j];
            }
        }
        float[] out = ClosedForm.apply(flat, w0.length, map);
        double[][] w = new double[w0.length][w0[0].length];
        for (int i = 0; i < w0.length; i++) {
            for (int j = 0; j < w0[0].length; j++) {
                w[i][j] = out[i * w0[0].length + j];
            }
        }
        return w;
    }

    /**
     * The gradient of the objective at W* vanishes: Σ_x (W* x − W0 a) xᵀ + α Σ_b (W* b − W0 b) bᵀ
     * + λ (W* − W0) = 0, computed directly from the samples.
     */
    @Test
    void theClosedFormSolvesTheNormalEquations() {
        Random random = new Random(11);
        int d = 8;
        double[][] w0 = matrix(random, 5, d);
        double[][] xs = matrix(random, 6, d);
        double[][] as = matrix(random, 6, d);
        double[][] bs = matrix(random, 4, d);
        double alpha = 0.7;
        double lambda = 0.5;
        ClosedForm form = new ClosedForm(d);
        for (int i = 0; i < xs.length; i++) {
            form.erase(xs[i], as[i]);
        }
        for (double[] b : bs) {
            form.preserve(b, 1);
        }
        ClosedForm.Solution solution = form.solve(alpha, lambda, 1e8);
        assertFalse(solution.regularised(), solution.describe());
        double[][] w = edited(w0, solution.map());
        double[][] gradient = new double[w0.length][d];
        for (int i = 0; i < xs.length; i++) {
            addOuter(gradient, minus(times(w, xs[i]), times(w0, as[i])), xs[i], 1);
        }
        for (double[] b : bs) {
            addOuter(gradient, minus(times(w, b), times(w0, b)), b, alpha);
        }
        for (int i = 0; i < w0.length; i++) {
            for (int j = 0; j < d; j++) {
                gradient[i][j] += lambda * (w[i][j] - w0[i][j]);
                assertEquals(0, gradient[i][j], 1e-4, "∂/∂W[" + i + "][" + j + "]");
            }
        }
    }

    static void addOuter(double[][] into, double[] u, double[] v, double scale) {
        for (int i = 0; i < u.length; i++) {
            for (int j = 0; j < v.length; j++) {
                into[i][j] += scale * u[i] * v[j];
            }
        }
    }

    /** With α and λ near 0 the edit maps every erase token to W0·e_a; with a large α it keeps every B token. */
    @Test
    void theEditMapsTheEraseSetToTheAnchorAndKeepsThePreserveSet() {
        Random random = new Random(12);
        int d = 8;
        double[][] w0 = matrix(random, 5, d);
        double[][] xs = matrix(random, 3, d);
        double[] anchor = matrix(random, 1, d)[0];
        double[][] bs = matrix(random, 4, d);
        ClosedForm form = new ClosedForm(d);
        for (double[] x : xs) {
            form.erase(x, anchor);
        }
        for (double[] b : bs) {
            form.preserve(b, 1);
        }
        double[][] w = edited(w0, form.solve(1e-9, 1e-9, 1e14).map());
        for (double[] x : xs) {
            assertArrayEquals(times(w0, anchor), times(w, x), 1e-3, "an erase token is not mapped to W0·e_a");
        }
        // both sets fit together (3 + 4 ≤ d): both hold at α = 1, λ ≈ 0
        double[][] both = edited(w0, form.solve(1, 1e-9, 1e14).map());
        for (double[] x : xs) {
            assertArrayEquals(times(w0, anchor), times(both, x), 1e-3);
        }
        for (double[] b : bs) {
            assertArrayEquals(times(w0, b), times(both, b), 1e-3, "a preserve token moved");
        }
    }

    @Test
    void aSingularSystemIsRegularisedAndSaysSo() {
        Random random = new Random(13);
        int d = 8;
        ClosedForm form = new ClosedForm(d);
        form.erase(matrix(random, 1, d)[0], matrix(random, 1, d)[0]);
        ClosedForm.Solution solution = form.solve(0, 0, 1e8);
        assertTrue(solution.regularised(), solution.describe());
        assertTrue(Double.isInfinite(solution.conditionBefore()) || solution.conditionBefore() > 1e8,
                solution.describe());
        assertTrue(solution.conditionAfter() <= 1e8 * 1.001, solution.describe());
        assertTrue(solution.lambda() > 0);
        assertTrue(solution.describe().contains("regularised") && solution.describe().contains("λ raised"),
                solution.describe());
        for (double[] row : solution.map()) {
            for (double v : row) {
                assertTrue(Double.isFinite(v), "a regularised solution is finite");
            }
        }
    }

    @Test
    void eigenvaluesOfAKnownSymmetricMatrix() {
        double[] eigen = ClosedForm.eigenvalues(new double[][] {{2, 1, 0}, {1, 2, 0}, {0, 0, 5}});
        Arrays.sort(eigen);
        assertArrayEquals(new double[] {1, 3, 5}, eigen, 1e-12);
    }

    // ------------------------------------------------------------------ whole runs on the tiny model

    @Test
    void aRunChangesOnlyCrossAttentionKeyValueAndTheMergedLoraLayersAndNotTheReference() {
        Outcome outcome = erase(FAST, KEEP, 21);
        List<String> changed = changed(outcome.before(), outcome.after());
        try (TextToImageModel probe = tiny()) {
            List<String> allowed = new ArrayList<>(probe.crossAttentionProjections().keySet());
            for (String layer : RealEra.loraLayers(probe, 4)) {
                allowed.add(layer + ".weight");
            }
            List<String> outside = changed.stream().filter(n -> !allowed.contains(n)).toList();
            assertEquals(List.of(), outside, "parameters outside attn2 K/V and the LoRA layers' weights changed");
            List<String> still = allowed.stream().filter(n -> !changed.contains(n)).toList();
            assertEquals(List.of(), still, "K/V or LoRA layers left unchanged");
            assertTrue(allowed.stream().anyMatch(n -> n.endsWith("attn2.to_q.weight"))
                    && allowed.stream().anyMatch(n -> n.endsWith("attn2.to_out.0.weight")));
        }
        assertEquals(outcome.before().keySet(), outcome.after().keySet(), "the LoRA parameters were not removed");
        assertEquals(List.of(), changed(outcome.referenceBefore(), outcome.referenceAfter()), "the reference changed");
        assertTrue(outcome.log().stream().anyMatch(l -> l.contains("radius of 'red'") && l.contains("D1")),
                outcome.log().toString());
        assertTrue(outcome.log().stream().anyMatch(l -> l.contains("LoRA merged")), outcome.log().toString());
    }

    @Test
    void theClosedFormAloneChangesOnlyTheKeyAndValueProjections() {
        Outcome outcome = erase(with(FAST, "loraSteps", 0), KEEP, 22);
        try (TextToImageModel probe = tiny()) {
            assertEquals(List.copyOf(probe.crossAttentionProjections().keySet()),
                    changed(outcome.before(), outcome.after()));
        }
        assertTrue(outcome.log().stream().anyMatch(l -> l.contains("no LoRA alignment")), outcome.log().toString());
    }

    /** The order is a setting: LoRA first changes the same parameters and gives another model. */
    @Test
    void theLoraFirstOrderChangesTheSameParametersAndGivesAnotherModel() {
        Outcome closedFormFirst = erase(FAST, KEEP, 26);
        Outcome loraFirst = erase(with(FAST, "order", RealEra.LORA_FIRST), KEEP, 26);
        assertEquals(changed(closedFormFirst.before(), closedFormFirst.after()),
                changed(loraFirst.before(), loraFirst.after()));
        assertNotEquals(List.of(), changed(closedFormFirst.after(), loraFirst.after()), "the order made no difference");
        int closedForm = indexOf(loraFirst.log(), "closed form over");
        int merged = indexOf(loraFirst.log(), "LoRA merged");
        assertTrue(merged >= 0 && closedForm > merged, "LoRA first: " + loraFirst.log());
    }

    static int indexOf(List<String> log, String part) {
        for (int i = 0; i < log.size(); i++) {
            if (log.get(i).contains(part)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The alignment loss of one x_t, computed in one batch of two, equals its definition computed
     * prediction by prediction: mean((ε_θ(x_t, x) − ε_θ0(x_t, e_a))²) + β·mean((ε_θ(x_t, b) − ε_θ0(x_t, b))²).
     */
    @Test
    void theAlignmentLossIsTheEraseTermPlusBetaTimesThePreserveTerm() {
        try (TextToImageModel model = tiny(); TextToImageModel original = tiny();
                NDManager scope = model.model().getNDManager().newSubManager()) {
            // make the two models differ, so that a target taken from the wrong model shows
            String kv = model.crossAttentionProjections().keySet().iterator().next();
            model.setProjection(kv, model.projection(kv, scope).mul(1.5f));
            NDArray x = model.encode(List.of("red"), scope);
            NDArray b = model.encode(List.of("green circle"), scope);
            NDArray anchor = model.nullCondition(1, scope);
            Sample xt = model.sample(new SampleRequest(x, 3.0, 5, 2, 17L), scope);
            double beta = 0.7;
            float loss = RealEra.loss(model, original, xt, x, b, anchor, beta, scope).getFloat();
            NDArray t = scope.create(new long[] {xt.timestep()});
            float erase = model.predictNoise(xt.latent(), t, x, false)
                    .sub(original.predictNoise(xt.latent(), t, anchor, false)).square().mean().getFloat();
            float preserve = model.predictNoise(xt.latent(), t, b, false)
                    .sub(original.predictNoise(xt.latent(), t, b, false)).square().mean().getFloat();
            assertTrue(erase > 0 && preserve > 0, erase + " " + preserve);
            assertEquals(erase + beta * preserve, loss, 1e-5 * Math.max(1, loss));
            // the ESD target: ε0(a) − η(ε0(x) − ε0(a))
            double eta = 1.5;
            float esdLoss = RealEra.loss(model, original, xt, x, b, anchor, beta, eta, scope).getFloat();
            NDArray a0 = original.predictNoise(xt.latent(), t, anchor, false);
            NDArray target = a0.sub(original.predictNoise(xt.latent(), t, x, false).sub(a0).mul((float) eta));
            float esdErase = model.predictNoise(xt.latent(), t, x, false).sub(target).square().mean().getFloat();
            assertNotEquals(erase, esdErase);
            assertEquals(esdErase + beta * preserve, esdLoss, 1e-5 * Math.max(1, esdLoss));
        }
    }

    @Test
    void theSameSeedGivesTheSameModelAndAnotherSeedAnother() {
        Outcome a = erase(FAST, KEEP, 31);
        Outcome b = erase(FAST, KEEP, 31);
        Outcome c = erase(FAST, KEEP, 32);
        assertEquals(List.of(), changed(a.after(), b.after()), "the same seed gave another model");
        assertNotEquals(List.of(), changed(a.after(), c.after()), "another seed gave the same model");
    }

    @Test
    void withoutMiningTheEraseSetIsTheConceptAndItsAliases() {
        Map<String, Object> bare = with(FAST, "context", "concept");
        Outcome outcome = erase(with(bare, "mining", false, "shell", false), KEEP, 23);
        assertTrue(outcome.log().stream().anyMatch(l -> l.contains("E = 2 embeddings") && l.contains("no mining")
                && l.contains("+ 0 shell")), outcome.log().toString());
        assertTrue(outcome.log().stream().noneMatch(l -> l.contains("radius of")), outcome.log().toString());
        Outcome mined = erase(bare, KEEP, 23);
        assertTrue(mined.log().stream().anyMatch(l -> l.contains("E = 10 embeddings") && l.contains("+ 8 shell")),
                mined.log().toString());
    }

    @Test
    void inContextTheEraseSetIsTheConceptAndItsAliasesInEveryContextAndThePreserveSetTheOthersInThem() {
        // the tiny keep role has shapes but no texture: "{colour} {shape}" gives red/crimson circle/square,
        // "{colour} {shape} on {texture}" is skipped
        Outcome outcome = erase(with(FAST, "mining", false, "shell", false, "loraSteps", 0), KEEP, 23);
        assertTrue(outcome.log().stream().anyMatch(l -> l.contains("E = 6 embeddings") && l.contains("in context")
                && l.contains("+ 0 shell")), outcome.log().toString());
        // B: green, blue, circle, square bare (the concept-free "circle", "square" among them); green/blue
        // circle/square; ∅
        assertTrue(outcome.log().stream().anyMatch(l -> l.contains("B = 9 real")), outcome.log().toString());
        assertTrue(outcome.log().stream().anyMatch(l -> l.contains("'{colour} {shape} on {texture}' skipped")
                && l.contains("'texture'")), outcome.log().toString());
        Outcome mined = erase(with(FAST, "loraSteps", 0), KEEP, 23);
        assertTrue(mined.log().stream().anyMatch(l -> l.contains("E = 14 embeddings") && l.contains("+ 8 shell")),
                mined.log().toString());
        assertTrue(mined.log().stream().anyMatch(l -> l.contains("'red' in 3 contexts")), mined.log().toString());
    }

    @Test
    void contextsFillTheConceptsSlotAndRunTheOtherSlotsOverTheKeepConcepts() {
        Map<String, String> skipped = new LinkedHashMap<>();
        List<Concept> keep = List.of(new Concept("green", Optional.of("colour"), List.of()),
                new Concept("square", Optional.of("shape"), List.of("box")),
                new Concept("dots", Optional.of("texture"), List.of()));
        List<Contexts.Context> contexts = Contexts.of("{colour} {shape}; {colour} {shape} on {texture}; {size} {colour}",
                RED, keep, 5, skipped);
        assertEquals(List.of("·", "· square", "· box", "· square on dots", "· box on dots"),
                contexts.stream().map(c -> c.with("·")).toList());
        assertEquals("square on dots", contexts.get(3).with(""));
        assertTrue(skipped.get("{size} {colour}").contains("'size'"), skipped.toString());
        Contexts.of("{colour} {shape} on {texture}", RED, keep, 3, skipped);
        assertTrue(skipped.get("{colour} {shape} on {texture}").contains("longer"), skipped.toString());
    }

    @Test
    void inContextEveryTokenAfterTheConceptMapsToTheSameTokenOfTheConceptFreePromptShifted() {
        double[][] free = {{10}, {11}, {12}, {13}, {14}};
        double[][] anchor = {{20}, {21}, {22}, {23}, {24}};
        Contexts.Context after = new Contexts.Context(List.of(), List.of("square", "on", "dots"));
        // "red square on dots <eos>": red → ∅'s first token; square, on, dots, <eos> → the free prompt's, one earlier
        double[][] t = Contexts.targets(after, 1, 0, free, anchor);
        assertArrayEquals(new double[][] {{20}, {10}, {11}, {12}, {13}}, t);
        // a word before the concept maps to nothing (the same token in both prompts)
        Contexts.Context before = new Contexts.Context(List.of("big"), List.of("square"));
        double[][] u = Contexts.targets(before, 1, 0, free, anchor);
        assertEquals(null, u[0]);
        assertArrayEquals(new double[][] {{20}, {11}, {12}, {13}}, Arrays.copyOfRange(u, 1, 5));
        // an anchor word of the concept's length: no shift, the anchor in context
        assertArrayEquals(free, Contexts.targets(after, 1, 1, free, anchor));
        // a longer anchor: the last positions have no counterpart
        double[][] v = Contexts.targets(after, 1, 2, free, anchor);
        assertArrayEquals(new double[] {12}, v[1]);
        assertEquals(null, v[4]);
    }

    @Test
    void withoutAKeepRoleThePreserveSetIsTheRestOfTheVocabularyAndTheLogSaysSo() {
        Outcome outcome = erase(with(FAST, "loraSteps", 0), null, 24);
        assertTrue(outcome.log().stream().anyMatch(l -> l.contains("no 'keep' role") && l.contains("7 words")),
                outcome.log().toString());
    }

    @Test
    void aSingularSystemInARunIsRegularisedAndTheRunNotesIt() {
        // the bare concept prompts: fewer erase tokens than the text width, a singular system
        Outcome outcome = erase(Map.of("mining", false, "shell", false, "loraSteps", 0, "alpha", 0.0, "lambda", 0.0,
                "context", "concept"), KEEP, 25);
        assertTrue(outcome.log().stream().anyMatch(l -> l.contains("closed form") && l.contains("regularised")
                && l.contains("λ raised")), outcome.log().toString());
        // the note (RunContext.note, which this test context's default turns into a prefixed log line) reaches the report
        assertTrue(outcome.log().stream().anyMatch(l -> l.startsWith(org.lethe.api.run.RunContext.NOTE_PREFIX + "realera: ")
                && l.contains("singular") && l.contains("λ raised")), outcome.log().toString());
        Outcome regular = erase(with(FAST, "loraSteps", 0), KEEP, 25);
        assertTrue(regular.log().stream().noneMatch(l -> l.startsWith(org.lethe.api.run.RunContext.NOTE_PREFIX)),
                regular.log().toString());
        for (int[] raw : outcome.after().values()) {
            for (int bitsOf : raw) {
                assertTrue(Float.isFinite(Float.intBitsToFloat(bitsOf)), "a non-finite weight");
            }
        }
    }

    // ------------------------------------------------------------------ refusals

    @Test
    void anUnknownConceptIsRefusedNamingTheKnownWords() {
        LetheException e = refused(FAST, List.of(new Concept("vermilion", Optional.of("colour"), List.of())));
        assertTrue(e.getMessage().contains("vermilion") && e.getMessage().contains("crimson"), e.getMessage());
        LetheException alias = refused(FAST, List.of(new Concept("red", Optional.of("colour"), List.of("vermilion"))));
        assertTrue(alias.getMessage().contains("'vermilion'"), alias.getMessage());
    }

    @Test
    void badSettingsAreRefusedNamingTheSettingAndThePid() {
        Map<String, Object> bad = new LinkedHashMap<>();
        bad.put("order", "both");
        bad.put("context", "sentence");
        bad.put("radiusCap", 1.5);
        bad.put("maxCosine", 1.5);
        bad.put("minCosine", 1.5);
        bad.put("shellScale", 1.0);
        bad.put("radiusScale", 0.0);
        bad.put("lambda", -1.0);
        bad.put("neighbours", 0);
        bad.put("learningRate", 0.0);
        bad.forEach((key, value) -> {
            LetheException e = refused(with(FAST, key, value), List.of(RED));
            assertTrue(e.getMessage().contains("'" + key + "'") && e.getMessage().contains(RealEra.PID),
                    key + ": " + e.getMessage());
        });
        LetheException anchor = refused(with(FAST, "anchor", "vermilion"), List.of(RED));
        assertTrue(anchor.getMessage().contains("anchor"), anchor.getMessage());
    }

    @Test
    void aRadiusThatLeavesNoNeighboursIsRefusedWithTheMeasuredDistances() {
        LetheException e = refused(with(FAST, "radiusScale", 1e-4), List.of(RED));
        for (String part : List.of("no neighbours", "'red'", "d_syn", "d_other", "D1", "S1", "S2", "radiusScale")) {
            assertTrue(e.getMessage().contains(part), part + " missing: " + e.getMessage());
        }
    }

    @Test
    void aLoraRankLargerThanALayerIsRefusedNamingItsSizes() {
        LetheException e = refused(with(FAST, "loraRank", 17), List.of(RED));
        assertTrue(e.getMessage().contains("'loraRank'") && e.getMessage().contains("attn2")
                && e.getMessage().contains("inputs") && e.getMessage().contains("at most 16"), e.getMessage());
    }

    @Test
    void aConceptBothErasedAndKeptIsRefused() {
        try (TextToImageModel model = tiny()) {
            RealEraTask task = new RealEraTask(model, () -> {
                throw new AssertionError("loaded");
            }, List.of(RED), List.of(new Concept("crimson", Optional.empty(), List.of())), FAST);
            try (RealEraRunContext run = new RealEraRunContext(5, model.model().getNDManager())) {
                LetheException e = assertThrows(LetheException.class, () -> new RealEra().erase(task, run));
                assertTrue(e.getMessage().contains("both erased and kept"), e.getMessage());
            }
        }
    }
}
