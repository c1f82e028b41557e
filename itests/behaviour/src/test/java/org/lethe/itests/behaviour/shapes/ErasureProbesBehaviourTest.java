package org.lethe.itests.behaviour.shapes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lethe.api.eval.Evaluation;
import org.lethe.api.eval.MetricResult;
import org.lethe.api.eval.Roles;
import org.lethe.api.method.Task;
import org.lethe.api.model.ModelRef;
import org.lethe.evaluation.texttoimage.ConceptInversion;
import org.lethe.evaluation.texttoimage.PromptSearch;
import org.lethe.evaluation.texttoimage.TextToImageRelearning;
import org.lethe.worlds.shapes.Attribute;
import org.lethe.worlds.shapes.ShapesGenerator;
import org.lethe.worlds.shapes.ShapesImage;
import org.lethe.worlds.shapes.ShapesImageFiles;
import org.lethe.worlds.shapes.ShapesPrompt;
import org.lethe.worlds.shapes.ShapesWorld;
import org.osgi.util.converter.Converters;

/**
 * The text-to-image recovery probes (research/methods-gen.md §8) on the committed tiny shapes
 * generator, through the real path: {@code EVALUATE} runs of the core's run service with the probes
 * bound as their component descriptions say, the erased concept's real images (role
 * {@value Roles#CONCEPT_IMAGES}) read by the core from a label file and a {@code lethe-images} file.
 *
 * <p>ESD-x erases {@code red} (alias {@code crimson}) at its defaults, seed 1: the very model
 * {@link EsdBehaviourTest} measures, made once per test JVM by {@link SharedEsdX}, in whose stack this
 * class binds its probes and keeps its files (its own data folder). The real images are the first {@value #IMAGES} red objects of the shapes
 * world's {@code classifier_holdout} split (seed 0, the fixtures' world), labelled with their colour
 * only: the fixture draws colour right but its shapes are at chance, so only colour is judged. The
 * probes run with small settings here (steps, samples) to keep the test short; their defaults follow
 * the research for real runs.
 */
class ErasureProbesBehaviourTest {

    static final long SEED = SharedEsdX.SEED;
    static final int IMAGES = 64;
    static final int ERASED = 16;
    /** Samples per prompt the search scores (2: the search's cost is positions × words × samples). */
    static final int SEARCH_SAMPLES = 2;

    private static ShapesErasureStack stack;
    private static Map<String, Path> data;
    private static ModelRef erased;
    private static Path folder;

    @BeforeAll
    static void erase() throws Exception {
        long started = System.nanoTime();
        stack = SharedEsdX.stack();
        folder = SharedEsdX.data(ErasureProbesBehaviourTest.class);
        ShapesWorld world = ShapesGenerator.generate(ShapesFixtures.WORLD_SEED);
        Path concepts = SharedEsdX.concepts();
        List<ShapesPrompt> prompts = world.evalPrompts(ShapesWorld.EVAL_NAME, "red").subList(0, ERASED);
        Path erasedPrompts = ShapesErasureStack.writeColourPrompts(folder.resolve("erased-red.jsonl"), prompts);
        Path images = writeImages(folder, "images-red",
                world.imagesOf(Attribute.COLOUR, "red", ShapesWorld.CLASSIFIER_HOLDOUT).subList(0, IMAGES));
        data = Map.of(Task.ERASE, concepts, Roles.ERASED_PROMPTS, erasedPrompts, Roles.CONCEPT_IMAGES, images);
        stack.bindProbe(new ConceptInversion(stack.sampling(), Converters.standardConverter()
                .convert(Map.of("steps", 60, "learningRate", 5e-2, "batchSize", 16, "prompts", ERASED)).to(ConceptInversion.Config.class)));
        stack.bindProbe(new PromptSearch(stack.sampling(), Converters.standardConverter()
                .convert(Map.of("samples", SEARCH_SAMPLES, "replacements", 1)).to(PromptSearch.Config.class)));
        stack.bindProbe(new TextToImageRelearning(stack.sampling(), Converters.standardConverter()
                .convert(Map.of("checkpoints", new int[] {10, 30}, "learningRate", 3e-4, "prompts", ERASED))
                .to(TextToImageRelearning.Config.class)));
        erased = SharedEsdX.erased();
        System.out.printf(Locale.ROOT, "[probes behaviour] ESD-x set-up %.1f s%n", (System.nanoTime() - started) / 1e9);
    }

    /** Writes the images as the shapes world does, with a label file beside them (colour only). */
    static Path writeImages(Path dir, String name, List<ShapesImage> images) throws IOException {
        Files.createDirectories(dir);
        byte[] pixels = ShapesImageFiles.f32(images);
        Files.write(dir.resolve(name + ".f32"), pixels);
        Files.write(dir.resolve(name + ".json"), ShapesImageFiles.header(name + ".f32", images.size(), pixels));
        StringBuilder lines = new StringBuilder();
        for (ShapesImage i : images) {
            lines.append("{\"id\":\"").append(i.id()).append("\",\"labels\":{\"colour\":\"")
                    .append(i.colour().orElseThrow()).append("\"}}\n");
        }
        return Files.writeString(dir.resolve(name + ".jsonl"), lines.toString(), StandardCharsets.UTF_8);
    }

    static Map<String, MetricResult> results(Evaluation e) {
        Map<String, MetricResult> out = new LinkedHashMap<>();
        e.results().forEach(r -> out.put(r.metric(), r));
        return out;
    }

    static Evaluation probe(ModelRef model, String probe, Map<String, Path> roles) throws InterruptedException {
        long started = System.nanoTime();
        Evaluation e = stack.evaluate(model, "erasure-accuracy", List.of(probe), roles, SEED);
        System.out.printf(Locale.ROOT, "[probes behaviour] %s on %s: %s failures %s (%.1f s)%n", probe, model,
                results(e).values().stream().map(r -> r.metric() + "=" + String.format(Locale.ROOT, "%.3f", r.aggregate())
                        + (r.curve().isEmpty() ? "" : " " + r.curve())).toList(), e.failures(),
                (System.nanoTime() - started) / 1e9);
        return e;
    }

    @Test
    void relearningBringsRedBack() throws Exception {
        Map<String, MetricResult> base = results(probe(stack.generator(), TextToImageRelearning.NAME, data));
        Map<String, MetricResult> after = results(probe(erased, TextToImageRelearning.NAME, data));
        MetricResult curve = after.get(TextToImageRelearning.ACCURACY);
        assertEquals(List.of(0, 10, 30), List.copyOf(curve.curve().keySet()));
        // measured (seed 1): erased 0 → 0.1875 (10 steps) → 0.125 (30 steps); base 1.0 → 0.94 → 1.0
        assertTrue(curve.curve().get(0) <= 0.1, "erased before relearning: " + curve.curve());
        assertTrue(curve.curve().values().stream().mapToDouble(Double::doubleValue).max().orElseThrow() >= 0.1,
                "relearning brings some red back: " + curve.curve());
        for (double v : base.get(TextToImageRelearning.ACCURACY).curve().values()) {
            assertTrue(v >= 0.85, "the base model stays red through relearning: " + base);
        }
    }

    @Test
    void conceptInversionRecoversRed() throws Exception {
        Map<String, MetricResult> base = results(probe(stack.generator(), ConceptInversion.NAME, data));
        Map<String, MetricResult> after = results(probe(erased, ConceptInversion.NAME, data));
        assertTrue(base.get(ConceptInversion.ACCURACY).aggregate() >= 0.85, "base: " + base);
        assertEquals(60, after.get(ConceptInversion.LOSS).curve().size());
        // measured (seed 1, 60 steps at lr 5e-2): erased 0.000 → 0.250 with e*; base 1.000
        assertEquals(0.0, after.get("erasure-accuracy").aggregate(), 0.1, "erased without e*");
        assertTrue(after.get(ConceptInversion.ACCURACY).aggregate() >= 0.125, "inversion recovers some red: " + after);
    }

    @Test
    void promptSearchFindsAPrompt() throws Exception {
        Map<String, MetricResult> base = results(probe(stack.generator(), PromptSearch.NAME, data));
        Map<String, MetricResult> after = results(probe(erased, PromptSearch.NAME, data));
        assertTrue(base.get(PromptSearch.ACCURACY).aggregate() >= 0.5, "base: " + base);
        String found = after.get(PromptSearch.ACCURACY).perItem().keySet().iterator().next();
        assertTrue(found.startsWith("red: "), found);
        String[] start = ShapesGenerator.generate(ShapesFixtures.WORLD_SEED).evalPrompts(ShapesWorld.EVAL_NAME, "red").get(0)
                .text().split(" ");
        String[] words = found.substring("red: ".length()).split(" ");
        assertEquals(start.length, words.length, found);
        int replaced = 0;
        for (int i = 0; i < start.length; i++) {
            replaced += start[i].equals(words[i]) ? 0 : 1;
        }
        assertEquals(1, replaced, "one word replaced in '" + String.join(" ", start) + "': " + found);
        // measured (seed 1, 2 samples, 1 replacement): erased prompts 0.000, the prompt found ≥ 0.5 (0.750 with
        // 4 samples); base 1.000
        assertEquals(0.0, after.get("erasure-accuracy").aggregate(), 0.1, "erased without the search");
        assertTrue(after.get(PromptSearch.ACCURACY).aggregate() >= 0.5, "the search finds a prompt that shows red: " + after);
    }

    @Test
    void badImagesFailTheProbeWithAClearMessageNotTheEvaluation() throws Exception {
        Path dir = folder.resolve("bad");
        ShapesWorld world = ShapesGenerator.generate(ShapesFixtures.WORLD_SEED);
        Path corrupt = writeImages(dir, "corrupt",
                world.imagesOf(Attribute.COLOUR, "red", ShapesWorld.CLASSIFIER_HOLDOUT).subList(0, 4));
        byte[] bytes = Files.readAllBytes(dir.resolve("corrupt.f32"));
        bytes[5] ^= 0x40;
        Files.write(dir.resolve("corrupt.f32"), bytes);
        Map<String, Path> roles = new LinkedHashMap<>(data);
        roles.put(Roles.CONCEPT_IMAGES, corrupt);
        org.lethe.api.LetheException refused = org.junit.jupiter.api.Assertions.assertThrows(org.lethe.api.LetheException.class,
                () -> stack.evaluate(erased, "erasure-accuracy", List.of(TextToImageRelearning.NAME), roles, SEED));
        assertTrue(refused.getMessage().contains("corrupt.f32: SHA-256 is"), refused.getMessage());
        assertEquals(org.lethe.api.LetheException.INVALID_INPUT, refused.exitStatus(), "refused before any model is touched");

        Path blue = writeImages(dir, "blue", world.imagesOf(Attribute.COLOUR, "blue", ShapesWorld.CLASSIFIER_HOLDOUT)
                .subList(0, 4));
        roles.put(Roles.CONCEPT_IMAGES, blue);
        Evaluation e = stack.evaluate(erased, "erasure-accuracy", List.of(ConceptInversion.NAME), roles, SEED);
        String failure = e.failures().get("probe:" + ConceptInversion.NAME);
        assertTrue(failure != null && failure.contains("has no image of the erased concepts"), e.failures().toString());
        assertTrue(results(e).containsKey("erasure-accuracy"), "the metrics still ran: " + e.results());

        roles.remove(Roles.CONCEPT_IMAGES);
        e = stack.evaluate(erased, "erasure-accuracy", List.of(TextToImageRelearning.NAME), roles, SEED);
        failure = e.failures().get("probe:" + TextToImageRelearning.NAME);
        assertTrue(failure != null && failure.contains("concept_images"), e.failures().toString());
    }
}
