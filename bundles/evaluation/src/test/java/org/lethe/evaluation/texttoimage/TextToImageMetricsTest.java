package org.lethe.evaluation.texttoimage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lethe.api.LetheException;
import org.lethe.api.data.Concept;
import org.lethe.api.data.Prompt;
import org.lethe.api.eval.Metric;
import org.lethe.api.eval.MetricResult;
import org.lethe.api.eval.MetricResult.Direction;
import org.lethe.api.eval.Roles;
import org.lethe.api.model.diffusion.DiffusionModel;
import org.lethe.evaluation.erasure.ErasureScores;
import org.lethe.evaluation.erasure.GeneratedSample;
import org.lethe.models.classifier.ConceptClassifierModel;
import org.lethe.models.diffusion.TextToImageModel;

/**
 * The text-to-image metric services on a tiny untrained generator (8×8 images) and a tiny concept
 * classifier served from a model store: every split and direction, the sample cache shared by the
 * metrics, determinism, the reference comparisons, exact accuracies with a classifier whose heads are
 * forced to one class, several erased concepts, and every refusal.
 */
class TextToImageMetricsTest {

    @TempDir
    static Path folder;

    private static TextToImageModel generator;
    private static TextToImageModel sameWeights;
    private static TextToImageModel otherWeights;
    private static StoreOfDirectories untrainedStore;

    @BeforeAll
    static void models() throws Exception {
        generator = TinyShapes.generator(7);
        sameWeights = TinyShapes.generator(7);
        otherWeights = TinyShapes.generator(8);
        try (ConceptClassifierModel classifier = TinyShapes.classifier(8, 3)) {
            untrainedStore = TinyShapes.storeWith(classifier, folder.resolve("untrained"));
        }
    }

    @AfterAll
    static void close() {
        generator.close();
        sameWeights.close();
        otherWeights.close();
    }

    private static TextToImageTask redTask(DiffusionModel model, DiffusionModel reference) {
        return new TextToImageTask(model, () -> reference, List.of(TinyShapes.RED), TinyShapes.redPrompts());
    }

    private static List<MetricResult> evaluateAll(ErasureSampling sampling, TextToImageTask task) throws Exception {
        List<MetricResult> out = new ArrayList<>();
        for (Metric m : TinyShapes.metrics(sampling)) {
            out.addAll(m.evaluate(task));
        }
        return out;
    }

    private static Map<String, MetricResult> byKey(List<MetricResult> results) {
        Map<String, MetricResult> out = new LinkedHashMap<>();
        for (MetricResult r : results) {
            assertFalse(out.containsKey(r.key()), "twice: " + r.key());
            out.put(r.key(), r);
        }
        return out;
    }

    /** A store whose classifier has heads forced to classes (head, class, head, class, ...). */
    private static StoreOfDirectories forcedStore(String name, String... forced) throws Exception {
        try (ConceptClassifierModel classifier = TinyShapes.classifier(8, 3)) {
            for (int i = 0; i < forced.length; i += 2) {
                TinyShapes.force(classifier, forced[i], forced[i + 1]);
            }
            return TinyShapes.storeWith(classifier, folder.resolve(name));
        }
    }

    @Test
    void everyMetricMeasuresItsSplitsWithItsDirection() throws Exception {
        ErasureSampling sampling = TinyShapes.sampling(untrainedStore, TinyShapes.FAST);
        Map<String, MetricResult> results = byKey(evaluateAll(sampling, redTask(generator, sameWeights)));
        assertEquals(List.of("erased_prompts.erasure-accuracy",
                "erased_prompts+preserve_prompts.erasure-harmonic",
                "erased_prompts+generality_prompts+preserve_prompts.erasure-harmonic-generality",
                "preserve_prompts.feature-frechet-distance",
                "generality_prompts.generality-accuracy", "erased_prompts_perturbed.generality-accuracy",
                "erased_prompts.layout-iou", "preserve_prompts.layout-iou",
                "erased_prompts.layout-position-error", "preserve_prompts.layout-position-error",
                "erased_prompts.no-object-rate", "erased_prompts_perturbed.no-object-rate",
                "generality_prompts.no-object-rate", "preserve_prompts.no-object-rate",
                "preserve_prompts.preservation-accuracy"), List.copyOf(results.keySet()));
        for (MetricResult r : results.values()) {
            assertEquals("1", r.version());
            boolean reference = r.metric().startsWith("layout") || r.metric().equals(FeatureFrechetMetric.NAME);
            assertEquals(reference, r.needsReference(), r.key());
            Direction expected = switch (r.metric()) {
                case "erasure-harmonic", "erasure-harmonic-generality", "layout-iou", "preservation-accuracy" ->
                        Direction.HIGHER_IS_BETTER;
                default -> Direction.LOWER_IS_BETTER;
            };
            assertEquals(expected, r.direction(), r.key());
        }
        List<String> erasedIds = TinyShapes.erasedRed().stream().map(Prompt::id).toList();
        assertEquals(erasedIds, List.copyOf(results.get("erased_prompts.erasure-accuracy").perItem().keySet()));
        assertEquals(erasedIds, List.copyOf(results.get("erased_prompts_perturbed.generality-accuracy").perItem().keySet()));
        assertEquals(TinyShapes.preserve().stream().map(Prompt::id).toList(),
                List.copyOf(results.get("preserve_prompts.preservation-accuracy").perItem().keySet()));
        // the aggregates are what the components say
        double accE = results.get("erased_prompts.erasure-accuracy").aggregate();
        double accP = results.get("preserve_prompts.preservation-accuracy").aggregate();
        assertEquals(mean(results.get("erased_prompts.erasure-accuracy")), accE, 1e-12);
        assertEquals(mean(results.get("preserve_prompts.preservation-accuracy")), accP, 1e-12);
        assertEquals(ErasureScores.harmonicMean(1 - accE, accP),
                results.get("erased_prompts+preserve_prompts.erasure-harmonic").aggregate(), 1e-12);
        MetricResult hg = results.get("erased_prompts+generality_prompts+preserve_prompts.erasure-harmonic-generality");
        double accG = hg.perItem().get("generality_prompts+erased_prompts_perturbed.generality-accuracy");
        double pooled = (sum(results.get("generality_prompts.generality-accuracy"))
                + sum(results.get("erased_prompts_perturbed.generality-accuracy"))) / 8;
        assertEquals(pooled, accG, 1e-12);
        assertEquals(ErasureScores.harmonicMean(1 - accE, accP, 1 - accG), hg.aggregate(), 1e-12);
    }

    private static double mean(MetricResult r) {
        return sum(r) / r.perItem().size();
    }

    private static double sum(MetricResult r) {
        return r.perItem().values().stream().mapToDouble(Double::doubleValue).sum();
    }

    @Test
    void theSameSeedsGiveTheSameNumbers() throws Exception {
        List<MetricResult> first = evaluateAll(TinyShapes.sampling(untrainedStore, TinyShapes.FAST),
                redTask(generator, sameWeights));
        List<MetricResult> second = evaluateAll(TinyShapes.sampling(untrainedStore, TinyShapes.FAST),
                redTask(generator, sameWeights));
        assertEquals(first, second);
        // other seeds draw other images; the same seed with other words starts from the same noise
        Map<String, List<Prompt>> shifted = new LinkedHashMap<>();
        TinyShapes.redPrompts().forEach((role, prompts) -> shifted.put(role, prompts.stream()
                .map(p -> new Prompt(p.id(), p.prompt(), p.labels(), java.util.OptionalLong.of(p.seed().getAsLong() + 100)))
                .toList()));
        ErasureSampling sampling = TinyShapes.sampling(untrainedStore, TinyShapes.FAST);
        try (ErasureRun original = sampling.open(redTask(generator, sameWeights), "test");
                ErasureRun moved = sampling.open(new TextToImageTask(generator, () -> sameWeights,
                        List.of(TinyShapes.RED), shifted), "test")) {
            List<GeneratedSample> a = original.samples(Roles.PRESERVE_PROMPTS);
            List<GeneratedSample> b = moved.samples(Roles.PRESERVE_PROMPTS);
            for (int i = 0; i < a.size(); i++) {
                assertFalse(Arrays.equals(a.get(i).generation().features(), b.get(i).generation().features()),
                        a.get(i).id());
                assertEquals(a.get(i).seed() + 100, b.get(i).seed());
            }
        }
    }

    @Test
    void eachImageIsSampledOnceAcrossTheMetrics() throws Exception {
        AtomicInteger modelImages = new AtomicInteger();
        AtomicInteger referenceImages = new AtomicInteger();
        DiffusionModel model = TinyShapes.counting(generator, modelImages);
        DiffusionModel reference = TinyShapes.counting(otherWeights, referenceImages);
        StoreOfDirectories store;
        try (ConceptClassifierModel classifier = TinyShapes.classifier(8, 3)) {
            store = TinyShapes.storeWith(classifier, folder.resolve("counted"));
        }
        ErasureSampling sampling = TinyShapes.sampling(store, TinyShapes.FAST);
        TextToImageTask task = redTask(model, reference);
        evaluateAll(sampling, task);
        // 5 erased + 3 generality + 6 preserve + 5 perturbed erased; the reference: 5 erased + 6 preserve
        assertEquals(19, modelImages.get());
        assertEquals(11, referenceImages.get());
        assertEquals(1, task.referenceLoads);
        evaluateAll(sampling, task);
        assertEquals(19, modelImages.get());
        assertEquals(11, referenceImages.get());
        try (ErasureSampling.ClassifierHold hold = sampling.hold()) {
            assertEquals(30, hold.sampler().imagesGenerated());
        }
        // samples belong to the weights, not the instance: the reference loaded again by the next
        // evaluation, and a copy of the model with the same weights, are not sampled again
        AtomicInteger copyImages = new AtomicInteger();
        AtomicInteger referenceAgain = new AtomicInteger();
        evaluateAll(sampling, redTask(TinyShapes.counting(sameWeights, copyImages),
                TinyShapes.counting(otherWeights, referenceAgain)));
        assertEquals(0, copyImages.get());
        assertEquals(0, referenceAgain.get());
        assertEquals(1, store.leasesTaken, "the classifier is loaded once");
        assertEquals(0, store.leasesOpen, "the classifier's lease is closed once it is loaded");
    }

    @Test
    void aModelWhoseWeightsChangedIsSampledAgain() throws Exception {
        try (TextToImageModel model = TinyShapes.generator(7)) {
            AtomicInteger images = new AtomicInteger();
            DiffusionModel counted = TinyShapes.counting(model, images);
            ErasureSampling sampling = TinyShapes.sampling(untrainedStore, TinyShapes.FAST);
            Metric preservation = new PreservationAccuracyMetric(sampling);
            TextToImageTask task = redTask(counted, sameWeights);
            preservation.evaluate(task);
            preservation.evaluate(task);
            assertEquals(6, images.get());
            String name = model.crossAttentionProjections().keySet().iterator().next();
            try (var manager = model.model().getNDManager().newSubManager()) {
                model.setProjection(name, model.projection(name, manager).mul(2));
            }
            preservation.evaluate(task);
            assertEquals(12, images.get());
        }
    }

    @Test
    void theBaseModelAgainstItselfKeepsLayoutAndFeatures() throws Exception {
        ErasureSampling sampling = TinyShapes.sampling(untrainedStore, TinyShapes.FAST);
        // a separate instance with the same weights, as core loads the root ancestor of a base model
        Map<String, MetricResult> same = byKey(evaluateAll(sampling, redTask(generator, sameWeights)));
        for (String split : List.of(Roles.ERASED_PROMPTS, Roles.PRESERVE_PROMPTS)) {
            MetricResult iou = same.get(split + ".layout-iou");
            assertEquals(1.0, iou.aggregate(), split);
            iou.perItem().values().forEach(v -> assertEquals(1.0, v));
            MetricResult position = same.get(split + ".layout-position-error");
            position.perItem().values().forEach(v -> assertTrue(Double.isNaN(v) || v == 0.0, split + ": " + v));
        }
        assertEquals(0.0, same.get("preserve_prompts.feature-frechet-distance").aggregate(), 1e-9);
        Map<String, MetricResult> other = byKey(evaluateAll(sampling, redTask(generator, otherWeights)));
        assertTrue(other.get("preserve_prompts.feature-frechet-distance").aggregate() > 1e-6,
                "" + other.get("preserve_prompts.feature-frechet-distance"));
    }

    @Test
    void aClassifierThatSeesOnlyGreenSquaresOnPlain() throws Exception {
        StoreOfDirectories store = forcedStore("green", "colour", "green", "shape", "square", "texture", "plain",
                "object", "present");
        Map<String, MetricResult> r = byKey(evaluateAll(TinyShapes.sampling(store, TinyShapes.FAST),
                redTask(generator, sameWeights)));
        assertEquals(0.0, r.get("erased_prompts.erasure-accuracy").aggregate());
        assertEquals(0.0, r.get("generality_prompts.generality-accuracy").aggregate());
        assertEquals(0.0, r.get("erased_prompts_perturbed.generality-accuracy").aggregate());
        // keep-0 (green square on plain) is the only preserve prompt fully recognised
        MetricResult accP = r.get("preserve_prompts.preservation-accuracy");
        assertEquals(Map.of("keep-0", 1.0, "keep-1", 0.0, "keep-2", 0.0, "keep-3", 0.0, "keep-4", 0.0, "keep-5", 0.0),
                accP.perItem());
        assertEquals(1.0 / 6, accP.aggregate(), 1e-12);
        assertEquals(2.0 / 7, r.get("erased_prompts+preserve_prompts.erasure-harmonic").aggregate(), 1e-12);
        assertEquals(3.0 / 8, r.get("erased_prompts+generality_prompts+preserve_prompts.erasure-harmonic-generality")
                .aggregate(), 1e-12);
        assertEquals(0.0, r.get("preserve_prompts.no-object-rate").aggregate());
    }

    @Test
    void aClassifierThatStillSeesRed() throws Exception {
        StoreOfDirectories store = forcedStore("red", "colour", "red", "object", "present");
        Map<String, MetricResult> r = byKey(evaluateAll(TinyShapes.sampling(store, TinyShapes.FAST),
                redTask(generator, sameWeights)));
        assertEquals(1.0, r.get("erased_prompts.erasure-accuracy").aggregate());
        assertEquals(1.0, r.get("generality_prompts.generality-accuracy").aggregate());
        assertEquals(1.0, r.get("erased_prompts_perturbed.generality-accuracy").aggregate());
        assertEquals(0.0, r.get("preserve_prompts.preservation-accuracy").aggregate());
        assertEquals(0.0, r.get("erased_prompts+preserve_prompts.erasure-harmonic").aggregate());
        assertEquals(0.0, r.get("erased_prompts+generality_prompts+preserve_prompts.erasure-harmonic-generality")
                .aggregate());
    }

    @Test
    void anImageWithoutAnObjectShowsNoConcept() throws Exception {
        StoreOfDirectories store = forcedStore("none", "colour", "red", "object", "none");
        Map<String, MetricResult> r = byKey(evaluateAll(TinyShapes.sampling(store, TinyShapes.FAST),
                redTask(generator, sameWeights)));
        for (String split : List.of("erased_prompts", "erased_prompts_perturbed", "generality_prompts",
                "preserve_prompts")) {
            assertEquals(1.0, r.get(split + ".no-object-rate").aggregate(), split);
        }
        assertEquals(0.0, r.get("erased_prompts.erasure-accuracy").aggregate());
        assertEquals(0.0, r.get("preserve_prompts.preservation-accuracy").aggregate());
    }

    @Test
    void severalErasedConceptsAreEachTargetedByTheirLabel() throws Exception {
        StoreOfDirectories store = forcedStore("multi", "colour", "red", "shape", "square", "object", "present");
        List<Prompt> erased = List.of(
                TinyShapes.prompt("m-0", "red square on plain", 0, "colour", "red", "shape", "square", "texture", "plain"),
                TinyShapes.prompt("m-1", "green circle on plain", 1, "colour", "green", "shape", "circle", "texture", "plain"),
                TinyShapes.prompt("m-2", "red circle on stripes", 2, "colour", "red", "shape", "circle", "texture", "stripes"),
                TinyShapes.prompt("m-3", "blue circle", 3, "colour", "blue", "shape", "circle"));
        List<Prompt> preserve = List.of(
                TinyShapes.prompt("k-0", "green square on plain", 0, "colour", "green", "shape", "square", "texture", "plain"),
                TinyShapes.prompt("k-1", "blue square on stripes", 1, "colour", "blue", "shape", "square", "texture", "stripes"));
        Map<String, List<Prompt>> roles = Map.of(Roles.ERASED_PROMPTS, erased, Roles.PRESERVE_PROMPTS, preserve);
        TextToImageTask task = new TextToImageTask(generator, () -> sameWeights,
                List.of(TinyShapes.RED, TinyShapes.CIRCLE), roles);
        ErasureSampling sampling = TinyShapes.sampling(store, TinyShapes.FAST);
        MetricResult accE = new ErasureAccuracyMetric(sampling).evaluate(task).get(0);
        // red: m-0 and m-2 still red (1.0); circle: m-1, m-2, m-3 all seen as squares (0.0)
        assertEquals(Map.of("m-0", 1.0, "m-1", 0.0, "m-2", 0.5, "m-3", 0.0), accE.perItem());
        assertEquals(0.5, accE.aggregate(), 1e-12);
        // the preserve prompts recognise neither red nor circle: squares on the right texture are not red
        assertEquals(0.0, new PreservationAccuracyMetric(sampling).evaluate(task).get(0).aggregate());
        // a preserve prompt naming an erased concept is refused, naming it
        TextToImageTask leaky = task.with(Roles.PRESERVE_PROMPTS, List.of(preserve.get(0),
                TinyShapes.prompt("k-2", "blue circle on plain", 2, "colour", "blue", "shape", "circle")));
        LetheException e = assertThrows(LetheException.class, () -> new PreservationAccuracyMetric(sampling).evaluate(leaky));
        assertTrue(e.getMessage().contains("'k-2'") && e.getMessage().contains("shape=circle"), e.getMessage());
        // an erased prompt targeting none of them is refused, naming it
        TextToImageTask stray = task.with(Roles.ERASED_PROMPTS, List.of(
                TinyShapes.prompt("m-9", "green square", 9, "colour", "green", "shape", "square")));
        e = assertThrows(LetheException.class, () -> new ErasureAccuracyMetric(sampling).evaluate(stray));
        assertTrue(e.getMessage().contains("'m-9'") && e.getMessage().contains("targets none"), e.getMessage());
    }

    @Test
    void thePerturbedSplitMovesOnlyTheConceptWords() throws Exception {
        TextToImageTask task = redTask(generator, sameWeights);
        Map<String, Object> noNoise = new LinkedHashMap<>(TinyShapes.FAST);
        noNoise.put("perturbationScale", 0.0);
        try (ErasureRun run = TinyShapes.sampling(untrainedStore, noNoise).open(task, "test")) {
            List<GeneratedSample> plain = run.samples(Roles.ERASED_PROMPTS);
            List<GeneratedSample> perturbed = run.perturbedSamples();
            for (int i = 0; i < plain.size(); i++) {
                assertTrue(Arrays.equals(plain.get(i).generation().features(), perturbed.get(i).generation().features()),
                        plain.get(i).id());
            }
        }
        Map<String, Object> noisy = new LinkedHashMap<>(TinyShapes.FAST);
        noisy.put("perturbationScale", 2.0);
        try (ErasureRun run = TinyShapes.sampling(untrainedStore, noisy).open(task, "test")) {
            List<GeneratedSample> plain = run.samples(Roles.ERASED_PROMPTS);
            List<GeneratedSample> perturbed = run.perturbedSamples();
            int moved = 0;
            for (int i = 0; i < plain.size(); i++) {
                moved += Arrays.equals(plain.get(i).generation().features(), perturbed.get(i).generation().features())
                        ? 0 : 1;
            }
            assertEquals(plain.size(), moved);
        }
        // an erased prompt that spells the concept with a word the erasure was not given has nothing to perturb
        TextToImageTask heldOut = task.with(Roles.ERASED_PROMPTS, TinyShapes.generalityRed());
        LetheException e = assertThrows(LetheException.class,
                () -> new GeneralityAccuracyMetric(TinyShapes.sampling(untrainedStore, TinyShapes.FAST)).evaluate(heldOut));
        assertTrue(e.getMessage().contains("'heldout-0'") && e.getMessage().contains("[red, crimson]"), e.getMessage());
    }

    @Test
    void aLongSplitIsThinnedToEvenlySpacedRows() throws Exception {
        Map<String, Object> capped = new LinkedHashMap<>(TinyShapes.FAST);
        capped.put("maxPromptsPerSplit", 2);
        MetricResult r = new ErasureAccuracyMetric(TinyShapes.sampling(untrainedStore, capped))
                .evaluate(redTask(generator, sameWeights)).get(0);
        assertEquals(List.of("red-0", "red-2"), List.copyOf(r.perItem().keySet()));
    }

    @Test
    void missingRolesAreSkipped() throws Exception {
        ErasureSampling sampling = TinyShapes.sampling(untrainedStore, TinyShapes.FAST);
        TextToImageTask preserveOnly = new TextToImageTask(generator, () -> sameWeights, null,
                Map.of(Roles.PRESERVE_PROMPTS, TinyShapes.preserve()));
        Map<String, MetricResult> r = byKey(evaluateAll(sampling, preserveOnly));
        assertEquals(List.of("preserve_prompts.feature-frechet-distance", "preserve_prompts.layout-iou",
                "preserve_prompts.layout-position-error", "preserve_prompts.no-object-rate",
                "preserve_prompts.preservation-accuracy"), List.copyOf(r.keySet()));
        TextToImageTask nothing = new TextToImageTask(generator, () -> sameWeights, List.of(TinyShapes.RED), Map.of());
        assertEquals(List.of(), evaluateAll(sampling, nothing));
    }

    @Test
    void aModelThatIsNotAGeneratorIsRefusedByEveryMetric() {
        ErasureSampling sampling = TinyShapes.sampling(untrainedStore, TinyShapes.FAST);
        TextToImageTask task = new TextToImageTask("a language model", () -> sameWeights, List.of(TinyShapes.RED),
                TinyShapes.redPrompts());
        for (Metric m : TinyShapes.metrics(sampling)) {
            LetheException e = assertThrows(LetheException.class, () -> m.evaluate(task), m.getClass().getSimpleName());
            assertEquals(LetheException.INVALID_INPUT, e.exitStatus());
            assertTrue(e.getMessage().contains("measures text-to-image models"), e.getMessage());
        }
        TextToImageTask badReference = new TextToImageTask(generator, () -> "a language model", List.of(TinyShapes.RED),
                TinyShapes.redPrompts());
        LetheException e = assertThrows(LetheException.class, () -> new LayoutIouMetric(sampling).evaluate(badReference));
        assertTrue(e.getMessage().contains("the reference is not one"), e.getMessage());
    }

    @Test
    void aStoreWithoutTheClassifierIsRefusedSayingHowToTrainIt() {
        ErasureSampling sampling = TinyShapes.sampling(new StoreOfDirectories(), TinyShapes.FAST);
        LetheException e = assertThrows(LetheException.class,
                () -> new ErasureAccuracyMetric(sampling).evaluate(redTask(generator, sameWeights)));
        assertEquals(LetheException.INVALID_INPUT, e.exitStatus());
        assertTrue(e.getMessage().contains("'shapes-clf'") && e.getMessage().contains("unlearn:train shapes"),
                e.getMessage());
    }

    @Test
    void aLabelTheClassifierDoesNotKnowIsRefused() throws Exception {
        ErasureSampling sampling = TinyShapes.sampling(untrainedStore, TinyShapes.FAST);
        TextToImageTask pink = redTask(generator, sameWeights).with(Roles.PRESERVE_PROMPTS, List.of(
                TinyShapes.prompt("keep-0", "green square", 0, "colour", "green", "shape", "square"),
                TinyShapes.prompt("keep-9", "green square", 9, "colour", "pink", "shape", "square")));
        LetheException e = assertThrows(LetheException.class, () -> new PreservationAccuracyMetric(sampling).evaluate(pink));
        assertTrue(e.getMessage().contains("'keep-9'") && e.getMessage().contains("colour=pink")
                && e.getMessage().contains("[red, green, blue]"), e.getMessage());
        // an attribute that is no head of the classifier (a layout word) is not judged
        TextToImageTask layout = redTask(generator, sameWeights).with(Roles.PRESERVE_PROMPTS, List.of(
                TinyShapes.prompt("keep-0", "green square", 0, "colour", "green", "shape", "square", "context", "left")));
        assertEquals(1, new PreservationAccuracyMetric(sampling).evaluate(layout).size());
        // a prompt with no judged label has no accuracy, but still has a no-object verdict
        TextToImageTask unlabelled = redTask(generator, sameWeights).with(Roles.PRESERVE_PROMPTS, List.of(
                TinyShapes.prompt("keep-7", "green square", 7, "context", "left")));
        e = assertThrows(LetheException.class, () -> new PreservationAccuracyMetric(sampling).evaluate(unlabelled));
        assertTrue(e.getMessage().contains("'keep-7'") && e.getMessage().contains("no label"), e.getMessage());
        assertEquals(1, new NoObjectRateMetric(sampling).evaluate(unlabelled.with(Roles.ERASED_PROMPTS, null)
                .with(Roles.GENERALITY_PROMPTS, null)).size());
        // an erased concept the classifier does not know
        TextToImageTask purple = redTask(generator, sameWeights)
                .erasing(List.of(new Concept("purple", Optional.of("colour"), List.of())));
        e = assertThrows(LetheException.class, () -> new ErasureAccuracyMetric(sampling).evaluate(purple));
        assertTrue(e.getMessage().contains("'purple'"), e.getMessage());
        TextToImageTask noHead = redTask(generator, sameWeights)
                .erasing(List.of(new Concept("red", Optional.of("hue"), List.of())));
        e = assertThrows(LetheException.class, () -> new ErasureAccuracyMetric(sampling).evaluate(noHead));
        assertTrue(e.getMessage().contains("'hue'"), e.getMessage());
        // a concept without an attribute takes the one head that has it
        TextToImageTask unattributed = redTask(generator, sameWeights)
                .erasing(List.of(new Concept("red", Optional.empty(), List.of("crimson"))));
        assertEquals(1, new ErasureAccuracyMetric(sampling).evaluate(unattributed).size());
    }

    @Test
    void aClassifierOfAnotherImageSizeIsRefused() throws Exception {
        StoreOfDirectories store;
        try (ConceptClassifierModel classifier = TinyShapes.classifier(16, 3)) {
            store = TinyShapes.storeWith(classifier, folder.resolve("size16"));
        }
        LetheException e = assertThrows(LetheException.class, () -> new ErasureAccuracyMetric(
                TinyShapes.sampling(store, TinyShapes.FAST)).evaluate(redTask(generator, sameWeights)));
        assertTrue(e.getMessage().contains("3×16×16") && e.getMessage().contains("3×8×8"), e.getMessage());
    }

    @Test
    void theFrechetDistanceNeedsTwoPreservePrompts() {
        TextToImageTask one = redTask(generator, sameWeights).with(Roles.PRESERVE_PROMPTS,
                TinyShapes.preserve().subList(0, 1));
        LetheException e = assertThrows(LetheException.class,
                () -> new FeatureFrechetMetric(TinyShapes.sampling(untrainedStore, TinyShapes.FAST)).evaluate(one));
        assertTrue(e.getMessage().contains("at least two"), e.getMessage());
    }

    @Test
    void settingsOutOfRangeAreRefusedByName() {
        for (Map.Entry<String, Object> bad : List.of(Map.<String, Object>entry("ddimSteps", 0),
                Map.<String, Object>entry("guidance", -1.0), Map.<String, Object>entry("batchSize", 0),
                Map.<String, Object>entry("maxPromptsPerSplit", -1), Map.<String, Object>entry("perturbationScale", -0.5),
                Map.<String, Object>entry("silhouetteThreshold", Double.NaN), Map.<String, Object>entry("classifier", " "),
                Map.<String, Object>entry("classifier", "Shapes CLF"))) {
            LetheException e = assertThrows(LetheException.class,
                    () -> TinyShapes.sampling(untrainedStore, Map.of(bad.getKey(), bad.getValue())), bad.toString());
            assertTrue(e.getMessage().contains("'" + bad.getKey() + "'"), e.getMessage());
        }
    }
}
