package org.lethe.models.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.Trainer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lethe.api.LetheException;
import org.lethe.api.model.LoadedModel;
import org.lethe.api.model.ModelKind;
import org.lethe.api.model.ModelManifest;
import org.lethe.api.model.ModelRef;
import org.lethe.api.model.diffusion.DiffusionModel;
import org.lethe.api.model.diffusion.DiffusionModel.Lora;
import org.lethe.api.model.diffusion.DiffusionModel.LoraRequest;
import org.lethe.api.model.diffusion.DiffusionModel.Sample;
import org.lethe.api.model.diffusion.DiffusionModel.SampleRequest;

/**
 * The text-to-image U-Net: shapes, sampling, guidance, training, weights on disk, hooks, freezing,
 * gradient masks, LoRA, K/V projections, bad settings. A narrow model (widths 16/32) keeps it fast.
 */
class TextToImageModelTest {

    static final String VOCABULARY = "red green blue circle square cross plain stripes crimson";
    static final Map<String, String> SMALL = Map.of("vocabulary", VOCABULARY, "baseChannels", "16", "channels", "32");
    static final String KV = "unet.mid_block.attentions.0.transformer_blocks.0.attn2.to_k";

    static TextToImageModel model;
    static NDManager manager;

    @BeforeAll
    static void create() {
        model = small(1);
        manager = model.model().getNDManager().newSubManager();
    }

    @AfterAll
    static void close() {
        manager.close();
        model.close();
    }

    static TextToImageModel small(long seed) {
        return (TextToImageModel) new TextToImageArchitecture().create(SMALL, seed);
    }

    /** 2-3 fixed tiny images: a red square, a green cross, a blue disc-ish blob, in [−1, 1]. */
    static float[] images(int count) {
        float[] out = new float[count * 3 * 16 * 16];
        for (int n = 0; n < count; n++) {
            for (int y = 0; y < 16; y++) {
                for (int x = 0; x < 16; x++) {
                    boolean on = switch (n % 3) {
                        case 0 -> x >= 4 && x < 12 && y >= 4 && y < 12;
                        case 1 -> x == 8 || y == 8;
                        default -> (x - 8) * (x - 8) + (y - 8) * (y - 8) < 20;
                    };
                    for (int c = 0; c < 3; c++) {
                        out[((n * 3 + c) * 16 + y) * 16 + x] = on && c == n % 3 ? 1f : -1f;
                    }
                }
            }
        }
        return out;
    }

    static List<String> prompts(int count) {
        List<String> all = List.of("red square", "green cross", "blue circle");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(all.get(i % 3));
        }
        return out;
    }

    static float maxDiff(NDArray a, NDArray b) {
        float[] x = a.toFloatArray();
        float[] y = b.toFloatArray();
        assertEquals(x.length, y.length);
        float max = 0;
        for (int i = 0; i < x.length; i++) {
            max = Math.max(max, Math.abs(x[i] - y[i]));
        }
        return max;
    }

    static NDArray predict(DiffusionModel m, NDManager scope, long seed) {
        NDArray x = ((TextToImageModel) m).noise(2, seed, scope);
        NDArray t = scope.create(new long[] {10, 700});
        return m.predictNoise(x, t, m.encode(List.of("red square", "blue"), scope), false);
    }

    static Map<String, float[]> snapshot(DiffusionModel m) {
        Map<String, float[]> out = new HashMap<>();
        m.parameters().forEach((name, p) -> out.put(name, p.getArray().toFloatArray()));
        return out;
    }

    @Test
    void everyOutputHasItsShapeAndTheNamesAreStableDiffusions() {
        DiffusionModel view = model.view(DiffusionModel.class).orElseThrow();
        assertEquals(ModelKind.TEXT_TO_IMAGE, model.kind());
        try (NDManager scope = manager.newSubManager()) {
            NDArray condition = view.encode(List.of("red square", "crimson circle plain"), scope);
            assertEquals(new Shape(2, 8, 64), condition.getShape());
            assertEquals(new Shape(3, 8, 64), view.nullCondition(3, scope).getShape());
            assertEquals(new Shape(2, 8), view.tokenize(List.of("red", ""), scope).getShape());
            NDArray noisy = model.noise(2, 5, scope);
            NDArray t = scope.create(new long[] {0, 999});
            assertEquals(new Shape(2, 3, 16, 16), view.predictNoise(noisy, t, condition, false).getShape());
            assertEquals(new Shape(2, 3, 16, 16), view.guidedNoise(noisy, t, condition, 4).getShape());
            assertEquals(new Shape(2, 3, 16, 16), view.addNoise(noisy, noisy, t).getShape());
            Sample sample = view.sample(new SampleRequest(condition, 4, 3, 3, 7), scope);
            assertEquals(new Shape(2, 3, 16, 16), sample.latent().getShape());
            assertTrue(sample.finished());
            for (float v : sample.latent().toFloatArray()) {
                assertTrue(v >= -1 && v <= 1, "a finished sample is an image in [-1, 1]");
            }
        }
        assertTrue(view.parameters().containsKey(KV + ".weight"));
        assertEquals(new Shape(32, 64), view.parameters().get(KV + ".weight").getArray().getShape());
        assertTrue(view.parameters().containsKey("unet.up_blocks.1.attentions.0.transformer_blocks.0.attn1.to_q.weight"));
        assertTrue(view.parameters().containsKey("text_encoder.text_model.encoder.layers.0.self_attn.q_proj.weight"));
        assertTrue(view.layers().contains("unet.down_blocks.1.attentions.0.transformer_blocks.0.attn2"));
        assertTrue(view.linearLayers().contains(KV));
        // five transformers (down 1, 2, mid, up 0, 1), K and V each
        assertEquals(10, view.crossAttentionProjections().size());
        assertEquals(view.parameters().size(), view.parameterGroup("unet").size() + view.parameterGroup("text_encoder").size());
        assertEquals(view.parameterGroup("unet").size(),
                view.parameterGroup("attn2").size() + view.parameterGroup("unet.non_attn2").size());
        assertEquals(1000, view.trainingSteps());
        assertTrue(view.alphaBar(0) > view.alphaBar(500) && view.alphaBar(500) > view.alphaBar(999));
    }

    @Test
    void ddimStoppedAfterKStepsReturnsXtAtTheKthTimestep() {
        try (NDManager scope = manager.newSubManager()) {
            NDArray condition = model.encode(List.of("red square"), scope);
            int[] timesteps = model.samplingTimesteps(10);
            assertEquals(999, timesteps[0]);
            Sample start = model.sample(new SampleRequest(condition, 3, 10, 0, 11), scope);
            assertEquals(999, start.timestep());
            assertEquals(0f, maxDiff(start.latent(), model.noise(1, 11, scope)), "0 steps: x_T, the start noise");
            Sample partial = model.sample(new SampleRequest(condition, 3, 10, 4, 11), scope);
            assertEquals(timesteps[4], partial.timestep());
            assertEquals(4, partial.stepsTaken());
            assertFalse(partial.finished());
            // the same start code given explicitly continues the same trajectory
            Sample same = model.sample(new SampleRequest(condition, 3, 10, 4, 0, start.latent()), scope);
            assertEquals(0f, maxDiff(partial.latent(), same.latent()));
            Sample full = model.sample(new SampleRequest(condition, 3, 10, 10, 11), scope);
            assertEquals(0, full.timestep());
            assertTrue(full.finished());
            assertTrue(maxDiff(partial.latent(), full.latent()) > 0);
        }
    }

    @Test
    void guidanceOneIsTheConditionalPrediction() {
        try (NDManager scope = manager.newSubManager()) {
            NDArray noisy = model.noise(2, 3, scope);
            NDArray t = scope.create(new long[] {50, 600});
            NDArray condition = model.encode(List.of("red square", "green"), scope);
            NDArray conditional = model.predictNoise(noisy, t, condition, false);
            assertTrue(maxDiff(conditional, model.guidedNoise(noisy, t, condition, 1)) < 1e-5);
            assertTrue(maxDiff(conditional, model.guidedNoise(noisy, t, condition, 4)) > 1e-4);
            // guidance 0 is the unconditional prediction
            NDArray unconditional = model.predictNoise(noisy, t, model.nullCondition(2, scope), false);
            assertTrue(maxDiff(unconditional, model.guidedNoise(noisy, t, condition, 0)) < 1e-5);
        }
    }

    @Test
    void minSnrWeightingDownWeightsTheCleanTimestepsOnly() {
        try (NDManager scope = model.model().getNDManager().newSubManager()) {
            NDArray x0 = scope.create(images(3), new Shape(3, 3, 16, 16));
            for (int r = 0; r < 4; r++) {
                float plain = DiffusionTraining.loss(model, x0, prompts(3), 0, new Random(300 + r)).getFloat();
                // γ above every SNR of the schedule: every weight is 1, the same draws give the same loss
                double maxSnr = model.alphaBar(0) / (1 - model.alphaBar(0));
                float unweighted = DiffusionTraining.loss(model, x0, prompts(3), 0, new Random(300 + r), 2 * maxSnr).getFloat();
                assertEquals(plain, unweighted, 1e-6f * Math.max(1f, plain));
                // γ = 5: weights min(SNR, 5)/SNR ≤ 1, below 1 where SNR > 5 (ᾱ_t > 5/6)
                float weighted = DiffusionTraining.loss(model, x0, prompts(3), 0, new Random(300 + r), 5).getFloat();
                assertTrue(weighted <= plain + 1e-6f, weighted + " > " + plain);
            }
            // one sample at a time, drawn as the batch would draw it: the batch loss is the mean of
            // the per-sample losses, each scaled by its weight
            Random draws = new Random(42);
            draws.nextDouble();
            int t = draws.nextInt(model.trainingSteps());
            double snr = model.alphaBar(t) / (1 - model.alphaBar(t));
            NDArray one = x0.get("0:1");
            float plainOne = DiffusionTraining.loss(model, one, prompts(1), 0, new Random(42)).getFloat();
            float weightedOne = DiffusionTraining.loss(model, one, prompts(1), 0, new Random(42), 5).getFloat();
            assertEquals(plainOne * Math.min(snr, 5) / snr, weightedOne, 1e-5 * Math.max(1, plainOne));
            assertThrows(IllegalArgumentException.class, () -> DiffusionTraining.loss(model, one, prompts(1), 0,
                    new Random(1), -1));
        }
    }

    /** The same fixed draws of t and ε before and after training. */
    static float evaluationLoss(TextToImageModel m) {
        try (NDManager scope = m.model().getNDManager().newSubManager()) {
            NDArray x0 = scope.create(images(3), new Shape(3, 3, 16, 16));
            double sum = 0;
            for (int r = 0; r < 8; r++) {
                sum += DiffusionTraining.loss(m, x0, prompts(3), 0, new Random(100 + r)).getFloat();
            }
            return (float) (sum / 8);
        }
    }

    @Test
    void aFewDozenStepsOnFixedImagesLowerTheNoiseError() {
        try (TextToImageModel m = small(2); Trainer trainer = m.model().newTrainer(DiffusionTraining.adamW(m, 2e-3f, 0))) {
            float before = evaluationLoss(m);
            Random random = new Random(3);
            float[] x0 = images(3);
            for (int i = 0; i < 40; i++) {
                DiffusionTraining.step(m, trainer, x0, prompts(3), 0.1, random);
            }
            float after = evaluationLoss(m);
            assertTrue(after < 0.7f * before, "ε-MSE " + before + " → " + after);
        }
    }

    @Test
    void weightsRoundTripBitExactlyThroughTheArchitecture(@TempDir Path dir) throws Exception {
        model.save(dir);
        ModelManifest manifest = new ModelManifest(new ModelRef("t2i", 1), ModelKind.TEXT_TO_IMAGE,
                TextToImageArchitecture.NAME, model.config(), Optional.empty(), Optional.empty(), Map.of(), List.of(),
                Instant.now());
        try (LoadedModel loaded = new TextToImageArchitecture().load(manifest, dir);
                NDManager scope = manager.newSubManager()) {
            DiffusionModel other = loaded.view(DiffusionModel.class).orElseThrow();
            Map<String, float[]> expected = snapshot(model);
            Map<String, float[]> actual = snapshot(other);
            assertEquals(expected.keySet(), actual.keySet());
            expected.forEach((name, values) -> assertArrayEquals(values, actual.get(name), name));
            assertEquals(0f, maxDiff(predict(model, scope, 1), predict(other, scope, 1)));
            assertEquals(model.config(), loaded.config());
        }
        // a different initialisation really differs (the load did the work)
        try (TextToImageModel other = small(9)) {
            assertFalse(java.util.Arrays.equals(snapshot(model).get(KV + ".weight"), snapshot(other).get(KV + ".weight")));
        }
    }

    @Test
    void hooksChangeTheOutputAndCloseCleanly() throws Exception {
        String layer = "unet.mid_block.attentions.0.transformer_blocks.0.attn2";
        try (NDManager scope = manager.newSubManager()) {
            NDArray base = predict(model, scope, 4);
            int[] calls = {0};
            AutoCloseable hook = model.hook(layer, h -> {
                calls[0]++;
                return h.mul(0);
            });
            NDArray hooked = predict(model, scope, 4);
            assertEquals(1, calls[0]);
            assertTrue(maxDiff(base, hooked) > 1e-4);
            hook.close();
            assertEquals(0f, maxDiff(base, predict(model, scope, 4)));
            assertEquals(1, calls[0]);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.hook("unet.attn9", h -> h));
        assertTrue(e.getMessage().contains("'unet.attn9'"), e.getMessage());
    }

    @Test
    void frozenGroupsStayAndMaskedValuesStayWhileOthersMove() {
        try (TextToImageModel m = small(3); Trainer trainer = m.model().newTrainer(DiffusionTraining.adamW(m, 1e-3f, 0))) {
            // ESD-x: only cross-attention trains (freeze after newTrainer, which unfreezes everything)
            List<String> frozen = new ArrayList<>(m.parameterGroup("text_encoder"));
            frozen.addAll(m.parameterGroup("unet.non_attn2"));
            m.freeze(frozen, true);
            assertTrue(m.isFrozen(frozen.get(0)));
            String masked = "unet.up_blocks.0.attentions.0.transformer_blocks.0.attn2.to_v.weight";
            float[] maskValues = new float[32 * 64];
            for (int i = 0; i < maskValues.length; i += 2) {
                maskValues[i] = 1; // odd positions masked out
            }
            try (NDManager scope = manager.newSubManager()) {
                m.setGradientMask(masked, scope.create(maskValues, new Shape(32, 64)));
            }
            Map<String, float[]> before = snapshot(m);
            DiffusionTraining.step(m, trainer, images(2), prompts(2), 0, new Random(1));
            Map<String, float[]> after = snapshot(m);
            for (String name : frozen) {
                assertArrayEquals(before.get(name), after.get(name), name + " is frozen");
            }
            for (String name : m.parameterGroup("attn2")) {
                if (name.endsWith(".weight")) {
                    assertFalse(java.util.Arrays.equals(before.get(name), after.get(name)), name + " trains");
                }
            }
            float[] b = before.get(masked);
            float[] a = after.get(masked);
            for (int i = 0; i < a.length; i++) {
                if (maskValues[i] == 0) {
                    assertEquals(b[i], a[i], "masked value " + i);
                }
            }
            assertNotEquals(b[0], a[0]);
        }
    }

    @Test
    void loraWithZeroBChangesNothingThenTrainsAndMerges() throws Exception {
        try (TextToImageModel m = small(4); Trainer trainer = m.model().newTrainer(DiffusionTraining.adamW(m, 5e-3f, 0));
                NDManager scope = m.model().getNDManager().newSubManager()) {
            NDArray base = predict(m, scope, 6);
            List<String> layers = m.linearLayers().stream().filter(n -> n.contains(".attn2.to_")).toList();
            Lora lora = m.injectLora(new LoraRequest(layers, 4, 4, 7));
            assertEquals(2 * layers.size(), lora.parameters().size());
            assertEquals(2 * layers.size(), m.parameterGroup("lora").size());
            assertEquals(0f, maxDiff(base, predict(m, scope, 6)), "B = 0: the output is unchanged");
            m.freeze(m.parameterGroup("unet"), true);
            m.freeze(m.parameterGroup("text_encoder"), true);
            Map<String, float[]> before = snapshot(m);
            for (int i = 0; i < 3; i++) {
                DiffusionTraining.step(m, trainer, images(2), prompts(2), 0, new Random(i));
            }
            Map<String, float[]> after = snapshot(m);
            for (String name : m.parameterGroup("unet")) {
                assertArrayEquals(before.get(name), after.get(name), name);
            }
            String b = layers.get(0) + ".lora_B.weight";
            assertFalse(java.util.Arrays.equals(before.get(b), after.get(b)), "B trains");
            NDArray adapted = predict(m, scope, 6);
            assertTrue(maxDiff(base, adapted) > 1e-6);
            lora.merge();
            assertTrue(m.parameterGroup("lora").isEmpty());
            assertTrue(maxDiff(adapted, predict(m, scope, 6)) < 1e-4, "merged = adapted");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> m.injectLora(new LoraRequest(List.of("unet.conv_in"), 4, 4, 1)));
            assertTrue(e.getMessage().contains("'unet.conv_in'"), e.getMessage());
        }
    }

    @Test
    void loraCloseRemovesTheDeltaAndBlocksSaving(@TempDir Path dir) {
        try (TextToImageModel m = small(5); NDManager scope = m.model().getNDManager().newSubManager()) {
            NDArray base = predict(m, scope, 2);
            Lora lora = m.injectLora(new LoraRequest(List.of(KV), 2, 2, 1));
            Parameter b = lora.parameters().get(KV + ".lora_B.weight");
            b.getArray().setRequiresGradient(false);
            b.getArray().addi(0.5f);
            assertTrue(maxDiff(base, predict(m, scope, 2)) > 1e-5);
            assertThrows(IllegalStateException.class, () -> m.save(dir));
            lora.close();
            assertEquals(0f, maxDiff(base, predict(m, scope, 2)));
        }
    }

    @Test
    void crossAttentionProjectionsRoundTrip() {
        String name = KV + ".weight";
        try (NDManager scope = manager.newSubManager(); TextToImageModel m = small(6)) {
            NDArray original = m.projection(name, scope);
            NDArray base = predict(m, scope, 3);
            float[] changed = original.toFloatArray();
            for (int i = 0; i < changed.length; i++) {
                changed[i] *= -2;
            }
            m.setProjection(name, scope.create(changed, original.getShape()));
            assertArrayEquals(changed, m.projection(name, scope).toFloatArray());
            assertTrue(maxDiff(base, predict(m, scope, 3)) > 1e-5);
            m.setProjection(name, original);
            assertArrayEquals(original.toFloatArray(), m.parameters().get(name).getArray().toFloatArray());
            assertEquals(0f, maxDiff(base, predict(m, scope, 3)));
            assertThrows(IllegalArgumentException.class, () -> m.setProjection(name, scope.zeros(new Shape(3, 3))));
            assertThrows(IllegalArgumentException.class, () -> m.projection("unet.conv_in.weight", scope));
        }
    }

    @Test
    void badSettingsAndInputsAreRefusedByName() {
        TextToImageArchitecture architecture = new TextToImageArchitecture();
        LetheException unknown = assertThrows(LetheException.class,
                () -> architecture.create(Map.of("vocabulary", "red", "chanels", "8"), 1));
        assertTrue(unknown.getMessage().contains("'chanels'"), unknown.getMessage());
        LetheException size = assertThrows(LetheException.class,
                () -> architecture.create(Map.of("vocabulary", "red", "imageSize", "18"), 1));
        assertTrue(size.getMessage().contains("'imageSize'"), size.getMessage());
        LetheException heads = assertThrows(LetheException.class,
                () -> architecture.create(Map.of("vocabulary", "red", "channels", "30"), 1));
        assertTrue(heads.getMessage().contains("'channels'"), heads.getMessage());
        assertThrows(LetheException.class, () -> architecture.create(Map.of(), 1));
        try (NDManager scope = manager.newSubManager()) {
            NDArray condition = model.encode(List.of("red"), scope);
            IllegalArgumentException image = assertThrows(IllegalArgumentException.class,
                    () -> model.predictNoise(scope.zeros(new Shape(1, 3, 32, 32)), scope.create(new long[] {1}), condition,
                            false));
            assertTrue(image.getMessage().contains("(batch, 3, 16, 16)"), image.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> model.predictNoise(scope.zeros(new Shape(1, 1, 16, 16)), scope.create(new long[] {1}), condition,
                            false));
            assertThrows(IllegalArgumentException.class,
                    () -> model.predictNoise(model.noise(1, 1, scope), scope.create(new long[] {1000}), condition, false));
            assertThrows(IllegalArgumentException.class,
                    () -> model.encode(List.of("red red red red red red red red"), scope));
        }
        IllegalArgumentException group = assertThrows(IllegalArgumentException.class, () -> model.parameterGroup("attn3"));
        assertTrue(group.getMessage().contains("'attn3'"), group.getMessage());
        assertThrows(IllegalArgumentException.class, () -> model.freeze(List.of("unet.nothing.weight"), true));
        assertThrows(IllegalArgumentException.class, () -> new SampleRequest(model.parameters().get(KV + ".weight").getArray(),
                1, 10, 11, 1));
    }
}
