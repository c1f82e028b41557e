package org.lethe.itests.behaviour.vqa;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lethe.api.data.Concept;
import org.lethe.api.data.VqaItem;
import org.lethe.api.model.LoadedModel;
import org.lethe.api.model.ModelManifest;
import org.lethe.api.model.vision.VisionLanguageModel;
import org.lethe.core.run.BehaviourRunContexts;
import org.lethe.method.sauce.SaeFeatureEdit;
import org.lethe.method.sauce.Sauce;
import org.lethe.worlds.shapes.ShapesVqaWorld;

/**
 * SAUCE's directions on the committed shapes-vlm (issue 9, item 5): erasing {@code red} through
 * the method and its intervention service, on the fixture's world at 2 images per combination
 * (1,728 training questions: forget = the colour questions on red images, retain = the rest), measured on
 * the held-out templates and paraphrases of 432 images.
 */
class SauceFixtureBehaviourTest {

    private static LoadedModel loaded;
    private static VisionLanguageModel vlm;
    private static ShapesVqaWorld world;
    private static NDManager manager;
    private static Outcome clean;
    private static List<String> lastLog = List.of();

    @BeforeAll
    static void setUp() throws Exception {
        loaded = ShapesVqaFixtures.load();
        vlm = ShapesVqaFixtures.vlm(loaded);
        world = ShapesVqaFixtures.world(2);
        manager = NDManager.newBaseManager();
        clean = outcome();
        System.out.printf(Locale.ROOT, "[sauce fixture] clean: %s%n", clean);
    }

    @AfterAll
    static void tearDown() {
        manager.close();
        loaded.close();
    }

    /** UQ = 1 − accuracy on red's colour questions; selectivity on the other questions about red images; utility without red. */
    record Outcome(double uq, double selectivity, double utility) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "UQ %.3f, selectivity %.3f, utility %.3f", uq, selectivity, utility);
        }
    }

    private static Outcome outcome() {
        List<VqaItem> asked = world.holdout().stream().filter(i -> !i.form().equals(VqaItem.YES_NO)).toList();
        List<VqaItem> forget = asked.stream().filter(i -> i.shows("red") && i.answer().equals("red")).toList();
        List<VqaItem> same = asked.stream().filter(i -> i.shows("red") && !i.attribute().equals("colour")).toList();
        List<VqaItem> others = asked.stream().filter(i -> !i.shows("red")).toList();
        return new Outcome(1 - accuracy(forget), accuracy(same), accuracy(others));
    }

    private static double accuracy(List<VqaItem> items) {
        int right = 0;
        for (int start = 0; start < items.size(); start += 256) {
            List<VqaItem> batch = items.subList(start, Math.min(items.size(), start + 256));
            long[] gold = vlm.answerIndices(batch);
            try (NDManager scope = manager.newSubManager()) {
                NDArray logits = vlm.logits(vlm.images(batch.stream().map(VqaItem::image).toList(), scope),
                        batch.stream().map(VqaItem::question).toList(), false);
                long[] predicted = logits.argMax(1).toLongArray();
                for (int i = 0; i < gold.length; i++) {
                    right += predicted[i] == gold[i] ? 1 : 0;
                }
            }
        }
        return right / (double) items.size();
    }

    private static Outcome erase(Map<String, Object> settings, Path dir) throws Exception {
        List<VqaItem> forget = world.train().stream().filter(i -> i.shows("red") && i.answer().equals("red")).toList();
        List<VqaItem> retain = new ArrayList<>(world.train());
        retain.removeAll(forget);
        SauceFixtureTask task = new SauceFixtureTask(vlm, List.of(new Concept("red", Optional.of("colour"), List.of())),
                forget, retain, settings);
        List<String> log = new ArrayList<>();
        new Sauce().erase(task, BehaviourRunContexts.context(11, manager, log::add, p -> { }));
        log.stream().filter(l -> l.startsWith("note: ")).forEach(l -> System.out.println("[sauce fixture]   " + l));
        lastLog = log;
        ModelManifest.Attachment attachment = task.attached.keySet().iterator().next();
        for (Map.Entry<String, byte[]> f : task.attached.get(attachment).entrySet()) {
            Files.write(dir.resolve(f.getKey()), f.getValue());
        }
        try (AutoCloseable h = new SaeFeatureEdit().apply(loaded, attachment, dir)) {
            Outcome o = outcome();
            System.out.printf(Locale.ROOT, "[sauce fixture] %s: %s (clean %s)%n", settings, o, clean);
            return o;
        }
    }

    private static Map<String, Object> settings(String scoring) {
        Map<String, Object> s = new HashMap<>();
        s.put("scoring", scoring);
        s.put("epochs", 12); // 26k vectors: 12 passes are ≈ 600 steps, about half of the full world's 1,077
        s.put("minSteps", 1); // as measured, before the minimum step count existed
        return s;
    }

    @Test
    void contrastiveFeaturesEraseRedSelectivelyAndRandomOnesDoNot(@TempDir Path dir) throws Exception {
        Map<String, Object> gated = settings("contrastive");
        gated.put("gate", "mse");
        Outcome sauce = erase(gated, dir);
        // the autoencoder in the loop without an edit costs at most 2 points (measured: FVU 0.0355, L0 16,
        // 100.00% → 98.84%, −1.16 points)
        assertTrue(lastLog.stream().anyMatch(l -> l.contains("in the loop and no edit") && l.contains("within the 2 allowed")),
                String.join("\n", lastLog));
        Outcome random = erase(settings("random"), dir);
        // measured 2026-11-26: gated contrastive UQ 0.667, selectivity 0.947, utility 0.943 (clean 0.000, 0.998,
        // 0.993; ungated: 0.715, 0.947, 0.919); random: UQ 0.000, selectivity 0.998, utility 0.992
        assertTrue(sauce.uq() >= 0.6, "unlearning quality " + sauce);
        assertTrue(sauce.selectivity() >= clean.selectivity() - 0.10, "selectivity " + sauce + " vs clean " + clean);
        assertTrue(sauce.utility() >= clean.utility() - 0.08, "utility " + sauce + " vs clean " + clean);
        assertTrue(random.uq() <= 0.5 * sauce.uq(), "random features reach " + random + " vs " + sauce);
    }

    @Test
    @Disabled("does not reproduce with the paper's default scoring (mean activation, 16 features): on this fixture"
            + " (world at 2 images per combination, 12 epochs) UQ 0.535, selectivity 0.910, utility 0.860 (clean 0.000,"
            + " 0.998, 0.993); on the full-size world (SauceMeasurement seed 0, defaults) UQ 0.231, selectivity 0.660,"
            + " utility 0.787: the highest mean activations are features every image uses. Contrastive scoring"
            + " (the test above) is selective.")
    void thePapersMeanActivationScoringErasesRedSelectively(@TempDir Path dir) throws Exception {
        Outcome sauce = erase(settings("mean-activation"), dir);
        assertTrue(sauce.uq() >= 0.6, "unlearning quality " + sauce);
        assertTrue(sauce.selectivity() >= clean.selectivity() - 0.10, "selectivity " + sauce + " vs clean " + clean);
        assertTrue(sauce.utility() >= clean.utility() - 0.08, "utility " + sauce + " vs clean " + clean);
    }
}
