package org.lethe.models.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lethe.api.LetheException;
import org.lethe.api.data.LabelledImage;
import org.lethe.api.data.VqaItem;
import org.lethe.api.model.AnswerModel;
import org.lethe.api.model.ModelKind;
import org.lethe.api.model.ModelManifest;
import org.lethe.api.model.ModelRef;
import org.lethe.api.model.vision.VisionLanguageModel;

/** The vision-language transformer: shapes, the padding mask, hooks, appended embeddings, save/load, the answer view. */
class VisionLanguageTransformerTest {

    private static final List<String> ANSWERS = List.of("red", "green", "blue", "yellow", "purple", "orange", "circle",
            "square", "triangle", "cross", "plain", "stripes", "dots", "matte", "glossy", "metallic", "yes", "no");

    private static Map<String, String> settings() {
        Map<String, String> s = new HashMap<>();
        s.put("vocabulary", "what color is the object shape shown which hue it red");
        s.put("answers", String.join(" ", ANSWERS));
        return s;
    }

    private static VisionLanguageTransformer model(long seed) {
        return (VisionLanguageTransformer) new VisionLanguageArchitecture().create(settings(), seed);
    }

    private static NDArray images(NDManager scope, int n, long seed) {
        Random random = new Random(seed);
        float[] values = new float[n * 3 * 16 * 16];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (2 * random.nextDouble() - 1);
        }
        return scope.create(values, new Shape(n, 3, 16, 16));
    }

    @Test
    void sizesLayersAndViews() {
        try (VisionLanguageTransformer model = model(1); NDManager scope = model.model().getNDManager().newSubManager()) {
            assertEquals(ModelKind.VISION_LANGUAGE, model.kind());
            assertEquals(ModelKind.VISION_LANGUAGE, new VisionLanguageArchitecture().kind());
            VisionLanguageModel view = model.view(VisionLanguageModel.class).orElseThrow();
            assertSame(model, view);
            assertSame(model, model.view(AnswerModel.class).orElseThrow());
            assertTrue(model.view(String.class).isEmpty());
            assertEquals(List.of("encoder", "fusion.0", "fusion.1"), view.layers());
            assertEquals(ANSWERS, view.answers());
            assertEquals(new Shape(3, 16, 16), view.imageShape());
            assertEquals(64, view.width());
            assertEquals(16, view.visualTokens());
            assertEquals(VqaItem.class, view.itemType());
            // research §7: about 150 k parameters at most
            assertTrue(model.parameterCount() > 50_000 && model.parameterCount() < 200_000, "" + model.parameterCount());
            NDArray logits = view.logits(images(scope, 5, 2), List.of("what color is the object", "which hue",
                    "what shape is shown", "is it red", "what colour is the zorblax"), false);
            assertEquals(new Shape(5, 18), logits.getShape());
            assertThrows(IllegalArgumentException.class, () -> view.logits(images(scope, 2, 2), List.of("which hue"),
                    false));
            assertThrows(IllegalArgumentException.class, () -> view.logits(scope.zeros(new Shape(1, 3, 8, 8)),
                    List.of("which hue"), false));
            assertThrows(IllegalArgumentException.class, () -> view.logits(images(scope, 1, 2),
                    List.of("what is the color of the object in this image"), false));
        }
    }

    @Test
    void aWiderKernelKeepsTheTokenGrid() {
        Map<String, String> s = settings();
        s.put("kernel", "5");
        try (VisionLanguageTransformer model = (VisionLanguageTransformer) new VisionLanguageArchitecture().create(s, 1);
                NDManager scope = model.model().getNDManager().newSubManager()) {
            assertEquals(new Shape(2, 18), model.logits(images(scope, 2, 3), List.of("which hue", "is it red"), false)
                    .getShape());
            assertEquals("5", model.config().get("kernel"));
        }
        s.put("kernel", "4");
        assertThrows(LetheException.class, () -> VisionLanguageConfig.from(s));
    }

    @Test
    void paddingDoesNotChangeAnAnswer() {
        try (VisionLanguageTransformer model = model(3); NDManager scope = model.model().getNDManager().newSubManager()) {
            NDArray both = images(scope, 2, 4);
            float[] alone = model.logits(both.get("0:1"), List.of("which hue"), false).toFloatArray();
            float[] batched = model.logits(both, List.of("which hue", "what color is the object"), false).get("0:1")
                    .toFloatArray();
            assertArrayEquals(alone, batched, 1e-5f);
        }
    }

    @Test
    void aHookChangesTheOutputAndClosingItRestoresItExactly() throws Exception {
        try (VisionLanguageTransformer model = model(5); NDManager scope = model.model().getNDManager().newSubManager()) {
            NDArray x = images(scope, 3, 6);
            List<String> q = List.of("what color is the object", "which hue", "is it red");
            float[] clean = model.logits(x, q, false).toFloatArray();
            for (String layer : model.layers()) {
                List<Shape> seen = new ArrayList<>();
                AutoCloseable handle = model.hook(layer, a -> {
                    seen.add(a.getShape());
                    return a.mul(a.getManager().create(0.5f));
                });
                float[] edited = model.logits(x, q, false).toFloatArray();
                assertEquals(List.of(new Shape(3, 1 + 16 + 5, 64)), seen, layer);
                assertFalse(java.util.Arrays.equals(clean, edited), layer);
                handle.close();
                handle.close(); // harmless
                assertArrayEquals(clean, model.logits(x, q, false).toFloatArray(), 0f, layer);
            }
            // hooks at one layer run in order
            List<String> order = new ArrayList<>();
            try (AutoCloseable a = model.hook("fusion.0", t -> {
                order.add("a");
                return t;
            }); AutoCloseable b = model.hook("fusion.0", t -> {
                order.add("b");
                return t;
            })) {
                assertArrayEquals(clean, model.logits(x, q, false).toFloatArray(), 0f);
            }
            assertEquals(List.of("a", "b"), order);
            assertThrows(IllegalStateException.class, () -> {
                try (AutoCloseable bad = model.hook("encoder", t -> t.get(":, 0:2, :"))) {
                    model.logits(x, q, false);
                }
            });
            assertArrayEquals(clean, model.logits(x, q, false).toFloatArray(), 0f);
        }
    }

    @Test
    void anUnknownLayerIsInvalidInputListingTheLayers() {
        try (VisionLanguageTransformer model = model(7)) {
            LetheException e = assertThrows(LetheException.class, () -> model.hook("fusion.7", t -> t));
            assertEquals(LetheException.INVALID_INPUT, e.exitStatus());
            assertTrue(e.getMessage().contains("fusion.7") && e.getMessage().contains("encoder, fusion.0, fusion.1"),
                    e.getMessage());
        }
    }

    @Test
    void appendedEmbeddingsChangeTheAnswerAndReceiveGradients() {
        try (VisionLanguageTransformer model = model(9); NDManager scope = model.model().getNDManager().newSubManager()) {
            NDArray x = images(scope, 2, 10);
            List<String> q = List.of("which hue", "what shape is shown");
            float[] clean = model.logits(x, q, false).toFloatArray();
            NDArray shared = scope.randomNormal(new Shape(3, 64));
            NDArray each = scope.randomNormal(new Shape(2, 3, 64));
            assertEquals(new Shape(2, 18), model.logits(x, q, each, false).getShape());
            float[] withShared = model.logits(x, q, shared, false).toFloatArray();
            assertFalse(java.util.Arrays.equals(clean, withShared));
            // a zero-length soft prompt is no soft prompt
            assertArrayEquals(clean, model.logits(x, q, scope.zeros(new Shape(0, 64)), false).toFloatArray(), 1e-6f);
            shared.setRequiresGradient(true);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray loss = model.logits(x, q, shared, true).get(":, 0").sum();
                collector.backward(loss);
            }
            float gradient = shared.getGradient().abs().sum().getFloat();
            assertTrue(gradient > 0 && Float.isFinite(gradient), "gradient " + gradient);
            assertThrows(IllegalArgumentException.class, () -> model.logits(x, q, scope.zeros(new Shape(9, 64)), false));
            assertThrows(IllegalArgumentException.class, () -> model.logits(x, q, scope.zeros(new Shape(2, 32)), false));
        }
    }

    @Test
    void saveAndLoadGiveIdenticalLogits(@TempDir Path dir) throws Exception {
        try (VisionLanguageTransformer model = model(11); NDManager scope = model.model().getNDManager().newSubManager()) {
            NDArray x = images(scope, 4, 12);
            List<String> q = List.of("which hue", "what shape is shown", "is it red", "what color is the object");
            float[] before = model.logits(x, q, false).toFloatArray();
            model.save(dir);
            assertTrue(Files.isRegularFile(dir.resolve(VisionLanguageTransformer.WEIGHTS)));
            ModelManifest manifest = new ModelManifest(new ModelRef("shapes-vlm", 1), ModelKind.VISION_LANGUAGE,
                    VisionLanguageArchitecture.NAME, model.config(), Optional.empty(), Optional.empty(), Map.of(),
                    List.of(), Instant.EPOCH);
            try (VisionLanguageTransformer loaded = (VisionLanguageTransformer) new VisionLanguageArchitecture()
                    .load(manifest, dir); NDManager other = loaded.model().getNDManager().newSubManager()) {
                assertEquals(model.config(), loaded.config());
                assertArrayEquals(before, loaded.logits(other.create(x.toFloatArray(), x.getShape()), q, false)
                        .toFloatArray(), 0f);
            }
            try (VisionLanguageTransformer fresh = model(12)) {
                assertNotEquals(before[0], fresh.logits(fresh.model().getNDManager().create(x.toFloatArray(),
                        x.getShape()), q, false).toFloatArray()[0]);
            }
        }
    }

    @Test
    void theAnswerViewsDefaultsWork() {
        try (VisionLanguageTransformer model = model(13); NDManager scope = model.model().getNDManager().newSubManager()) {
            Random random = new Random(14);
            List<VqaItem> items = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                float[] pixels = new float[3 * 16 * 16];
                for (int j = 0; j < pixels.length; j++) {
                    pixels[j] = random.nextFloat();
                }
                LabelledImage image = new LabelledImage("img-" + i, Map.of("colour", "red"), 3, 16, 16, pixels);
                items.add(new VqaItem("q-" + i, image, "what color is the object", i == 2 ? "yes" : "red", "colour",
                        i == 2 ? VqaItem.YES_NO : VqaItem.TEMPLATE));
            }
            @SuppressWarnings("unchecked")
            AnswerModel<VqaItem> answers = model.view(AnswerModel.class).orElseThrow();
            NDArray loss = answers.answerLoss(items, scope, false);
            assertEquals(new Shape(), loss.getShape());
            float value = loss.getFloat();
            // near ln 18 for an untrained model
            assertTrue(value > 1 && value < 6, "loss " + value);
            AnswerModel.AnswerLogits logits = answers.answerLogits(items, scope, false);
            assertEquals(new Shape(3, 1, 18), logits.logits().getShape());
            assertArrayEquals(new float[] {1, 1, 1}, logits.mask().toFloatArray());
            assertArrayEquals(new long[] {0, 0, 16}, model.answerIndices(items));
            List<VqaItem> bad = List.of(new VqaItem("q-x", items.get(0).image(), "which hue", "teal", "colour",
                    VqaItem.TEMPLATE));
            assertThrows(IllegalArgumentException.class, () -> answers.answerLoss(bad, scope, false));
        }
    }

    @Test
    void badSettingsNameTheSetting() {
        Map<String, String> s = settings();
        s.put("heads", "5");
        LetheException e = assertThrows(LetheException.class, () -> VisionLanguageConfig.from(s));
        assertTrue(e.getMessage().contains("'heads'"), e.getMessage());
        Map<String, String> unknown = settings();
        unknown.put("depth", "3");
        assertTrue(assertThrows(LetheException.class, () -> VisionLanguageConfig.from(unknown)).getMessage()
                .contains("'depth'"));
        Map<String, String> noAnswers = settings();
        noAnswers.remove("answers");
        assertTrue(assertThrows(LetheException.class, () -> VisionLanguageConfig.from(noAnswers)).getMessage()
                .contains("'answers'"));
        assertEquals(settings().get("vocabulary"), VisionLanguageConfig.from(settings()).toMap().get("vocabulary"));
    }
}
