package org.lethe.method.sauce;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lethe.api.LetheException;
import org.lethe.api.data.Concept;
import org.lethe.api.data.VqaItem;
import org.lethe.api.model.Intervention;
import org.lethe.api.model.LoadedModel;
import org.lethe.api.model.ModelManifest;
import org.lethe.api.model.vision.VisionLanguageModel;
import org.lethe.models.vision.VisionLanguageArchitecture;

/**
 * The method and its intervention on a real (untrained) vision-language transformer: what it
 * commits, that the committed edit installs and uninstalls exactly, and its bad inputs.
 */
class SauceTest {

    private static LoadedModel loaded;
    private static VisionLanguageModel vlm;
    private static List<VqaItem> items;
    private static NDManager manager;

    @BeforeAll
    static void setUp() {
        Map<String, String> settings = new HashMap<>();
        settings.put("vocabulary", ShapesQuestions.VOCABULARY);
        settings.put("answers", String.join(" ", ShapesQuestions.ANSWERS));
        loaded = new VisionLanguageArchitecture().create(settings, 17);
        vlm = loaded.view(VisionLanguageModel.class).orElseThrow();
        items = ShapesQuestions.items(60, 5);
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void tearDown() {
        manager.close();
        loaded.close();
    }

    /** Small and fast: a 2× dictionary, one epoch (no minimum step count). */
    static Map<String, Object> small() {
        Map<String, Object> s = new HashMap<>();
        s.put("expansion", 2);
        s.put("sparsityK", 8);
        s.put("epochs", 1);
        s.put("minSteps", 1);
        s.put("batchSize", 256);
        s.put("features", 4);
        s.put("evalInputs", 64);
        return s;
    }

    private static SauceTask task(String concept, Map<String, Object> settings) {
        return new SauceTask(vlm, List.of(new Concept(concept, Optional.of("colour"), List.of())),
                ShapesQuestions.forget(items, "red"), ShapesQuestions.retain(items, "red"), settings);
    }

    private static float[] logits(List<VqaItem> batch) {
        try (NDManager scope = manager.newSubManager()) {
            return vlm.logits(vlm.images(batch.stream().map(VqaItem::image).toList(), scope),
                    batch.stream().map(VqaItem::question).toList(), false).toFloatArray();
        }
    }

    @Test
    void commitsAnInterventionThatInstallsAndUninstallsExactly(@TempDir Path dir) throws Exception {
        Map<String, Object> settings = small();
        settings.put("gate", "mse");
        SauceTask task = task("red", settings);
        try (SauceRunContext run = new SauceRunContext(3, manager)) {
            new Sauce().erase(task, run);
            assertTrue(run.log.stream().anyMatch(l -> l.contains("FVU") && l.contains("mean L0")
                    && l.contains("in the loop")), String.join("\n", run.log));
        }
        assertEquals(1, task.attached.size());
        ModelManifest.Attachment attachment = task.attached.keySet().iterator().next();
        assertEquals(ModelManifest.Attachment.Type.INTERVENTION, attachment.type());
        assertEquals("sauce-red", attachment.name());
        assertEquals(List.of("sauce-red.safetensors"), attachment.files());
        Map<String, String> config = attachment.config();
        assertEquals("sae-feature-edit", config.get(Intervention.ATTACHMENT_KEY));
        assertEquals("fusion.0", config.get("layer"));
        assertEquals("cls+visual", config.get("positions"));
        assertEquals("zero", config.get("mode"));
        assertEquals("mse", config.get("gate"));
        assertFalse(config.get("features").isBlank());
        for (Map.Entry<String, byte[]> f : task.attached.get(attachment).entrySet()) {
            Files.write(dir.resolve(f.getKey()), f.getValue());
        }
        // the weights are untouched, so the model answers as before until the intervention is applied
        List<VqaItem> probe = items.subList(0, 24);
        float[] clean = logits(probe);
        AutoCloseable handle = new SaeFeatureEdit().apply(loaded, attachment, dir);
        float[] edited = logits(probe);
        handle.close();
        assertArrayEquals(clean, logits(probe), 0f);
        assertFalse(java.util.Arrays.equals(clean, edited), "the edit changed nothing");

        // γ = 1 is no edit: bit-identical outputs with the intervention installed
        Map<String, String> identity = new HashMap<>(config);
        identity.put("gamma", "1.0");
        identity.put("gate", "none");
        ModelManifest.Attachment noEdit = new ModelManifest.Attachment(attachment.type(), "identity", attachment.files(),
                identity, true);
        try (AutoCloseable h = new SaeFeatureEdit().apply(loaded, noEdit, dir)) {
            assertArrayEquals(clean, logits(probe), 0f);
        }
    }

    /** small() with featureSelection=adaptive and these adaptive settings. */
    private static Map<String, Object> adaptive(String grid, double target, double retainDrop) {
        Map<String, Object> s = small();
        s.put("featureSelection", "adaptive");
        s.put("featureGrid", grid);
        s.put("targetForgetError", target);
        s.put("maxRetainDrop", retainDrop);
        return s;
    }

    /** Erases with these settings and returns the run's "adaptive k" log line for red. */
    private static String adaptiveLine(SauceTask task) throws Exception {
        try (SauceRunContext run = new SauceRunContext(3, manager)) {
            new Sauce().erase(task, run);
            return run.log.stream().filter(l -> l.startsWith("SAUCE: adaptive k for 'red'")).findFirst()
                    .orElseThrow(() -> new AssertionError(String.join("\n", run.log)));
        }
    }

    @Test
    void adaptiveSelectionTakesTheSmallestGridKThatMeetsTheTargetAndSaysWhy() throws Exception {
        // target 0: the first k of the grid already meets it
        SauceTask task = task("red", adaptive("2,3,6", 0.0, 1.0));
        String line = adaptiveLine(task);
        assertTrue(line.contains("adaptive k 2 (the smallest k reaching the target") && line.contains("tried 2:"), line);
        assertEquals(2, task.attached.keySet().iterator().next().config().get("features").split(",").length);

        // the strictest target and no retain drop allowed: the grid is tried in ascending order until a k meets
        // it, else all of it and the fallback (this untrained model may meet it at once); order does not matter,
        // spaces or (escaped) commas separate
        String hard = adaptiveLine(task("red", adaptive("6 2\\,3", 1.0, 0.0)));
        assertTrue(hard.contains("tried 2:"), hard);
        if (!hard.contains("the smallest k reaching the target")) {
            assertTrue(hard.contains("; 3:") && hard.contains("; 6:"), hard);
            assertTrue(hard.contains("no k reached the target") || hard.contains("no k kept the retain limit"), hard);
        }
    }

    @Test
    void badAdaptiveSettingsAreRejected() {
        Map<String, Object> mode = small();
        mode.put("featureSelection", "auto");
        LetheException m = assertThrows(LetheException.class, () -> new Sauce().erase(task("red", mode),
                new SauceRunContext(3, manager)));
        assertTrue(m.getMessage().contains("'featureSelection'"), m.getMessage());
        Map<String, Object> grid = adaptive("8,x", 0.9, 0.05);
        LetheException g = assertThrows(LetheException.class, () -> new Sauce().erase(task("red", grid),
                new SauceRunContext(3, manager)));
        assertTrue(g.getMessage().contains("'featureGrid'"), g.getMessage());
    }

    @Test
    void aConceptWithNoExamplesIsRejected() {
        SauceTask task = task("purple", small()); // the forget set is red's: no forget question shows purple
        LetheException e = assertThrows(LetheException.class, () -> new Sauce().erase(task, new SauceRunContext(1, manager)));
        assertEquals(LetheException.INVALID_INPUT, e.exitStatus());
        assertTrue(e.getMessage().contains("'purple' has no examples"), e.getMessage());
        assertTrue(task.attached.isEmpty());
    }

    @Test
    void anUnknownLayerIsRejectedListingTheValidOnes() {
        Map<String, Object> settings = small();
        settings.put("layer", "fusion.7");
        LetheException e = assertThrows(LetheException.class, () -> new Sauce().erase(task("red", settings),
                new SauceRunContext(1, manager)));
        assertTrue(e.getMessage().contains("'fusion.7'") && e.getMessage().contains("encoder, fusion.0, fusion.1"),
                e.getMessage());
    }

    @Test
    void kLargerThanTheDictionaryIsRejected() {
        Map<String, Object> settings = small();
        settings.put("sparsityK", 129); // dictionary 2 × 64
        LetheException e = assertThrows(LetheException.class, () -> new Sauce().erase(task("red", settings),
                new SauceRunContext(1, manager)));
        assertTrue(e.getMessage().contains("sparsityK") && e.getMessage().contains("128"), e.getMessage());
        Map<String, Object> features = small();
        features.put("features", 128);
        LetheException f = assertThrows(LetheException.class, () -> new Sauce().erase(task("red", features),
                new SauceRunContext(1, manager)));
        assertTrue(f.getMessage().contains("'features'") && f.getMessage().contains("128"), f.getMessage());
    }

    @Test
    void anAutoencoderOfAnotherWidthIsRejectedNamingFileAndWidths(@TempDir Path dir) throws Exception {
        int width = 32;
        int d = 64;
        Sae narrow = new Sae(Sae.Variant.TOPK, width, d, 4, new float[d * width], new float[d], new float[d * width],
                new float[width]);
        Files.write(dir.resolve("narrow.safetensors"), SaeFiles.write(narrow, manager));
        Map<String, String> config = new EditSpec("fusion.0", Positions.CLS_VISUAL, Sae.Variant.TOPK, 4, new int[] {1, 2},
                0f, false, Float.NaN, "red").config();
        ModelManifest.Attachment attachment = new ModelManifest.Attachment(ModelManifest.Attachment.Type.INTERVENTION,
                "narrow", List.of("narrow.safetensors"), config, true);
        LetheException e = assertThrows(LetheException.class, () -> new SaeFeatureEdit().apply(loaded, attachment, dir));
        assertTrue(e.getMessage().contains("narrow.safetensors") && e.getMessage().contains("width 32")
                && e.getMessage().contains("64 wide"), e.getMessage());
        // and a feature beyond the dictionary, and k beyond it
        Sae wide = new Sae(Sae.Variant.TOPK, 64, d, 4, new float[d * 64], new float[d], new float[d * 64], new float[64]);
        Files.write(dir.resolve("wide.safetensors"), SaeFiles.write(wide, manager));
        Map<String, String> far = new EditSpec("fusion.0", Positions.CLS_VISUAL, Sae.Variant.TOPK, 4, new int[] {64},
                0f, false, Float.NaN, "red").config();
        LetheException g = assertThrows(LetheException.class, () -> new SaeFeatureEdit().apply(loaded,
                new ModelManifest.Attachment(ModelManifest.Attachment.Type.INTERVENTION, "wide", List.of("wide.safetensors"),
                        far, true), dir));
        assertTrue(g.getMessage().contains("feature 64") && g.getMessage().contains("dictionary size 64"), g.getMessage());
        Map<String, String> bigK = new EditSpec("fusion.0", Positions.CLS_VISUAL, Sae.Variant.TOPK, 65, new int[] {1},
                0f, false, Float.NaN, "red").config();
        LetheException k = assertThrows(LetheException.class, () -> new SaeFeatureEdit().apply(loaded,
                new ModelManifest.Attachment(ModelManifest.Attachment.Type.INTERVENTION, "wide", List.of("wide.safetensors"),
                        bigK, true), dir));
        assertTrue(k.getMessage().contains("k 65") && k.getMessage().contains("dictionary of 64"), k.getMessage());
        Map<String, String> layer = new HashMap<>(far);
        layer.put("layer", "decoder.3");
        LetheException l = assertThrows(LetheException.class, () -> new SaeFeatureEdit().apply(loaded,
                new ModelManifest.Attachment(ModelManifest.Attachment.Type.INTERVENTION, "wide", List.of("wide.safetensors"),
                        layer, true), dir));
        assertTrue(l.getMessage().contains("encoder, fusion.0, fusion.1"), l.getMessage());
    }

    @Test
    void severalConceptsAtOnceSelectTheUnionOfTheirFeatures() throws Exception {
        List<VqaItem> forget = new java.util.ArrayList<>(ShapesQuestions.forget(items, "red"));
        forget.addAll(ShapesQuestions.forget(items, "blue"));
        List<VqaItem> retain = items.stream().filter(i -> !forget.contains(i)).toList();
        Map<String, Object> settings = small();
        SauceTask task = new SauceTask(vlm, List.of(new Concept("red", Optional.of("colour"), List.of()),
                new Concept("blue", Optional.of("colour"), List.of())), forget, retain, settings);
        List<String> log;
        try (SauceRunContext run = new SauceRunContext(3, manager)) {
            new Sauce().erase(task, run);
            log = run.log;
        }
        ModelManifest.Attachment attachment = task.attached.keySet().iterator().next();
        assertEquals("sauce-red-blue", attachment.name());
        assertEquals("red,blue", attachment.config().get("concepts"));
        String line = log.stream().filter(l -> l.startsWith("SAUCE: features by")).findFirst().orElseThrow();
        // "red [..]; blue [..]; union n": the union holds every concept's features
        java.util.Set<Integer> union = new java.util.TreeSet<>();
        for (String concept : new String[] {"red", "blue"}) {
            String list = line.substring(line.indexOf(concept + " [") + concept.length() + 2);
            list = list.substring(0, list.indexOf(']'));
            for (String j : list.split(",\\s*")) {
                union.add(Integer.parseInt(j.trim()));
            }
        }
        int[] features = java.util.Arrays.stream(attachment.config().get("features").split(",")).mapToInt(Integer::parseInt)
                .toArray();
        assertArrayEquals(union.stream().mapToInt(Integer::intValue).toArray(), features);
        assertTrue(features.length > 4, "two concepts of 4 features each gave " + features.length);
    }
}
