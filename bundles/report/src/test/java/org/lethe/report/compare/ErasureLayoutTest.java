package org.lethe.report.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.hash.Hashing;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lethe.api.LetheException;
import org.lethe.api.data.DataSet;
import org.lethe.api.data.LabelledImage;
import org.lethe.api.eval.Roles;
import org.lethe.api.method.Task;
import org.lethe.core.data.JsonlDataService;

/** The cuts an erasure comparison evaluates, on a small world folder laid out as the shapes world's. */
class ErasureLayoutTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path data;

    private static String prompt(String id, String text, String colour, String concept, long seed) {
        return "{\"id\":\"" + id + "\",\"prompt\":\"" + text + "\",\"labels\":{\"colour\":\"" + colour + "\",\"shape\":\"circle\"}"
                + (concept == null ? "" : ",\"concept\":\"" + concept + "\"") + ",\"seed\":" + seed + "}";
    }

    private void write(String name, List<String> lines) throws IOException {
        Path file = data.resolve(name);
        Files.createDirectories(file.getParent());
        Files.write(file, lines, StandardCharsets.UTF_8);
    }

    @BeforeEach
    void world() throws IOException {
        write("tasks.jsonl", List.of("{\"name\":\"red\",\"erase\":[\"red\"],\"preserve\":[\"blue\",\"circle\"],\"neighbours\":[]}",
                "{\"name\":\"multi2\",\"erase\":[\"red\",\"blue\"],\"preserve\":[\"circle\"]}"));
        write("concepts.jsonl", List.of("{\"name\":\"red\",\"attribute\":\"colour\",\"aliases\":[\"crimson\"]}",
                "{\"name\":\"blue\",\"attribute\":\"colour\",\"aliases\":[\"azure\"]}",
                "{\"name\":\"circle\",\"attribute\":\"shape\",\"aliases\":[\"ball\"]}"));
        for (String split : List.of("eval_name", "eval_heldout", "eval_compositional")) {
            List<String> lines = new ArrayList<>();
            for (int k = 0; k < 130; k++) {
                lines.add(prompt("red-" + k, split + " red " + k, "red", "red", 1000 + k));
                lines.add(prompt("blue-" + k, split + " blue " + k, "blue", "blue", 1000 + k));
            }
            write("prompts/" + split + ".jsonl", lines);
        }
        List<String> preserve = new ArrayList<>();
        for (int k = 0; k < 250; k++) {
            preserve.add(prompt("red-" + k, "blue circle " + k, "blue", null, 1000 + k));
        }
        write("prompts/preserve_red.jsonl", preserve);
        write("prompts/preserve_multi2.jsonl", List.of(prompt("multi2-0", "green circle", "green", null, 5)));
    }

    private List<JsonNode> rows(String source) throws IOException {
        assertTrue(source.startsWith("world:shapes/"), source);
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(data.resolve(source.substring("world:shapes/".length()) + ".jsonl"))) {
            out.add(JSON.readTree(line));
        }
        return out;
    }

    @Test
    void cutsEachRoleOfATask() throws IOException {
        ErasureLayout layout = new ErasureLayout("shapes", data);
        assertTrue(ErasureLayout.isErasureWorld(data));
        assertEquals("shapes-t2i", layout.baseModel());
        assertEquals(List.of("red", "multi2"), layout.tasks());
        Map<String, String> roles = layout.roles("red");
        assertEquals(List.of(Task.ERASE, Task.KEEP, Roles.ERASED_PROMPTS, Roles.GENERALITY_PROMPTS, Roles.PRESERVE_PROMPTS),
                List.copyOf(roles.keySet()));
        assertEquals(List.of("red"), rows(roles.get(Task.ERASE)).stream().map(n -> n.get("name").asText()).toList());
        assertEquals(List.of("blue", "circle"), rows(roles.get(Task.KEEP)).stream().map(n -> n.get("name").asText()).toList());
        List<JsonNode> erased = rows(roles.get(Roles.ERASED_PROMPTS));
        assertEquals(ErasureLayout.PER_CONCEPT, erased.size());
        assertTrue(erased.stream().allMatch(n -> n.get("concept").asText().equals("red")));
        assertEquals("red-0", erased.get(0).get("id").asText());
        List<JsonNode> generality = rows(roles.get(Roles.GENERALITY_PROMPTS));
        assertEquals(2 * ErasureLayout.PER_CONCEPT, generality.size());
        Set<String> ids = new HashSet<>();
        generality.forEach(n -> assertTrue(ids.add(n.get("id").asText()), "ids stay unique: " + n.get("id")));
        assertEquals("heldout:red-0", generality.get(0).get("id").asText());
        assertEquals("compositional:red-0", generality.get(ErasureLayout.PER_CONCEPT).get("id").asText());
        assertEquals(1000, generality.get(ErasureLayout.PER_CONCEPT).get("seed").asLong(), "row k keeps its seed");
        assertEquals(ErasureLayout.PRESERVE, rows(roles.get(Roles.PRESERVE_PROMPTS)).size());
    }

    @Test
    void aMultiConceptTaskCutsEveryErasedConcept() throws IOException {
        Map<String, String> roles = new ErasureLayout("shapes", data).roles("multi2");
        List<JsonNode> erased = rows(roles.get(Roles.ERASED_PROMPTS));
        assertEquals(2 * ErasureLayout.PER_CONCEPT, erased.size());
        assertEquals(ErasureLayout.PER_CONCEPT, erased.stream().filter(n -> n.get("concept").asText().equals("blue")).count());
    }

    @Test
    void anUnknownTaskNamesTheTasks() {
        LetheException e = assertThrows(LetheException.class, () -> new ErasureLayout("shapes", data).roles("forget05"));
        assertEquals(LetheException.INVALID_INPUT, e.exitStatus());
        assertEquals("'forget05' is not an erasure task of world 'shapes' (its tasks: red, multi2)", e.getMessage());
    }

    @Test
    void theGalleryTakesTheFirstRowsOfEachCut() {
        List<ErasureLayout.GalleryPrompt> prompts = new ErasureLayout("shapes", data).galleryPrompts("red");
        assertEquals(ErasureLayout.GALLERY_ERASED + ErasureLayout.GALLERY_GENERALITY + ErasureLayout.GALLERY_PRESERVE,
                prompts.size());
        assertEquals(new ErasureLayout.GalleryPrompt("eval_name red 0", 1000), prompts.get(0));
        assertEquals(new ErasureLayout.GalleryPrompt("eval_heldout red 0", 1000), prompts.get(ErasureLayout.GALLERY_ERASED));
        assertEquals(new ErasureLayout.GalleryPrompt("blue circle 5", 1005), prompts.get(prompts.size() - 1));
    }

    /** Real images of a split: image i is C×H×W = 3×2×2, every value (i mod 100) / 100; colours cycle red, blue, green. */
    private void images(String split, String prefix, int count) throws IOException {
        List<String> labels = new ArrayList<>();
        ByteBuffer pixels = ByteBuffer.allocate(count * PER_IMAGE * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            labels.add("{\"id\":\"" + prefix + i + "\",\"colour\":\"" + List.of("red", "blue", "green").get(i % 3)
                    + "\",\"shape\":\"circle\",\"texture\":\"plain\",\"seed\":" + i + "}");
            for (int v = 0; v < PER_IMAGE; v++) {
                pixels.putFloat((i % 100) / 100f);
            }
        }
        write("labels/" + split + ".jsonl", labels);
        Files.createDirectories(data.resolve("images"));
        Files.write(data.resolve("images/" + split + ".f32"), pixels.array());
        write("images/" + split + ".json", List.of("{\"format\":\"lethe-images\",\"version\":1,\"dtype\":\"float32\","
                + "\"byte_order\":\"little\",\"layout\":\"NCHW\",\"shape\":[" + count + ",3,2,2],\"range\":[0.0,1.0],"
                + "\"data\":\"" + split + ".f32\",\"sha256\":\"" + Hashing.sha256().hashBytes(pixels.array()) + "\"}"));
    }

    private static final int PER_IMAGE = 3 * 2 * 2;

    @Test
    void theConceptImageCutHoldsTheFirstHoldoutImagesOfTheErasedConceptsReadableByTheCore() throws IOException {
        images("classifier_train", "train-", 90);
        images(ErasureLayout.IMAGE_SPLIT, "holdout-", 240); // 80 of each colour
        ErasureLayout layout = new ErasureLayout("shapes", data);
        Map<String, String> roles = layout.roles("red");
        assertEquals(List.of(Task.ERASE, Task.KEEP, Roles.ERASED_PROMPTS, Roles.GENERALITY_PROMPTS, Roles.PRESERVE_PROMPTS,
                Roles.CONCEPT_IMAGES), List.copyOf(roles.keySet()));
        assertEquals("world:shapes/cut.red." + Roles.CONCEPT_IMAGES, roles.get(Roles.CONCEPT_IMAGES));

        List<JsonNode> lines = rows(roles.get(Roles.CONCEPT_IMAGES));
        assertEquals(ErasureLayout.IMAGES, lines.size(), "at most the configured count");
        for (int k = 0; k < lines.size(); k++) {
            JsonNode line = lines.get(k);
            assertEquals("holdout-" + 3 * k, line.get("id").asText(), "the k-th red image of the holdout split");
            assertEquals(Map.of("colour", "red", "shape", "circle", "texture", "plain"),
                    JSON.convertValue(line.get("labels"), Map.class));
        }
        DataSet<LabelledImage> read = new JsonlDataService().readImages(
                data.resolve("cut.red." + Roles.CONCEPT_IMAGES + ".jsonl"));
        assertEquals(ErasureLayout.IMAGES, read.size());
        for (int k = 0; k < read.size(); k++) {
            LabelledImage image = read.items().get(k);
            assertEquals("holdout-" + 3 * k, image.id());
            assertEquals("red", image.labels().get("colour"));
            assertEquals(List.of(3, 2, 2), List.of(image.channels(), image.height(), image.width()));
            float expected = (3 * k % 100) / 100f;
            for (float v : image.pixels()) {
                assertEquals(expected, v, 0f, image.id() + "'s pixels are not its own");
            }
        }

        Map<String, String> multi = layout.roles("multi2");
        DataSet<LabelledImage> both = new JsonlDataService().readImages(
                data.resolve(multi.get(Roles.CONCEPT_IMAGES).substring("world:shapes/".length()) + ".jsonl"));
        assertEquals(2 * ErasureLayout.IMAGES, both.size());
        assertEquals(ErasureLayout.IMAGES, both.items().stream().filter(i -> i.labels().get("colour").equals("blue")).count());
        assertTrue(both.items().stream().allMatch(i -> i.id().startsWith("holdout-")
                && Set.of("red", "blue").contains(i.labels().get("colour"))), "only the erased concepts' holdout images");
    }

    @Test
    void aWorldWithoutImagesGetsNoConceptImageCut() throws IOException {
        images("classifier_train", "train-", 30);
        Map<String, String> roles = new ErasureLayout("shapes", data).roles("red");
        assertFalse(roles.containsKey(Roles.CONCEPT_IMAGES), roles.toString());
        assertFalse(Files.exists(data.resolve("cut.red." + Roles.CONCEPT_IMAGES + ".jsonl")));
    }

    @Test
    void noHoldoutImageOfTheConceptIsRefusedNamingTheTask() throws IOException {
        images(ErasureLayout.IMAGE_SPLIT, "holdout-", 240);
        write("labels/" + ErasureLayout.IMAGE_SPLIT + ".jsonl", Files.readAllLines(
                data.resolve("labels/" + ErasureLayout.IMAGE_SPLIT + ".jsonl")).stream()
                .map(l -> l.replace("\"red\"", "\"green\"")).toList());
        LetheException e = assertThrows(LetheException.class, () -> new ErasureLayout("shapes", data).roles("red"));
        assertEquals(LetheException.INVALID_INPUT, e.exitStatus());
        assertTrue(e.getMessage().contains("task 'red'") && e.getMessage().contains("[red]"), e.getMessage());
    }

    @Test
    void aWorldWithoutTasksIsNotAnErasureWorld() throws IOException {
        Files.delete(data.resolve("tasks.jsonl"));
        assertFalse(ErasureLayout.isErasureWorld(data));
    }
}
