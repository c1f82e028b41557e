package org.lethe.evaluation.texttoimage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lethe.api.LetheException;
import org.lethe.api.data.LabelledImage;
import org.lethe.api.data.Prompt;
import org.lethe.api.eval.MetricResult;
import org.lethe.api.eval.Probe;
import org.lethe.api.eval.Roles;
import org.lethe.api.model.diffusion.DiffusionModel;
import org.lethe.evaluation.erasure.GeneratedSample;
import org.lethe.evaluation.probes.TestRunContext;
import org.lethe.models.classifier.ConceptClassifierModel;
import org.lethe.models.diffusion.TextToImageModel;

/**
 * The text-to-image recovery probes ({@link ConceptInversion}, {@link PromptSearch},
 * {@link TextToImageRelearning}) on a tiny untrained generator (8×8 images) and an untrained
 * classifier: what each may change in the task's model, what it reports, determinism by the run's
 * seed, and every refusal. The run context's loop is core's ({@link TestRunContext#trainerFree}):
 * frozen parameters stay frozen.
 */
class TextToImageProbesTest {

    @TempDir
    static Path folder;

    private static StoreOfDirectories store;

    @BeforeAll
    static void classifier() throws Exception {
        try (ConceptClassifierModel classifier = TinyShapes.classifier(8, 3)) {
            store = TinyShapes.storeWith(classifier, folder.resolve("classifier"));
        }
    }

    @AfterAll
    static void nothingLeft() {
        assertEquals(0, store.leasesOpen, "a probe left the classifier's lease open");
    }

    /** Images of one colour (the channel of the colour bright, noise elsewhere), labelled with it. */
    static List<LabelledImage> images(String colour, int channel, int count, long seed) {
        Random random = new Random(seed);
        List<LabelledImage> out = new ArrayList<>();
        for (int n = 0; n < count; n++) {
            float[] pixels = new float[3 * 8 * 8];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = i / 64 == channel ? 0.8f + 0.2f * random.nextFloat() : 0.2f * random.nextFloat();
            }
            out.add(new LabelledImage(colour + "-" + n, Map.of("colour", colour), 3, 8, 8, pixels));
        }
        return out;
    }

    /** The red task over a model, with 8 red images; its reference must never be loaded. */
    static TextToImageTask redTask(DiffusionModel model) {
        return new TextToImageTask(model, () -> {
            throw new AssertionError("a probe loaded the reference");
        }, List.of(TinyShapes.RED), TinyShapes.redPrompts()).withImages(Roles.CONCEPT_IMAGES, images("red", 0, 8, 5));
    }

    static Map<String, MetricResult> run(Probe probe, TextToImageTask task, long seed, NDManager manager)
            throws Exception {
        try (TestRunContext run = TestRunContext.trainerFree(seed, manager)) {
            Map<String, MetricResult> out = new LinkedHashMap<>();
            for (MetricResult r : probe.probe(task, run)) {
                assertFalse(out.containsKey(r.metric()), "twice: " + r.metric());
                out.put(r.metric(), r);
            }
            return out;
        }
    }

    /**
     * Every parameter's values, by name ({@link Arrays#equals(float[], float[])} compares them bit for
     * bit, but for NaN payloads).
     */
    static Map<String, float[]> bits(DiffusionModel model) {
        Map<String, float[]> out = new LinkedHashMap<>();
        model.parameters().forEach((name, p) -> out.put(name, p.getArray().toFloatArray()));
        return out;
    }

    static List<String> changed(Map<String, float[]> before, Map<String, float[]> after) {
        assertEquals(before.keySet(), after.keySet());
        return before.keySet().stream().filter(n -> !Arrays.equals(before.get(n), after.get(n))).toList();
    }

    static ConceptInversion inversion(ErasureSampling sampling, Map<String, Object> settings) {
        return new ConceptInversion(sampling, TinyShapes.settings(ConceptInversion.Config.class, settings));
    }

    static PromptSearch search(ErasureSampling sampling, Map<String, Object> settings) {
        return new PromptSearch(sampling, TinyShapes.settings(PromptSearch.Config.class, settings));
    }

    static TextToImageRelearning relearning(ErasureSampling sampling, Map<String, Object> settings) {
        return new TextToImageRelearning(sampling, TinyShapes.settings(TextToImageRelearning.Config.class, settings));
    }

    static final Map<String, Object> INVERSION = Map.of("steps", 40, "learningRate", 0.5, "batchSize", 8, "prompts", 0);

    @Test
    void conceptInversionLearnsOnlyItsVectorAndItsLossFalls() throws Exception {
        try (TextToImageModel generator = TinyShapes.generator(7)) {
            Map<String, float[]> before = bits(generator);
            Map<String, MetricResult> results = run(inversion(TinyShapes.sampling(store, TinyShapes.FAST), INVERSION),
                    redTask(generator), 1, generator.model().getNDManager());
            assertEquals(List.of(), changed(before, bits(generator)), "the inversion changed the model's weights");

            assertEquals(Set.of(ConceptInversion.ACCURACY, ConceptInversion.LOSS), results.keySet());
            MetricResult loss = results.get(ConceptInversion.LOSS);
            List<Integer> steps = new ArrayList<>();
            for (int s = 1; s <= 40; s++) {
                steps.add(s);
            }
            assertEquals(steps, List.copyOf(loss.curve().keySet()));
            assertEquals(loss.curve().get(40), loss.aggregate(), 1e-12);
            // the same seed draws the same batches, timesteps and noise: against a run whose e* barely moves
            // (learning rate 1e-12), the loss of the learned e* is lower on the same draws
            Map<String, Object> still = new LinkedHashMap<>(INVERSION);
            still.put("learningRate", 1e-12);
            MetricResult flat = run(inversion(TinyShapes.sampling(store, TinyShapes.FAST), still), redTask(generator), 1,
                    generator.model().getNDManager()).get(ConceptInversion.LOSS);
            assertEquals(flat.curve().get(1), loss.curve().get(1), 1e-6, "both start from the same e*");
            double gain = 0;
            for (int s = 31; s <= 40; s++) {
                gain += (flat.curve().get(s) - loss.curve().get(s)) / 10;
            }
            assertTrue(gain > 0.01, "learning e* does not lower the denoising loss on the same draws (mean gain over the"
                    + " last 10 steps " + gain + "): learned " + loss.curve() + ", still " + flat.curve());

            MetricResult accuracy = results.get(ConceptInversion.ACCURACY);
            assertEquals(Roles.ERASED_PROMPTS, accuracy.split());
            assertEquals(TinyShapes.erasedRed().size(), accuracy.perItem().size(), accuracy.perItem().toString());
            double mean = accuracy.perItem().values().stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            assertEquals(mean, accuracy.aggregate(), 1e-12);
        }
    }

    @Test
    void conceptInversionIsDeterministicBySeed() throws Exception {
        try (TextToImageModel generator = TinyShapes.generator(7)) {
            ErasureSampling sampling = TinyShapes.sampling(store, TinyShapes.FAST);
            Map<String, Object> settings = Map.of("steps", 8, "learningRate", 5e-2, "batchSize", 4, "prompts", 0);
            NDManager manager = generator.model().getNDManager();
            Map<String, MetricResult> a = run(inversion(sampling, settings), redTask(generator), 3, manager);
            Map<String, MetricResult> b = run(inversion(sampling, settings), redTask(generator), 3, manager);
            Map<String, MetricResult> c = run(inversion(sampling, settings), redTask(generator), 4, manager);
            assertEquals(a.get(ConceptInversion.LOSS).curve(), b.get(ConceptInversion.LOSS).curve());
            assertEquals(a.get(ConceptInversion.ACCURACY).perItem(), b.get(ConceptInversion.ACCURACY).perItem());
            assertNotEquals(a.get(ConceptInversion.LOSS).curve(), c.get(ConceptInversion.LOSS).curve(),
                    "another seed draws other batches, noise and timesteps");
        }
    }

    /**
     * With red and circle erased together, red's e* replaces only red's own words (red, crimson): its
     * inversion is the one of a task erasing red alone, step for step, though circle stands in the
     * same prompts.
     */
    @Test
    void conceptInversionSwapsOnlyTheConceptsOwnWords() throws Exception {
        try (TextToImageModel generator = TinyShapes.generator(7)) {
            ErasureSampling sampling = TinyShapes.sampling(store, TinyShapes.FAST);
            List<LabelledImage> images = new ArrayList<>(images("red", 0, 8, 5));
            images("circle", 1, 4, 6).forEach(i -> images.add(new LabelledImage("circle-" + i.id(),
                    Map.of("shape", "circle"), 3, 8, 8, i.pixels())));
            Map<String, Object> settings = Map.of("steps", 6, "learningRate", 5e-2, "batchSize", 4, "prompts", 0);
            NDManager manager = generator.model().getNDManager();
            Map<String, MetricResult> both = run(inversion(sampling, settings), new TextToImageTask(generator, () -> null,
                    List.of(TinyShapes.RED, TinyShapes.CIRCLE), TinyShapes.redPrompts())
                    .withImages(Roles.CONCEPT_IMAGES, images), 2, manager);
            Map<String, MetricResult> alone = run(inversion(sampling, settings), new TextToImageTask(generator, () -> null,
                    List.of(TinyShapes.RED), TinyShapes.redPrompts()).withImages(Roles.CONCEPT_IMAGES, images), 2, manager);
            assertEquals(12, both.get(ConceptInversion.LOSS).curve().size(), "6 steps per concept");
            assertEquals(alone.get(ConceptInversion.LOSS).curve(), both.get(ConceptInversion.LOSS).curve().headMap(7),
                    "red's inversion changed because circle was erased beside it");
        }
    }

    @Test
    void promptSearchReturnsTheBestPromptItTriedWithinTheAllowedReplacements() throws Exception {
        try (TextToImageModel generator = TinyShapes.generator(7)) {
            ErasureSampling sampling = TinyShapes.sampling(store, TinyShapes.FAST);
            TextToImageTask task = redTask(generator);
            Map<String, float[]> before = bits(generator);
            Map<String, MetricResult> results = run(search(sampling, Map.of("samples", 2, "replacements", 1)), task, 1,
                    generator.model().getNDManager());
            assertEquals(List.of(), changed(before, bits(generator)), "the search changed the model");
            assertEquals(Set.of(PromptSearch.ACCURACY, PromptSearch.PROBABILITY), results.keySet());
            MetricResult accuracy = results.get(PromptSearch.ACCURACY);
            assertEquals(1, accuracy.perItem().size(), accuracy.perItem().toString());
            String key = accuracy.perItem().keySet().iterator().next();
            assertTrue(key.startsWith("red: "), key);
            String[] found = key.substring("red: ".length()).split(" ");
            String[] start = TinyShapes.erasedRed().get(0).prompt().split(" ");
            assertEquals(start.length, found.length, key);
            TreeSet<String> vocabulary = new TreeSet<>(Arrays.asList(TinyShapes.GENERATOR.get("vocabulary").split(" ")));
            for (String w : found) {
                assertTrue(vocabulary.contains(w), "'" + w + "' is not a word of the task: " + key);
            }
            assertTrue(differences(start, found) <= 1, key);
            assertEquals(accuracy.perItem().get(key), accuracy.aggregate(), 1e-12);

            // every prompt it could have tried: the start and each one-word replacement
            long[] seeds = {0, 1};
            Map<String, Double> tried = new LinkedHashMap<>();
            tried.put(String.join(" ", start), probability(sampling, task, start, seeds));
            for (int i = 0; i < start.length; i++) {
                for (String w : vocabulary) {
                    String[] words = start.clone();
                    words[i] = w;
                    tried.putIfAbsent(String.join(" ", words), probability(sampling, task, words, seeds));
                }
            }
            double best = tried.values().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
            assertTrue(new TreeSet<>(tried.values()).size() > 1, "every candidate scores alike: " + tried);
            double reported = results.get(PromptSearch.PROBABILITY).aggregate();
            assertEquals(best, reported, 1e-9, "not the best of " + tried);
            assertEquals(tried.get(String.join(" ", found)), reported, 1e-9, "the probability is not the found prompt's");

            Map<String, MetricResult> two = run(search(sampling, Map.of("samples", 2, "replacements", 2)), task, 1,
                    generator.model().getNDManager());
            String key2 = two.get(PromptSearch.ACCURACY).perItem().keySet().iterator().next();
            assertTrue(differences(start, key2.substring("red: ".length()).split(" ")) <= 2, key2);
            assertTrue(two.get(PromptSearch.PROBABILITY).aggregate() >= reported - 1e-12,
                    "a second round never lowers the probability: " + key2);
        }
    }

    private static int differences(String[] a, String[] b) {
        int d = 0;
        for (int i = 0; i < a.length; i++) {
            d += a[i].equals(b[i]) ? 0 : 1;
        }
        return d;
    }

    /** The classifier's mean P(red) over the samples of some words, one per seed (an object-less sample: 0). */
    private static double probability(ErasureSampling sampling, TextToImageTask task, String[] words, long[] seeds) {
        try (ErasureRun erasure = sampling.open(task, "oracle")) {
            Prompt start = TinyShapes.erasedRed().get(0);
            List<Prompt> prompts = new ArrayList<>();
            for (int i = 0; i < seeds.length; i++) {
                prompts.add(new Prompt("oracle#" + i, String.join(" ", words), start.labels(), OptionalLong.of(seeds[i])));
            }
            int red = erasure.sampler().classifier().classes("colour").indexOf("red");
            double p = 0;
            for (GeneratedSample s : erasure.sampler().samples(erasure.model(), "oracle", prompts, seeds)) {
                p += s.generation().noObject() ? 0 : s.generation().probabilities().get("colour")[red];
            }
            return p / seeds.length;
        }
    }

    @Test
    void relearningChangesOnlyItsGroupAndReportsTheConfiguredCurve() throws Exception {
        try (TextToImageModel generator = TinyShapes.generator(7)) {
            Map<String, float[]> before = bits(generator);
            Map<String, MetricResult> results = run(relearning(TinyShapes.sampling(store, TinyShapes.FAST),
                    Map.of("checkpoints", new int[] {2, 5}, "learningRate", 1e-2, "batchSize", 4, "prompts", 0,
                            "group", DiffusionModel.GROUP_CROSS_ATTENTION)), redTask(generator), 1,
                    generator.model().getNDManager());
            List<String> group = generator.parameterGroup(DiffusionModel.GROUP_CROSS_ATTENTION);
            List<String> changed = changed(before, bits(generator));
            assertFalse(changed.isEmpty(), "relearning changed nothing");
            assertEquals(List.of(), changed.stream().filter(n -> !group.contains(n)).toList(),
                    "relearning changed parameters outside " + DiffusionModel.GROUP_CROSS_ATTENTION);

            assertEquals(Set.of(TextToImageRelearning.ACCURACY, TextToImageRelearning.GAIN), results.keySet());
            MetricResult curve = results.get(TextToImageRelearning.ACCURACY);
            assertEquals(List.of(0, 2, 5), List.copyOf(curve.curve().keySet()));
            assertEquals(curve.curve().get(5), curve.aggregate(), 1e-12);
            assertEquals(TinyShapes.erasedRed().size(), curve.perItem().size());
            assertEquals(curve.curve().get(5) - curve.curve().get(0),
                    results.get(TextToImageRelearning.GAIN).aggregate(), 1e-12);
            for (double v : curve.curve().values()) {
                assertTrue(v >= 0 && v <= 1, curve.curve().toString());
            }
        }
    }

    @Test
    void badSettingsAreRefusedNamingTheSetting() {
        ErasureSampling sampling = TinyShapes.sampling(store, TinyShapes.FAST);
        Map<String, Function<Map<String, Object>, Probe>> probes = Map.of(
                "steps", s -> inversion(sampling, s),
                "learningRate", s -> inversion(sampling, s),
                "samples", s -> search(sampling, s),
                "replacements", s -> search(sampling, s),
                "batchSize", s -> relearning(sampling, s));
        Map<String, Object> bad = Map.of("steps", 0, "learningRate", -1.0, "samples", 0, "replacements", 0,
                "batchSize", 0);
        probes.forEach((setting, make) -> {
            LetheException e = assertThrows(LetheException.class, () -> make.apply(Map.of(setting, bad.get(setting))));
            assertEquals(LetheException.INVALID_INPUT, e.exitStatus());
            assertTrue(e.getMessage().contains("'" + setting + "'"), e.getMessage());
        });
        for (int[] checkpoints : List.of(new int[] {}, new int[] {0, 3}, new int[] {5, 3})) {
            LetheException e = assertThrows(LetheException.class,
                    () -> relearning(sampling, Map.of("checkpoints", checkpoints)));
            assertTrue(e.getMessage().contains("'checkpoints'") && e.getMessage().contains(Arrays.toString(checkpoints)),
                    e.getMessage());
        }
        LetheException nan = assertThrows(LetheException.class,
                () -> relearning(sampling, Map.of("learningRate", Double.NaN)));
        assertTrue(nan.getMessage().contains("'learningRate'"), nan.getMessage());
    }

    @Test
    void missingImagesOrPromptsAndImagesOfAnotherConceptFailWithClearMessages() throws Exception {
        try (TextToImageModel generator = TinyShapes.generator(7)) {
            ErasureSampling sampling = TinyShapes.sampling(store, TinyShapes.FAST);
            NDManager manager = generator.model().getNDManager();
            Map<String, float[]> before = bits(generator);
            List<Probe> learning = List.of(inversion(sampling, INVERSION),
                    relearning(sampling, Map.of("checkpoints", new int[] {1})));
            TextToImageTask noImages = new TextToImageTask(generator, () -> null, List.of(TinyShapes.RED),
                    TinyShapes.redPrompts());
            TextToImageTask blue = new TextToImageTask(generator, () -> null, List.of(TinyShapes.RED),
                    TinyShapes.redPrompts()).withImages(Roles.CONCEPT_IMAGES, images("blue", 2, 4, 5));
            for (Probe probe : learning) {
                String name = probe.getClass().getSimpleName();
                LetheException missing = assertThrows(LetheException.class, () -> run(probe, noImages, 1, manager));
                assertEquals(LetheException.INVALID_INPUT, missing.exitStatus());
                assertTrue(missing.getMessage().contains("'" + Roles.CONCEPT_IMAGES + "'"), name + ": " + missing.getMessage());
                LetheException other = assertThrows(LetheException.class, () -> run(probe, blue, 1, manager));
                assertTrue(other.getMessage().contains("has no image of the erased concepts"), name + ": " + other.getMessage());
            }
            TextToImageTask noPrompts = redTask(generator).with(Roles.ERASED_PROMPTS, null)
                    .withImages(Roles.CONCEPT_IMAGES, images("red", 0, 4, 5));
            for (Probe probe : List.of(learning.get(0), learning.get(1), search(sampling, Map.of()))) {
                LetheException e = assertThrows(LetheException.class, () -> run(probe, noPrompts, 1, manager));
                assertTrue(e.getMessage().contains("'" + Roles.ERASED_PROMPTS + "'"), e.getMessage());
            }
            LetheException group = assertThrows(LetheException.class, () -> run(relearning(sampling,
                    Map.of("checkpoints", new int[] {1}, "group", "nope")), redTask(generator), 1, manager));
            assertTrue(group.getMessage().contains("'nope' is not a parameter group"), group.getMessage());
            assertEquals(List.of(), changed(before, bits(generator)), "a refused probe changed the model");
        }
    }
}
