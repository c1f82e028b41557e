package org.lethe.models.classifier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lethe.api.LetheException;
import org.lethe.api.model.ModelKind;
import org.lethe.api.model.classifier.ConceptClassifier;

/** The concept classifier: settings, shapes of its outputs, loss, augmentation, a short training, save/load. */
class ConceptClassifierModelTest {

    private static Map<String, String> settings() {
        Map<String, String> s = new HashMap<>();
        s.put("heads", "colour shape object");
        s.put("classes.colour", "red green blue");
        s.put("classes.shape", "square bar");
        s.put("classes.object", "present none");
        return s;
    }

    private static ConceptClassifierModel model(long seed) {
        return (ConceptClassifierModel) new ConceptClassifierArchitecture().create(settings(), seed);
    }

    @Test
    void headsClassesAndOutputShapes() {
        try (ConceptClassifierModel model = model(1); NDManager scope = model.model().getNDManager().newSubManager()) {
            assertEquals(ModelKind.CLASSIFIER, model.kind());
            assertEquals(ModelKind.CLASSIFIER, new ConceptClassifierArchitecture().kind());
            ConceptClassifier view = model.view(ConceptClassifier.class).orElseThrow();
            assertEquals(List.of("colour", "shape", "object"), view.heads());
            assertEquals(List.of("red", "green", "blue"), view.classes("colour"));
            assertThrows(IllegalArgumentException.class, () -> view.classes("texture"));
            assertEquals(64, view.featureWidth());
            assertEquals(16, view.imageSize());
            // conv 3→32, 32→64, 64→64; fc 64·4·4→64; heads 64→3, 2, 2
            long expected = (32 * 27 + 32) + (64 * 288 + 64) + (64 * 576 + 64) + (64 * 1024 + 64) + (64 * 7 + 7);
            assertEquals(expected, model.parameterCount());
            assertEquals(List.of("conv.0.weight", "conv.0.bias", "conv.1.weight", "conv.1.bias", "conv.2.weight",
                    "conv.2.bias", "fc.weight", "fc.bias", "heads.colour.weight", "heads.colour.bias",
                    "heads.shape.weight", "heads.shape.bias", "heads.object.weight", "heads.object.bias"),
                    model.parameterNames());
            NDArray images = scope.randomUniform(0, 1, new Shape(5, 3, 16, 16));
            ConceptClassifier.Output out = view.forward(images, false);
            assertEquals(List.of("colour", "shape", "object"), List.copyOf(out.logits().keySet()));
            assertEquals(new Shape(5, 3), out.logits().get("colour").getShape());
            assertEquals(new Shape(5, 2), out.logits().get("shape").getShape());
            assertEquals(new Shape(5, 64), out.features().getShape());
            assertEquals(new Shape(5, 64), view.features(images).getShape());
            Map<String, int[]> predicted = view.predict(images);
            assertEquals(5, predicted.get("colour").length);
            assertThrows(IllegalArgumentException.class, () -> view.forward(scope.zeros(new Shape(2, 3, 8, 8)), false));
        }
    }

    @Test
    void lossLeavesUnlabelledImagesOutAndRejectsBadLabels() {
        try (ConceptClassifierModel model = model(2); NDManager scope = model.model().getNDManager().newSubManager()) {
            NDArray images = scope.randomUniform(0, 1, new Shape(3, 3, 16, 16));
            int u = ConceptClassifier.UNLABELLED;
            float all = model.loss(images, Map.of("colour", new int[] {0, 1, 2}, "shape", new int[] {0, 1, 0},
                    "object", new int[] {0, 0, 0}), false).getFloat();
            float some = model.loss(images, Map.of("colour", new int[] {0, u, u}, "shape", new int[] {u, u, u},
                    "object", new int[] {0, 0, 0}), false).getFloat();
            assertTrue(Float.isFinite(all) && Float.isFinite(some) && all > 0 && some > 0);
            assertNotEquals(all, some);
            assertThrows(IllegalArgumentException.class, () -> model.loss(images, Map.of("colour", new int[] {3, 0, 0},
                    "shape", new int[] {0, 0, 0}, "object", new int[] {0, 0, 0}), false));
            assertThrows(IllegalArgumentException.class, () -> model.loss(images, Map.of("colour", new int[] {0, 0, 0}),
                    false));
        }
    }

    @Test
    void augmentationStaysInRangeIsSeededAndCanBeOff() {
        try (ConceptClassifierModel model = model(3)) {
            float[] images = new float[2 * 768];
            Random r = new Random(9);
            for (int i = 0; i < images.length; i++) {
                images[i] = r.nextFloat();
            }
            float[] a = model.augment(images, new Random(4));
            assertArrayEquals(a, model.augment(images, new Random(4)));
            assertFalse(java.util.Arrays.equals(a, images));
            for (float v : a) {
                assertTrue(v >= 0f && v <= 1f);
            }
            assertThrows(IllegalArgumentException.class, () -> model.augment(new float[100], new Random(1)));
        }
        Map<String, String> off = settings();
        off.putAll(Map.of("shift", "0", "flip", "false", "jitter", "0", "noise", "0", "blur", "0"));
        try (ConceptClassifierModel model = new ConceptClassifierModel(ClassifierConfig.from(off), 3)) {
            float[] images = new float[768];
            for (int i = 0; i < images.length; i++) {
                images[i] = (i % 17) / 17f;
            }
            assertArrayEquals(images, model.augment(images, new Random(4)));
        }
    }

    @Test
    void settingsRoundTripAndNameTheBadKey() {
        ClassifierConfig config = ClassifierConfig.from(settings());
        assertEquals(config, ClassifierConfig.from(config.toMap()));
        Map<String, String> unknown = settings();
        unknown.put("depth", "3");
        assertTrue(assertThrows(LetheException.class, () -> ClassifierConfig.from(unknown)).getMessage().contains("'depth'"));
        Map<String, String> missing = settings();
        missing.remove("classes.shape");
        assertTrue(assertThrows(LetheException.class, () -> ClassifierConfig.from(missing)).getMessage()
                .contains("classes.shape"));
        Map<String, String> bad = settings();
        bad.put("widths", "32 64");
        assertTrue(assertThrows(LetheException.class, () -> ClassifierConfig.from(bad)).getMessage().contains("widths"));
        assertThrows(LetheException.class, () -> ClassifierConfig.from(Map.of()));
    }

    /**
     * A separable toy task (a bright square's colour and whether it is a square or a bar, on noise)
     * learned in 60 Adam steps, with augmentation: the loss and its gradient reach every head.
     */
    @Test
    void learnsAToyTask() {
        try (ConceptClassifierModel model = model(4); NDManager root = model.model().getNDManager().newSubManager();
                Trainer trainer = model.model().newTrainer(new DefaultTrainingConfig(new Passthrough())
                        .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(3e-3f)).build()))) {
            Random random = new Random(5);
            for (int step = 0; step < 60; step++) {
                Map<String, int[]> labels = new HashMap<>();
                float[] x = toy(32, random, labels);
                try (NDManager scope = root.newSubManager(); GradientCollector collector = trainer.newGradientCollector()) {
                    NDArray input = scope.create(model.augment(x, random), new Shape(32, 3, 16, 16));
                    collector.backward(model.loss(input, labels, true));
                }
                trainer.step();
            }
            Map<String, int[]> labels = new HashMap<>();
            float[] x = toy(200, new Random(6), labels);
            Map<String, int[]> predicted = model.predict(root.create(x, new Shape(200, 3, 16, 16)));
            for (String head : List.of("colour", "shape", "object")) {
                int right = 0;
                for (int i = 0; i < 200; i++) {
                    right += predicted.get(head)[i] == labels.get(head)[i] ? 1 : 0;
                }
                assertTrue(right >= 180, head + ": " + right + " of 200");
            }
        }
    }

    private static float[] toy(int n, Random random, Map<String, int[]> labels) {
        float[] x = new float[n * 768];
        int[] colour = new int[n];
        int[] shape = new int[n];
        int[] object = new int[n];
        for (int i = 0; i < n; i++) {
            colour[i] = random.nextInt(3);
            shape[i] = random.nextInt(2);
            int cx = 4 + random.nextInt(8);
            int cy = 4 + random.nextInt(8);
            for (int p = 0; p < 256; p++) {
                int y = p / 16;
                int xx = p % 16;
                boolean inside = shape[i] == 0 ? Math.abs(xx - cx) <= 2 && Math.abs(y - cy) <= 2
                        : Math.abs(xx - cx) <= 3 && Math.abs(y - cy) <= 0;
                for (int c = 0; c < 3; c++) {
                    x[i * 768 + c * 256 + p] = inside ? (c == colour[i] ? 0.9f : 0.1f) : 0.3f + 0.05f * random.nextFloat();
                }
            }
        }
        labels.put("colour", colour);
        labels.put("shape", shape);
        labels.put("object", object);
        return x;
    }

    @Test
    void saveAndLoadRoundTrip(@TempDir Path dir) throws IOException {
        try (ConceptClassifierModel model = model(7); NDManager scope = model.model().getNDManager().newSubManager()) {
            model.save(dir);
            assertTrue(Files.isRegularFile(dir.resolve(ConceptClassifierModel.WEIGHTS)));
            NDArray images = scope.randomUniform(0, 1, new Shape(4, 3, 16, 16));
            float[] features = model.features(images).toFloatArray();
            try (ConceptClassifierModel other = ConceptClassifierModel.withWeights(
                    new ConceptClassifierModel(ClassifierConfig.from(model.config()), 99), dir);
                    NDManager otherScope = other.model().getNDManager().newSubManager()) {
                NDArray same = otherScope.create(images.toFloatArray(), images.getShape());
                assertArrayEquals(features, other.features(same).toFloatArray());
                assertEquals(model.predict(images).get("colour")[0], other.predict(same).get("colour")[0]);
            }
        }
        // a file without a parameter is refused, naming it
        Path broken = dir.resolve("broken");
        Files.createDirectories(broken);
        try (NDManager m = NDManager.newBaseManager(); OutputStream out = Files.newOutputStream(
                broken.resolve(ConceptClassifierModel.WEIGHTS))) {
            NDArray only = m.zeros(new Shape(32, 3, 3, 3));
            only.setName("conv.0.weight");
            new NDList(only).encode(out, NDList.Encoding.SAFETENSORS);
        }
        IOException e = assertThrows(IOException.class, () -> ConceptClassifierModel.withWeights(model(8), broken));
        assertTrue(e.getMessage().contains("conv.0.bias"), e.getMessage());
    }

    /** The loss is computed by the model; the trainer only needs a Loss object. */
    private static final class Passthrough extends Loss {
        Passthrough() {
            super("passthrough");
        }

        @Override
        public NDArray evaluate(NDList labels, NDList predictions) {
            return predictions.head();
        }
    }
}
