package org.lethe.worlds.shapes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lethe.api.LetheException;
import org.lethe.api.data.Concept;
import org.lethe.api.data.DataSet;
import org.lethe.api.data.VqaItem;
import org.lethe.api.world.World;
import org.lethe.core.data.JsonlDataService;
import org.lethe.core.run.WorldsRunContexts;
import org.lethe.models.vision.VisionLanguageArchitecture;

/** The shapes-vqa world: materials, questions, splits, files the data service reads, training and its gate. */
class ShapesVqaWorldTest {

    /**
     * SHA-256 over the file names and bytes of {@code ShapesCorpusWriter.render(ShapesGenerator.generate(0,
     * ShapesSpec.SMALL))}, computed with the code before materials existed (commit b2dd99f): the shapes
     * world's files must stay bit-identical.
     */
    private static final String SHAPES_SMALL_SEED_0 = "69fb66ae2b57433ef359bd57543c3617654d5f2b4693cb9ee14a6e0826155a89";

    @Test
    void theShapesWorldIsUnchangedByMaterials() throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        for (Map.Entry<String, byte[]> e : ShapesCorpusWriter.render(ShapesGenerator.generate(0, ShapesSpec.SMALL))
                .entrySet()) {
            digest.update(e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            digest.update(e.getValue());
        }
        assertEquals(SHAPES_SMALL_SEED_0, HexFormat.of().formatHex(digest.digest()));
    }

    @Test
    void materialsShadeTheObjectOnly() {
        long seed = 12345;
        ShapesImage flat = ShapesGenerator.render("a", seed, "red", "square", "stripes", Optional.empty());
        ShapesImage matte = ShapesGenerator.render("a", seed, "red", "square", "stripes", "matte", Optional.empty());
        ShapesImage glossy = ShapesGenerator.render("a", seed, "red", "square", "stripes", "glossy", Optional.empty());
        ShapesImage metallic = ShapesGenerator.render("a", seed, "red", "square", "stripes", "metallic",
                Optional.empty());
        assertArrayEquals(flat.pixels(), matte.pixels(), 0f);
        assertEquals(Optional.of("matte"), matte.material());
        assertEquals(Optional.empty(), flat.material());
        for (ShapesImage shaded : List.of(glossy, metallic)) {
            assertFalse(java.util.Arrays.equals(flat.pixels(), shaded.pixels()), shaded.toString());
            assertArrayEquals(flat.mask(), shaded.mask());
            int changedOutside = 0;
            for (int y = 0; y < 16; y++) {
                for (int x = 0; x < 16; x++) {
                    double d = Math.hypot(x + 0.5 - flat.centreX(), y + 0.5 - flat.centreY());
                    if (d > flat.radius() * 1.3 + 1) {
                        for (int c = 0; c < 3; c++) {
                            changedOutside += flat.pixel(c, y, x) == shaded.pixel(c, y, x) ? 0 : 1;
                        }
                    }
                }
            }
            assertEquals(0, changedOutside, shaded.toString());
        }
        // glossy: the brightest object pixel is near white; metallic: the top is brighter than the bottom
        float top = 0;
        float bottom = 0;
        int cy = (int) metallic.centreY();
        int cx = (int) metallic.centreX();
        top = metallic.pixel(0, cy - 2, cx);
        bottom = metallic.pixel(0, cy + 2, cx);
        assertTrue(top > bottom + 0.2f, top + " vs " + bottom);
        float brightestBlue = 0;
        boolean[] mask = glossy.mask();
        for (int i = 0; i < mask.length; i++) {
            if (mask[i]) {
                brightestBlue = Math.max(brightestBlue, glossy.pixel(2, i / 16, i % 16));
            }
        }
        assertTrue(brightestBlue > 0.6f, "glossy highlight " + brightestBlue);
        assertThrows(IllegalArgumentException.class, () -> ShapesGenerator.render("a", 1, "red", "square", "plain",
                "velvet", Optional.empty()));
    }

    @Test
    void questionsTemplatesParaphrasesAndAnswers() {
        assertEquals(List.of("red", "green", "blue", "yellow", "purple", "orange", "circle", "square", "triangle",
                "cross", "plain", "stripes", "dots", "matte", "glossy", "metallic", "yes", "no"), ShapesVqa.ANSWERS);
        List<String> vocabulary = ShapesVqa.vocabulary();
        assertFalse(vocabulary.contains(ShapesVlmTraining.DROPPED));
        Set<String> templates = new HashSet<>();
        for (String attribute : ShapesVqa.ATTRIBUTES) {
            assertTrue(ShapesVqa.TEMPLATES.get(attribute).size() >= 3, attribute);
            assertTrue(ShapesVqa.PARAPHRASES.get(attribute).size() >= 2, attribute);
            assertTrue(ShapesVqa.YES_NO.get(attribute).size() >= 1, attribute);
            templates.addAll(ShapesVqa.TEMPLATES.get(attribute));
            for (String v : ShapesVqa.values(attribute)) {
                assertTrue(vocabulary.contains(v), v);
                for (int f = 0; f < ShapesVqa.YES_NO.get(attribute).size(); f++) {
                    assertTrue(ShapesVqa.words(ShapesVqa.yesNo(attribute, v, f)).size() <= ShapesVqa.MAX_WORDS);
                }
            }
        }
        for (String attribute : ShapesVqa.ATTRIBUTES) {
            for (String p : ShapesVqa.PARAPHRASES.get(attribute)) {
                assertFalse(templates.contains(p), p);
                assertTrue(ShapesVqa.words(p).size() <= ShapesVqa.MAX_WORDS, p);
            }
            for (String t : ShapesVqa.TEMPLATES.get(attribute)) {
                assertTrue(ShapesVqa.words(t).size() <= ShapesVqa.MAX_WORDS, t);
            }
        }
        assertEquals(16, ShapesVqa.concepts().size());
        assertEquals(new Concept("metallic", Optional.of("material"), List.of()), ShapesVqa.concepts().get(15));
    }

    @Test
    void theSplitsHaveTheContractsSizesAndForms() {
        ShapesVqaWorld world = ShapesVqaWorld.generate(3);
        assertTrue(world.trainImages().size() >= 2048, "" + world.trainImages().size());
        assertTrue(world.holdoutImages().size() >= 512, "" + world.holdoutImages().size());
        assertEquals(4 * world.trainImages().size(), world.train().size());
        assertEquals(16 * world.holdoutImages().size(), world.holdout().size());
        Set<Long> trainSeeds = new HashSet<>();
        world.trainImages().forEach(i -> trainSeeds.add(i.seed()));
        world.holdoutImages().forEach(i -> assertFalse(trainSeeds.contains(i.seed()), i.toString()));
        // balanced: every combination equally often in train
        Map<String, Integer> combos = new HashMap<>();
        world.trainImages().forEach(i -> combos.merge(ShapesVqa.ATTRIBUTES.stream()
                .map(a -> ShapesVqaWorld.label(i, a)).toList().toString(), 1, Integer::sum));
        assertEquals(216, combos.size());
        assertEquals(Set.of(ShapesVqaWorld.DEFAULT_TRAIN_PER_COMBINATION), new HashSet<>(combos.values()));
        for (VqaItem item : world.train()) {
            assertEquals(VqaItem.TEMPLATE, item.form());
            assertTrue(ShapesVqa.TEMPLATES.get(item.attribute()).contains(item.question()), item.question());
            assertEquals(item.image().labels().get(item.attribute()), item.answer());
        }
        Map<String, Integer> forms = new HashMap<>();
        int yes = 0;
        for (VqaItem item : world.holdout()) {
            forms.merge(item.form(), 1, Integer::sum);
            switch (item.form()) {
                case VqaItem.PARAPHRASE -> {
                    assertTrue(ShapesVqa.PARAPHRASES.get(item.attribute()).contains(item.question()));
                    assertEquals(item.image().labels().get(item.attribute()), item.answer());
                }
                case VqaItem.YES_NO -> {
                    boolean asksTrue = ShapesVqa.words(item.question()).contains(item.image().labels()
                            .get(item.attribute()));
                    assertEquals(asksTrue ? "yes" : "no", item.answer(), item.question());
                    yes += asksTrue ? 1 : 0;
                }
                default -> assertEquals(item.image().labels().get(item.attribute()), item.answer());
            }
        }
        int n = world.holdoutImages().size() * 4;
        assertEquals(Map.of(VqaItem.TEMPLATE, n, VqaItem.PARAPHRASE, n, VqaItem.YES_NO, 2 * n), forms);
        assertEquals(n, yes);
        assertEquals(ShapesVqaWriter.render(world).keySet(), ShapesVqaWriter.render(ShapesVqaWorld.generate(3)).keySet());
    }

    @Test
    void aSeedGivesTheSameFiles() {
        Map<String, byte[]> a = ShapesVqaWriter.render(ShapesVqaWorld.generate(5, 1, 1));
        Map<String, byte[]> b = ShapesVqaWriter.render(ShapesVqaWorld.generate(5, 1, 1));
        Map<String, byte[]> c = ShapesVqaWriter.render(ShapesVqaWorld.generate(6, 1, 1));
        assertEquals(a.keySet(), b.keySet());
        a.forEach((name, bytes) -> assertArrayEquals(bytes, b.get(name), name));
        assertFalse(java.util.Arrays.equals(a.get("vqa/train.images.f32"), c.get("vqa/train.images.f32")));
    }

    @Test
    void theFilesReadBackThroughTheDataService(@TempDir Path dir) {
        ShapesVqaWorld world = ShapesVqaWorld.generate(7, 1, 1);
        List<Path> written = ShapesVqaWriter.write(world, dir);
        assertEquals(dir.resolve(ShapesCorpusWriter.MANIFEST), written.get(written.size() - 1));
        JsonlDataService data = new JsonlDataService();
        for (String split : List.of(ShapesVqaWorld.TRAIN, ShapesVqaWorld.HOLDOUT)) {
            DataSet<VqaItem> read = data.readVqa(dir.resolve(ShapesVqaWriter.questionFile(split)));
            assertEquals(world.questions(split), read.items(), split);
        }
        assertEquals(ShapesVqa.concepts(), data.readConcepts(dir.resolve(ShapesCorpusWriter.CONCEPTS)).items());
        assertTrue(Files.isRegularFile(dir.resolve("vqa/holdout.images.f32")));
    }

    private static ShapesVqaWorldService service(Map<String, Object> overrides) throws ReflectiveOperationException {
        ShapesVqaWorldService.Config config = (ShapesVqaWorldService.Config) Proxy.newProxyInstance(
                ShapesVqaWorldService.Config.class.getClassLoader(), new Class<?>[] {ShapesVqaWorldService.Config.class},
                (proxy, method, args) -> overrides.containsKey(method.getName()) ? overrides.get(method.getName())
                        : method.getDefaultValue());
        ShapesVqaWorldService service = new ShapesVqaWorldService();
        java.lang.reflect.Field f = ShapesVqaWorldService.class.getDeclaredField("architecture");
        f.setAccessible(true);
        f.set(service, new VisionLanguageArchitecture());
        service.configure(config);
        return service;
    }

    @Test
    void aShortTrainingWritesTheWorldAndTheModel(@TempDir Path dir) throws Exception {
        ShapesVqaWorldService service = service(Map.of("steps", 20, "batchSize", 32, "trainPerCombination", 1,
                "holdoutPerCombination", 1, "gateTemplate", 0.0, "gateParaphrase", 0.0));
        assertEquals(List.of("shapes-vlm"), service.models());
        assertEquals(List.of("train", "holdout", "concepts"), service.splits());
        List<String> log = new ArrayList<>();
        try (NDManager manager = NDManager.newBaseManager()) {
            List<World.TrainedModel> trained = service.train((Path) null, dir, WorldsRunContexts.context(1, manager, log));
            assertEquals(1, trained.size());
            assertEquals("shapes-vlm", trained.get(0).id());
            assertEquals(VisionLanguageArchitecture.NAME, trained.get(0).architecture());
            assertTrue(Files.isRegularFile(trained.get(0).files().resolve("weights.safetensors")));
            assertTrue(Files.isRegularFile(dir.resolve("data/vqa/train.jsonl")));
            assertTrue(log.stream().anyMatch(l -> l.contains("on the holdout split")), log.toString());
        }
    }

    @Test
    void belowTheGateTheRunFailsNamingTheNumbers(@TempDir Path dir) throws Exception {
        ShapesVqaWorldService service = service(Map.of("steps", 5, "batchSize", 16, "trainPerCombination", 1,
                "holdoutPerCombination", 1));
        try (NDManager manager = NDManager.newBaseManager()) {
            LetheException e = assertThrows(LetheException.class, () -> service.train((Path) null, dir,
                    WorldsRunContexts.context(2, manager, new ArrayList<>())));
            assertEquals(LetheException.FAILED, e.exitStatus());
            assertTrue(e.getMessage().contains("templates 0.") && e.getMessage().contains("< 0.97"), e.getMessage());
        }
        LetheException corpus = assertThrows(LetheException.class, () -> service.train(dir, dir, null));
        assertEquals(LetheException.INVALID_INPUT, corpus.exitStatus());
    }
}
