package org.lethe.worlds.shapes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lethe.api.data.Concept;
import org.lethe.api.data.DataSet;
import org.lethe.core.data.JsonlDataService;

/** Writing the world as a folder and reading it back: contract files, prompts, images, labels, manifest. */
class ShapesCorpusWriterTest {

    private static final ShapesWorld W = ShapesGenerator.generate(5, ShapesSpec.SMALL);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final JsonlDataService data = new JsonlDataService();

    @Test
    void theSameSeedWritesTheSameBytesAndAnotherSeedOthers(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        Path c = dir.resolve("c");
        List<Path> written = ShapesCorpusWriter.write(ShapesGenerator.generate(5, ShapesSpec.SMALL), a);
        ShapesCorpusWriter.write(ShapesGenerator.generate(5, ShapesSpec.SMALL), b);
        ShapesCorpusWriter.write(ShapesGenerator.generate(6, ShapesSpec.SMALL), c);
        List<String> names = files(a);
        assertEquals(written.size(), names.size(), "no temporary files are left");
        assertEquals(names, files(b));
        assertEquals(names, files(c));
        Set<String> differ = new HashSet<>();
        for (String name : names) {
            assertArrayEquals(Files.readAllBytes(a.resolve(name)), Files.readAllBytes(b.resolve(name)), name);
            if (!java.util.Arrays.equals(Files.readAllBytes(a.resolve(name)), Files.readAllBytes(c.resolve(name)))) {
                differ.add(name);
            }
        }
        for (String name : List.of("images/train.f32", "images/classifier_holdout.f32", "labels/train.jsonl",
                "prompts/train.jsonl", "prompts/eval_name.jsonl", "prompts/preserve_red.jsonl", "manifest.json")) {
            assertTrue(differ.contains(name), name + " changes with the seed");
        }
        for (String name : List.of("concepts.jsonl", "heldout_aliases.jsonl", "tasks.jsonl", "vocabulary.txt")) {
            assertFalse(differ.contains(name), name + " does not depend on the seed");
        }
        assertEquals("manifest.json", a.relativize(written.get(written.size() - 1)).toString(), "the manifest comes last");
    }

    @Test
    void theConceptsAreTheDataContract(@TempDir Path dir) throws Exception {
        ShapesCorpusWriter.write(W, dir);
        DataSet<Concept> concepts = data.readConcepts(dir.resolve("concepts.jsonl"));
        assertEquals(W.contractConcepts(), concepts.items());
        assertEquals(new Concept("red", java.util.Optional.of("colour"), List.of("crimson")), concepts.items().get(0));
        DataSet<Concept> held = data.readConcepts(dir.resolve("heldout_aliases.jsonl"));
        assertEquals(W.heldOutAliases(), held.items());
        // byte for byte what the container's data service writes
        Path mine = dir.resolve("written-by-the-data-service.jsonl");
        data.write(mine, W.contractConcepts());
        assertArrayEquals(Files.readAllBytes(mine), Files.readAllBytes(dir.resolve("concepts.jsonl")));
    }

    @Test
    void imagesLabelsAndPromptsReadBack(@TempDir Path dir) throws Exception {
        ShapesCorpusWriter.write(W, dir);
        for (String split : W.imageSplitNames()) {
            ShapesImageFiles.ImageSet set = ShapesImageFiles.readF32(dir.resolve("images/" + split + ".json"));
            List<ShapesImage> images = W.images(split);
            assertEquals(images.size(), set.size());
            List<String> labels = Files.readAllLines(dir.resolve("labels/" + split + ".jsonl"), StandardCharsets.UTF_8);
            assertEquals(images.size(), labels.size());
            for (int i = 0; i < images.size(); i++) {
                ShapesImage image = images.get(i);
                assertArrayEquals(image.pixels(), set.pixels().get(i), split + " " + i + ": bit for bit");
                JsonNode label = JSON.readTree(labels.get(i));
                assertEquals(image.id(), label.get("id").asText());
                assertEquals(image.kind().label(), label.get("kind").asText());
                assertEquals(image.colour().orElse(null), label.has("colour") ? label.get("colour").asText() : null);
                assertEquals(image.seed(), label.get("seed").asLong());
                assertArrayEquals(image.mask(), ShapesImageFiles.maskFromHex(label.get("mask").asText()));
                if (image.kind() == ShapesImage.Kind.OBJECT) {
                    assertEquals(image.centreX(), label.get("centre_x").floatValue());
                    assertEquals(image.radius(), label.get("radius").floatValue());
                    // the render seed and the labels draw the image again
                    ShapesImage again = ShapesGenerator.render("x", label.get("seed").asLong(), label.get("colour").asText(),
                            label.get("shape").asText(), label.get("texture").asText(),
                            java.util.Optional.ofNullable(label.get("context")).map(JsonNode::asText));
                    assertArrayEquals(image.pixels(), again.pixels());
                }
            }
        }
        Set<String> vocabulary = new HashSet<>(Files.readAllLines(dir.resolve("vocabulary.txt"), StandardCharsets.UTF_8));
        assertEquals(new HashSet<>(W.vocabulary()), vocabulary);
        for (String split : W.promptSplitNames()) {
            List<String> lines = Files.readAllLines(dir.resolve("prompts/" + split + ".jsonl"), StandardCharsets.UTF_8);
            List<ShapesPrompt> prompts = W.prompts(split);
            assertEquals(prompts.size(), lines.size(), split);
            for (int i = 0; i < lines.size(); i++) {
                JsonNode p = JSON.readTree(lines.get(i));
                assertEquals(prompts.get(i).text(), p.get("prompt").asText());
                assertEquals(prompts.get(i).colour(), p.get("labels").get("colour").asText());
                for (String word : p.get("prompt").asText().split(" ")) {
                    assertTrue(vocabulary.contains(word), split + ": " + word);
                }
                if (split.equals(ShapesWorld.TRAIN)) {
                    assertEquals(i, p.get("image").asInt());
                } else {
                    assertEquals(prompts.get(i).seed().getAsLong(), p.get("seed").asLong());
                }
            }
        }
        JsonNode red = JSON.readTree(Files.readAllLines(dir.resolve("prompts/eval_heldout.jsonl")).get(0));
        assertEquals("red", red.get("concept").asText());
        assertEquals("scarlet", red.get("word").asText());
    }

    @Test
    void theManifestFingerprintsEveryFile(@TempDir Path dir) throws Exception {
        Map<String, byte[]> rendered = ShapesCorpusWriter.render(W);
        ShapesCorpusWriter.write(W, dir);
        JsonNode m = JSON.readTree(dir.resolve("manifest.json").toFile());
        assertEquals("shapes", m.get("world").asText());
        assertEquals(5, m.get("seed").asLong());
        assertEquals(0.1, m.get("spec").get("prompt_dropout").asDouble());
        assertEquals(0.2, m.get("spec").get("attribute_dropout").asDouble());
        assertEquals(16, m.get("image").get("size").asInt());
        assertEquals(44, m.get("vocabulary_size").asInt());
        assertEquals(W.images(ShapesWorld.TRAIN).size(), m.get("images").get("train").asInt());
        JsonNode files = m.get("files");
        assertEquals(rendered.size() - 1, files.size(), "every file but the manifest");
        for (String name : rendered.keySet()) {
            if (!name.equals("manifest.json")) {
                byte[] bytes = Files.readAllBytes(dir.resolve(name));
                assertEquals(ShapesImageFiles.sha256(bytes), files.get(name).get("sha256").asText(), name);
                assertEquals(bytes.length, files.get(name).get("bytes").asLong(), name);
            }
        }
    }

    private static List<String> files(Path root) throws Exception {
        List<String> out = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.filter(Files::isRegularFile).forEach(p -> out.add(root.relativize(p).toString()));
        }
        out.sort(null);
        return out;
    }
}
