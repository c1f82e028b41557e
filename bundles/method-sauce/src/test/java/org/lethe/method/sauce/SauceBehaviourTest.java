package org.lethe.method.sauce;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lethe.api.data.Concept;
import org.lethe.api.data.VqaItem;
import org.lethe.api.model.LoadedModel;
import org.lethe.api.model.ModelManifest;
import org.lethe.api.model.vision.VisionLanguageModel;
import org.lethe.models.vision.VisionLanguageArchitecture;

/**
 * SAUCE's directions on a small vision-language transformer trained in the test on shapes images
 * (colour, shape and texture questions): erasing {@code red} makes the colour questions on red
 * images wrong while the other questions about the same images stay right, and random features
 * of the same count reach at most half of its unlearning quality (issue 9, item 5).
 */
class SauceBehaviourTest {

    private static LoadedModel loaded;
    private static VisionLanguageModel vlm;
    private static List<VqaItem> train;
    private static List<VqaItem> test;
    private static NDManager manager;
    private static Outcome clean;
    private static ModelManifest.Attachment lastAttachment;

    @BeforeAll
    static void trainTheModel() {
        long started = System.nanoTime();
        Map<String, String> settings = new HashMap<>();
        settings.put("vocabulary", ShapesQuestions.VOCABULARY);
        settings.put("answers", String.join(" ", ShapesQuestions.ANSWERS));
        loaded = new VisionLanguageArchitecture().create(settings, 23);
        vlm = loaded.view(VisionLanguageModel.class).orElseThrow();
        manager = NDManager.newBaseManager();
        train = ShapesQuestions.items(900, 1);
        test = ShapesQuestions.items(240, 2);
        try (SauceRunContext run = new SauceRunContext(5, manager)) {
            RunContextBatches batches = new RunContextBatches(run.batches(train, 96));
            Optimizer adam = Optimizer.adamW().optLearningRateTracker(Tracker.fixed(3e-3f)).build();
            run.optimise(vlm.model(), adam, STEPS, (step, scope) -> vlm.answerLoss(batches.next(), scope, true));
        }
        double accuracy = Sauce.accuracy(vlm, test, manager);
        System.out.printf(Locale.ROOT, "[sauce behaviour] VLM trained %d steps in %.1f s: test accuracy %.3f (colour %.3f,"
                + " shape %.3f, texture %.3f)%n", STEPS, (System.nanoTime() - started) / 1e9, accuracy,
                Sauce.accuracy(vlm, about(test, "colour"), manager), Sauce.accuracy(vlm, about(test, "shape"), manager),
                Sauce.accuracy(vlm, about(test, "texture"), manager));
        double colour = Sauce.accuracy(vlm, about(test, "colour"), manager);
        assertTrue(accuracy >= 0.85 && colour >= 0.95, "the test model did not learn the task: " + accuracy + ", colour "
                + colour);
        clean = outcome();
    }

    private static List<VqaItem> about(List<VqaItem> items, String attribute) {
        return items.stream().filter(i -> i.attribute().equals(attribute)).toList();
    }

    static final int STEPS = 800;

    /** Adapter: the run's batches as a supplier. */
    private record RunContextBatches(org.lethe.api.run.RunContext.Batches<VqaItem> batches) {
        List<VqaItem> next() {
            return batches.next();
        }
    }

    @AfterAll
    static void tearDown() {
        manager.close();
        loaded.close();
    }

    /** Unlearning quality, selectivity and utility of an erasure of red. */
    private record Outcome(double uq, double selectivity, double utility) {
    }

    private static Outcome erase(Map<String, Object> settings, Path dir) throws Exception {
        SauceTask task = new SauceTask(vlm, List.of(new Concept("red", Optional.of("colour"), List.of())),
                ShapesQuestions.forget(train, "red"), ShapesQuestions.retain(train, "red"), settings);
        long started = System.nanoTime();
        try (SauceRunContext run = new SauceRunContext(7, manager)) {
            new Sauce().erase(task, run);
            run.log.forEach(l -> System.out.println("[sauce behaviour]   " + l));
        }
        System.out.printf(Locale.ROOT, "[sauce behaviour] erase %.1f s%n", (System.nanoTime() - started) / 1e9);
        ModelManifest.Attachment attachment = task.attached.keySet().iterator().next();
        lastAttachment = attachment;
        for (Map.Entry<String, byte[]> f : task.attached.get(attachment).entrySet()) {
            Files.write(dir.resolve(f.getKey()), f.getValue());
        }
        try (AutoCloseable h = new SaeFeatureEdit().apply(loaded, attachment, dir)) {
            Outcome o = outcome();
            System.out.printf(Locale.ROOT, "[sauce behaviour] %s: UQ %.3f, selectivity %.3f, utility %.3f (clean: %.3f,"
                    + " %.3f, %.3f)%n", settings.getOrDefault("scoring", "mean-activation"), o.uq(), o.selectivity(),
                    o.utility(), clean.uq(), clean.selectivity(), clean.utility());
            return o;
        }
    }

    /** UQ on the test set's red colour questions, selectivity on its other questions about red images, utility on the rest. */
    private static Outcome outcome() {
        List<VqaItem> forget = ShapesQuestions.forget(test, "red");
        List<VqaItem> sameImages = test.stream().filter(i -> i.shows("red") && !i.attribute().equals("colour")).toList();
        List<VqaItem> others = test.stream().filter(i -> !i.shows("red")).toList();
        return new Outcome(1 - Sauce.accuracy(vlm, forget, manager), Sauce.accuracy(vlm, sameImages, manager),
                Sauce.accuracy(vlm, others, manager));
    }

    static Map<String, Object> settings() {
        Map<String, Object> s = new HashMap<>();
        s.put("epochs", 3);
        s.put("minSteps", 1); // measured with 3 epochs (243 steps) before the minimum step count existed
        s.put("scoring", "mean-activation"); // and with the scoring that was the default then
        s.put("maxInputs", 2700);
        return s;
    }

    @Test
    void erasingRedBreaksItsColourAnswersAndKeepsTheOtherQuestions(@TempDir Path dir) throws Exception {
        // measured (seed 23 model, 2026-11-26): UQ 1.000, selectivity 0.924, utility 0.865 (clean 0.061, 0.818,
        // 0.929); random features: UQ 0.061, selectivity 0.848, utility 0.928
        Outcome sauce = erase(settings(), dir);
        Map<String, Object> random = settings();
        random.put("scoring", "random");
        Outcome baseline = erase(random, dir);
        assertTrue(sauce.uq() >= 0.8, "unlearning quality " + sauce.uq());
        // "mostly right": within 10 points of the clean model on the same images and on the others
        assertTrue(sauce.selectivity() >= clean.selectivity() - 0.10, "selectivity " + sauce.selectivity() + " vs clean "
                + clean.selectivity());
        assertTrue(sauce.utility() >= clean.utility() - 0.10, "utility " + sauce.utility() + " vs clean " + clean.utility());
        assertTrue(baseline.uq() <= 0.5 * sauce.uq(), "random features reach UQ " + baseline.uq() + " vs " + sauce.uq());
    }

    @Test
    void theGateKeepsImagesWithoutTheConceptAsTheCleanModelAnswersThem(@TempDir Path dir) throws Exception {
        Map<String, Object> gated = settings();
        gated.put("gate", "mse");
        Outcome o = erase(gated, dir);
        // how often the cheap bound alone lets an input without red skip the autoencoder
        ModelManifest.Attachment attachment = lastAttachment;
        EditSpec spec = EditSpec.of(attachment);
        List<VqaItem> others = test.stream().filter(i -> !i.shows("red")).toList();
        Activations acts = Activations.collect(vlm, spec.layer(), spec.positions(), others, manager,
                new SauceRunContext(1, manager));
        Sae sae = SaeFiles.read(dir.resolve(attachment.files().get(0)), spec.variant(), spec.k(), manager);
        int skipped = 0;
        int edited = 0;
        try (NDManager scope = manager.newSubManager()) {
            FeatureEdit edit = new FeatureEdit(sae.on(scope), spec.features(), spec.gamma(), spec.positions(),
                    vlm.visualTokens(), spec.tau());
            for (int i = 0; i < acts.inputs(); i++) {
                NDArray x = scope.create(acts.input(i), new ai.djl.ndarray.types.Shape(1, acts.positions(i), sae.width()));
                skipped += edit.bound(x).getFloat(0) < spec.tau() ? 1 : 0;
                edited += FeatureEdit.score(edit.delta(x)).getFloat(0) >= spec.tau() ? 1 : 0;
            }
        }
        System.out.printf(Locale.ROOT, "[sauce behaviour] gate τ %.4g: of %d inputs without red, %d skip the"
                + " autoencoder by the bound, %d are edited%n", spec.tau(), others.size(), skipped, edited);
        // measured (seed 23 model, 2026-11-26): UQ 1.000, utility 0.911 gated vs 0.865 ungated, clean 0.929
        assertTrue(o.uq() >= 0.8, "unlearning quality with the gate " + o.uq());
        assertTrue(o.utility() >= clean.utility() - 0.05, "utility with the gate " + o.utility() + " vs clean "
                + clean.utility());
    }
}
