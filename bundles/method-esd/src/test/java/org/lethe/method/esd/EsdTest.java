package org.lethe.method.esd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
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
 * ESD on a tiny text-to-image model made here (8×8 images, U-Net widths 8/16, text width 16): which
 * parameters each variant changes (bit for bit), the target and loss against the formula, the
 * reference copy untouched, an unknown concept refused before anything changes, determinism.
 * Behavioural erasure (Acc_e, Acc_p) needs the trained shapes model and is not tested here.
 */
class EsdTest {

    static final Map<String, String> TINY = Map.ofEntries(
            Map.entry("vocabulary", "red green blue circle square crimson scarlet on big"),
            Map.entry("imageSize", "8"), Map.entry("baseChannels", "8"), Map.entry("channels", "16"),
            Map.entry("heads", "4"), Map.entry("groups", "4"), Map.entry("textWidth", "16"),
            Map.entry("textHeads", "4"), Map.entry("textMlp", "32"), Map.entry("contextLength", "6"));
    static final long INIT = 7;
    static final Concept RED = new Concept("red", Optional.of("colour"), List.of("crimson"));
    /** Fast settings: few iterations and DDIM steps, a large rate so every trained tensor moves visibly. */
    static final Map<String, Object> FAST = Map.of("steps", 3, "ddimSteps", 5, "learningRate", 1e-2);

    static TextToImageModel tiny() {
        return (TextToImageModel) new TextToImageArchitecture().create(TINY, INIT);
    }

    /** Every parameter's raw float bits. */
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
            if (!java.util.Arrays.equals(b, after.get(name))) {
                out.add(name);
            }
        });
        return out;
    }

    /** Runs ESD on a fresh tiny model; returns its parameters before and after, and the reference's. */
    record Outcome(Map<String, int[]> before, Map<String, int[]> after, Map<String, int[]> referenceBefore,
            Map<String, int[]> referenceAfter, float[] losses, List<String> log) {
    }

    static Outcome erase(Map<String, Object> settings, long runSeed) {
        try (TextToImageModel model = tiny()) {
            List<TextToImageModel> references = new ArrayList<>();
            List<Map<String, int[]>> referenceBefore = new ArrayList<>();
            EsdTask task = new EsdTask(model, () -> {
                TextToImageModel reference = tiny();
                references.add(reference);
                referenceBefore.add(bits(reference));
                return reference;
            }, List.of(RED), settings);
            Map<String, int[]> before = bits(model);
            try (EsdRunContext run = new EsdRunContext(runSeed, model.model().getNDManager())) {
                new Esd().erase(task, run);
                assertEquals(1, references.size(), "the reference copy is loaded once");
                for (String name : model.parameters().keySet()) {
                    assertFalse(model.isFrozen(name), "freezing is restored after the run: " + name);
                }
                return new Outcome(before, bits(model), referenceBefore.get(0), bits(references.get(0)),
                        run.losses.get(0), List.copyOf(run.log));
            } finally {
                references.forEach(TextToImageModel::close);
            }
        }
    }

    static Map<String, Object> with(Map<String, Object> base, String key, Object value) {
        Map<String, Object> out = new LinkedHashMap<>(base);
        out.put(key, value);
        return out;
    }

    @Test
    void esdXChangesOnlyCrossAttentionAndEveryKeyAndValueProjection() {
        Outcome outcome = erase(with(FAST, "variant", "x"), 11);
        List<String> changed = changed(outcome.before(), outcome.after());
        try (TextToImageModel probe = tiny()) {
            List<String> crossAttention = probe.parameterGroup(DiffusionModel.GROUP_CROSS_ATTENTION);
            for (String name : outcome.before().keySet()) {
                if (!crossAttention.contains(name)) {
                    assertFalse(changed.contains(name), "ESD-x changed a parameter outside attn2: " + name);
                }
            }
            for (String kv : probe.crossAttentionProjections().keySet()) {
                assertTrue(changed.contains(kv), "ESD-x left a cross-attention K/V projection unchanged: " + kv);
            }
            assertTrue(crossAttention.containsAll(changed));
            assertEquals(crossAttention, changed, "every attn2 tensor is trained (to_q, to_k, to_v, to_out)");
        }
    }

    @Test
    void esdUChangesTheUnetOutsideCrossAttentionOnly() {
        Outcome outcome = erase(with(FAST, "variant", "u"), 11);
        List<String> changed = changed(outcome.before(), outcome.after());
        try (TextToImageModel probe = tiny()) {
            List<String> trained = probe.parameterGroup(DiffusionModel.GROUP_UNET_NON_CROSS_ATTENTION);
            for (String name : probe.parameterGroup(DiffusionModel.GROUP_CROSS_ATTENTION)) {
                assertFalse(changed.contains(name), "ESD-u changed cross-attention: " + name);
            }
            for (String name : probe.parameterGroup(DiffusionModel.GROUP_TEXT_ENCODER)) {
                assertFalse(changed.contains(name), "ESD-u changed the text encoder: " + name);
            }
            assertTrue(trained.containsAll(changed), "only unet.non_attn2 changes");
            assertTrue(changed.contains("unet.conv_in.weight") && changed.contains("unet.conv_out.weight"), "" + changed);
            assertEquals(trained, changed, "every non-cross-attention U-Net tensor is trained");
        }
    }

    @Test
    void theReferenceCopyIsNeverTrained() {
        for (String variant : List.of("x", "u")) {
            Outcome outcome = erase(with(FAST, "variant", variant), 5);
            assertEquals(List.of(), changed(outcome.referenceBefore(), outcome.referenceAfter()), "ESD-" + variant);
            assertEquals(List.of(), changed(outcome.before(), outcome.referenceBefore()),
                    "the reference starts as the model does");
        }
    }

    @Test
    void theTargetIsTheNegativelyGuidedFormulaOnAHandCheckedCase() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray e0 = m.create(new float[] {1f, 2f, -0.5f});
            NDArray ep = m.create(new float[] {3f, 5f, 0.5f});
            // e0 − η (ep − e0), η = 1.5: 1 − 3 = −2; 2 − 4.5 = −2.5; −0.5 − 1.5 = −2
            assertArrayEquals(new float[] {-2f, -2.5f, -2f}, Esd.negativelyGuided(e0, ep, 1.5).toFloatArray());
            // η = 0: the unconditional prediction itself
            assertArrayEquals(new float[] {1f, 2f, -0.5f}, Esd.negativelyGuided(e0, ep, 0).toFloatArray());
        }
    }

    @Test
    void theTargetAndLossMatchTheFormulaWithTheReferenceModel() {
        try (TextToImageModel model = tiny(); TextToImageModel reference = tiny();
                NDManager scope = model.model().getNDManager().newSubManager()) {
            NDArray xt = model.noise(1, 3, scope);
            NDArray t = scope.create(new long[] {420});
            NDArray c = reference.encode(List.of("red"), scope);
            NDArray empty = reference.nullCondition(1, scope);
            float[] e0 = reference.predictNoise(xt, t, empty, false).toFloatArray();
            float[] ep = reference.predictNoise(xt, t, c, false).toFloatArray();
            double eta = 2.0;
            float[] target = Esd.target(reference, xt, t, c, empty, eta).toFloatArray();
            assertEquals(e0.length, target.length);
            for (int i = 0; i < e0.length; i++) {
                float expected = (float) (e0[i] - eta * (ep[i] - e0[i]));
                assertEquals(expected, target[i], 1e-5f * Math.max(1f, Math.abs(expected)), "element " + i);
            }
            float[] predicted = model.predictNoise(xt, t, model.encode(List.of("red"), scope), false).toFloatArray();
            double mse = 0;
            for (int i = 0; i < target.length; i++) {
                mse += (predicted[i] - target[i]) * (double) (predicted[i] - target[i]);
            }
            mse /= target.length;
            NDArray targetArray = scope.create(target, xt.getShape());
            float loss = Esd.loss(model, xt, t, model.encode(List.of("red"), scope), targetArray).getFloat();
            assertEquals(mse, loss, 1e-5 * mse);
        }
    }

    @Test
    void theFirstIterationsLossIsTheObjectiveRecomputedByHand() {
        long runSeed = 21;
        Outcome outcome = erase(with(FAST, "variant", "x"), runSeed);
        // replay the run's draws: prompt, k, start-noise seed (the prompts are red, crimson)
        Random random = new Random(runSeed);
        String prompt = List.of("red", "crimson").get(random.nextInt(2));
        int k = random.nextInt(5);
        long seed = random.nextLong();
        try (TextToImageModel model = tiny(); TextToImageModel reference = tiny();
                NDManager scope = model.model().getNDManager().newSubManager()) {
            Sample xt = model.sample(new SampleRequest(model.encode(List.of(prompt), scope), 3.0, 5, k, seed), scope);
            assertEquals(model.samplingTimesteps(5)[k], xt.timestep());
            NDArray t = scope.create(new long[] {xt.timestep()});
            float[] e0 = reference.predictNoise(xt.latent(), t, reference.nullCondition(1, scope), false).toFloatArray();
            float[] ep = reference.predictNoise(xt.latent(), t, reference.encode(List.of(prompt), scope), false)
                    .toFloatArray();
            float[] eps = model.predictNoise(xt.latent(), t, model.encode(List.of(prompt), scope), false).toFloatArray();
            double mse = 0;
            for (int i = 0; i < eps.length; i++) {
                double target = e0[i] - 1.0 * (ep[i] - e0[i]);
                mse += (eps[i] - target) * (eps[i] - target);
            }
            mse /= eps.length;
            assertEquals(mse, outcome.losses()[0], 1e-5 * mse, "iteration 0 (prompt '" + prompt + "', k " + k + ")");
        }
        assertTrue(outcome.log().get(0).contains("ESD-x"), outcome.log().toString());
    }

    @Test
    void theSameSeedGivesTheSameModelBitForBit() {
        Outcome first = erase(FAST, 99);
        Outcome second = erase(FAST, 99);
        assertEquals(List.of(), changed(first.after(), second.after()));
        assertArrayEquals(first.losses(), second.losses());
        Outcome other = erase(FAST, 100);
        assertFalse(changed(first.after(), other.after()).isEmpty(), "another seed draws other x_t");
    }

    @Test
    void anUnknownConceptIsRefusedWithExit3NamingTheKnownOnesBeforeAnythingChanges() {
        for (Concept concept : List.of(new Concept("magenta", Optional.empty(), List.of()),
                new Concept("red", Optional.empty(), List.of("vermilion")))) {
            try (TextToImageModel model = tiny();
                    EsdRunContext run = new EsdRunContext(1, model.model().getNDManager())) {
                EsdTask task = new EsdTask(model, EsdTest::tiny, List.of(concept), FAST);
                Map<String, int[]> before = bits(model);
                LetheException e = assertThrows(LetheException.class, () -> new Esd().erase(task, run));
                assertEquals(LetheException.INVALID_INPUT, e.exitStatus());
                String bad = concept.aliases().isEmpty() ? concept.name() : concept.aliases().get(0);
                assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
                for (String known : List.of("red", "green", "blue", "circle", "crimson")) {
                    assertTrue(e.getMessage().contains(known), "names the known word " + known + ": " + e.getMessage());
                }
                assertEquals(0, run.optimiseCalls);
                assertNull(task.reference, "the reference copy was not even loaded");
                assertEquals(List.of(), changed(before, bits(model)));
                for (String name : model.parameters().keySet()) {
                    assertFalse(model.isFrozen(name), name);
                }
            }
        }
    }

    @Test
    void badSettingsAndAnEmptyEraseSetAreInvalidInput() {
        try (TextToImageModel model = tiny(); EsdRunContext run = new EsdRunContext(1, model.model().getNDManager())) {
            for (Map<String, Object> settings : List.of(with(FAST, "variant", "all"), with(FAST, "sampleFrom", "nowhere"),
                    with(FAST, "negativeGuidance", Double.NaN), with(FAST, "learningRate", 0.0))) {
                LetheException e = assertThrows(LetheException.class,
                        () -> new Esd().erase(new EsdTask(model, EsdTest::tiny, List.of(RED), settings), run));
                assertEquals(LetheException.INVALID_INPUT, e.exitStatus(), e.getMessage());
            }
            LetheException empty = assertThrows(LetheException.class,
                    () -> new Esd().erase(new EsdTask(model, EsdTest::tiny, List.of(), FAST), run));
            assertEquals(LetheException.INVALID_INPUT, empty.exitStatus());
            assertTrue(empty.getMessage().contains("no concept"), empty.getMessage());
            assertEquals(0, run.optimiseCalls);
        }
    }

    @Test
    void sampleFromTheOriginalAlsoLeavesTheReferenceUntouched() {
        Outcome outcome = erase(with(FAST, "sampleFrom", "original"), 3);
        assertEquals(List.of(), changed(outcome.referenceBefore(), outcome.referenceAfter()));
        assertFalse(changed(outcome.before(), outcome.after()).isEmpty());
        assertNotNull(outcome.losses());
    }
}
