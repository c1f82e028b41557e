package org.lethe.report.compare;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.hash.Hashing;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lethe.api.LetheException;
import org.lethe.api.data.DataSet;
import org.lethe.api.data.VqaItem;
import org.lethe.api.eval.Roles;
import org.lethe.api.method.Task;
import org.lethe.core.data.JsonlDataService;

/**
 * The cuts a visual question-answering comparison reads, on a small world folder laid out as the
 * {@code shapes-vqa} world's: {@code train} (one template per attribute and image) and
 * {@code holdout} (per attribute a template, a paraphrase and two yes/no questions), each with its
 * image set; image i's pixels all hold i / 1000, so a copied image shows where it came from.
 */
class VqaLayoutTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, List<String>> VALUES = new LinkedHashMap<>();

    static {
        VALUES.put("colour", List.of("red", "green", "blue", "yellow"));
        VALUES.put("shape", List.of("circle", "square", "triangle"));
        VALUES.put("texture", List.of("plain", "stripes", "dots"));
        VALUES.put("material", List.of("matte", "glossy", "metallic"));
    }

    private static final Map<String, String> TEMPLATE = Map.of("colour", "what color is the object", "shape",
            "what shape is shown", "texture", "what is the texture", "material", "what material is it");
    private static final Map<String, String> PARAPHRASE = Map.of("colour", "what is the tint of the thing", "shape",
            "what kind of figure", "texture", "which pattern does it have", "material", "what is it made of");

    @TempDir
    Path data;

    private final JsonlDataService reader = new JsonlDataService();

    @BeforeEach
    void world() throws IOException {
        List<String> concepts = new ArrayList<>();
        VALUES.forEach((attribute, values) -> values.forEach(v -> concepts.add("{\"name\":\"" + v + "\",\"attribute\":\""
                + attribute + "\"}")));
        Files.write(data.resolve("concepts.jsonl"), concepts, StandardCharsets.UTF_8);
        split("train", 600, 1, false);
        split("holdout", 300, 2, true);
    }

    /** Writes a split: its images (random labels) and questions. */
    private void split(String name, int images, long seed, boolean heldOut) throws IOException {
        Random random = new Random(seed);
        List<String> labels = new ArrayList<>();
        List<String> questions = new ArrayList<>();
        ByteBuffer pixels = ByteBuffer.allocate(images * 3 * 4 * 4 * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < images; i++) {
            String id = name + "-" + i;
            Map<String, String> of = new LinkedHashMap<>();
            VALUES.forEach((attribute, values) -> of.put(attribute, values.get(random.nextInt(values.size()))));
            ObjectNode line = JSON.createObjectNode().put("id", id);
            ObjectNode l = line.putObject("labels");
            of.forEach(l::put);
            labels.add(JSON.writeValueAsString(line));
            for (int p = 0; p < 3 * 4 * 4; p++) {
                pixels.putFloat(i / 1000f);
            }
            for (String attribute : VALUES.keySet()) {
                String value = of.get(attribute);
                questions.add(question(id + "-" + attribute + "-t", id, TEMPLATE.get(attribute), value, attribute, "template"));
                if (heldOut) {
                    questions.add(question(id + "-" + attribute + "-p", id, PARAPHRASE.get(attribute), value, attribute,
                            "paraphrase"));
                    questions.add(question(id + "-" + attribute + "-y", id, "is it " + value, "yes", attribute, "yes-no"));
                    List<String> others = new ArrayList<>(VALUES.get(attribute));
                    others.remove(value);
                    String wrong = others.get(random.nextInt(others.size()));
                    questions.add(question(id + "-" + attribute + "-n", id, "is the object " + wrong, "no", attribute, "yes-no"));
                }
            }
        }
        byte[] f32 = pixels.array();
        Path folder = Files.createDirectories(data.resolve(VqaLayout.SPLITS));
        Files.write(folder.resolve(name + ".images.f32"), f32);
        Files.writeString(folder.resolve(name + ".images.json"), "{\"format\":\"lethe-images\",\"version\":1,\"dtype\":\"float32\","
                + "\"byte_order\":\"little\",\"layout\":\"NCHW\",\"shape\":[" + images + ",3,4,4],\"range\":[0.0,1.0],"
                + "\"data\":\"" + name + ".images.f32\",\"sha256\":\"" + Hashing.sha256().hashBytes(f32) + "\"}\n");
        Files.write(folder.resolve(name + ".images.jsonl"), labels, StandardCharsets.UTF_8);
        Files.write(folder.resolve(name + ".jsonl"), questions, StandardCharsets.UTF_8);
    }

    private static String question(String id, String image, String text, String answer, String attribute, String form)
            throws IOException {
        return JSON.writeValueAsString(JSON.createObjectNode().put("id", id).put("image", image).put("question", text)
                .put("answer", answer).put("attribute", attribute).put("form", form));
    }

    private DataSet<VqaItem> vqa(String source) {
        assertTrue(source.startsWith("world:shapes-vqa/"), source);
        return reader.readVqa(data.resolve(source.substring("world:shapes-vqa/".length()) + ".jsonl"));
    }

    private List<String> concepts(String source) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(data.resolve(source.substring("world:shapes-vqa/".length()) + ".jsonl"))) {
            out.add(JSON.readTree(line).path("name").asText());
        }
        return out;
    }

    private VqaLayout layout() {
        return new VqaLayout("shapes-vqa", data);
    }

    private static String value(VqaItem item) {
        return item.image().labels().get(item.attribute());
    }

    private static boolean showsAny(VqaItem item, Set<String> c) {
        return c.stream().anyMatch(item::shows);
    }

    @Test
    void aVqaWorldIsRecognisedAndNamesItsModelAndTasks() {
        assertTrue(VqaLayout.isVqaWorld(data));
        assertFalse(ErasureLayout.isErasureWorld(data));
        assertEquals("shapes-vlm", layout().baseModel());
        List<String> tasks = layout().tasks();
        assertEquals(15, tasks.size(), tasks.toString());
        assertTrue(tasks.containsAll(List.of("red", "circle", "dots", "glossy", "multi3", "multi6")), tasks.toString());
    }

    @Test
    void theRolesOfOneConceptHoldExactlyTheRightQuestions() throws IOException {
        Map<String, String> roles = layout().roles("red");
        assertEquals(List.of(Task.ERASE, Task.KEEP, Task.FORGET, Task.RETAIN, Roles.VQA_FORGET, Roles.VQA_SELECTIVITY,
                Roles.VQA_UTILITY, Roles.VQA_PARAPHRASE, Roles.VQA_YES_NO), List.copyOf(roles.keySet()));
        Set<String> c = Set.of("red");
        assertEquals(List.of("red"), concepts(roles.get(Task.ERASE)));
        List<String> keep = concepts(roles.get(Task.KEEP));
        assertEquals(12, keep.size());
        assertFalse(keep.contains("red"));

        List<VqaItem> forget = vqa(roles.get(Task.FORGET)).items();
        assertFalse(forget.isEmpty());
        assertTrue(forget.size() <= VqaLayout.FORGET);
        for (VqaItem q : forget) {
            assertEquals(VqaItem.TEMPLATE, q.form());
            assertTrue(c.contains(q.answer()), q.id());
            assertEquals(q.answer(), value(q), q.id() + ": its image shows the answer");
            assertTrue(q.id().startsWith("train-"));
        }
        // every train question whose answer is red is in the pool: 600 × ¼ red images ≈ 150 < 256, all of them taken
        List<VqaItem> train = reader.readVqa(data.resolve("vqa/train.jsonl")).items();
        long redQuestions = train.stream().filter(q -> q.answer().equals("red")).count();
        assertEquals(redQuestions, forget.size());

        List<VqaItem> retain = vqa(roles.get(Task.RETAIN)).items();
        assertEquals(VqaLayout.RETAIN, retain.size());
        Set<String> forgetIds = forget.stream().map(VqaItem::id).collect(Collectors.toSet());
        for (VqaItem q : retain) {
            assertFalse(forgetIds.contains(q.id()));
            assertFalse(c.contains(q.answer()), q.id() + " asks for red");
        }

        for (VqaItem q : vqa(roles.get(Roles.VQA_FORGET)).items()) {
            assertEquals(VqaItem.TEMPLATE, q.form());
            assertEquals("red", q.answer());
            assertEquals("red", value(q));
            assertTrue(q.id().startsWith("holdout-"));
        }
        List<VqaItem> selectivity = vqa(roles.get(Roles.VQA_SELECTIVITY)).items();
        assertEquals(Set.of("shape", "texture", "material"), selectivity.stream().map(VqaItem::attribute).collect(Collectors.toSet()));
        for (VqaItem q : selectivity) {
            assertEquals(VqaItem.TEMPLATE, q.form());
            assertTrue(q.shows("red"), q.id());
            assertFalse(c.contains(value(q)), q.id() + " asks the erased attribute's value");
        }
        List<VqaItem> utility = vqa(roles.get(Roles.VQA_UTILITY)).items();
        assertEquals(VqaLayout.PER_ROLE, utility.size());
        for (VqaItem q : utility) {
            assertEquals(VqaItem.TEMPLATE, q.form());
            assertFalse(showsAny(q, c), q.id() + " shows red");
        }
        List<VqaItem> paraphrase = vqa(roles.get(Roles.VQA_PARAPHRASE)).items();
        assertFalse(paraphrase.isEmpty());
        for (VqaItem q : paraphrase) {
            assertEquals(VqaItem.PARAPHRASE, q.form());
            assertEquals("red", q.answer());
            assertEquals("red", value(q));
        }
        List<VqaItem> yesNo = vqa(roles.get(Roles.VQA_YES_NO)).items();
        assertEquals(Set.of("yes", "no"), yesNo.stream().map(VqaItem::answer).collect(Collectors.toSet()));
        for (VqaItem q : yesNo) {
            assertEquals(VqaItem.YES_NO, q.form());
            assertEquals("colour", q.attribute());
            assertTrue(q.question().endsWith(" red"), q.question());
            assertEquals(q.answer().equals("yes"), q.shows("red"), q.id());
        }
    }

    @Test
    void eachCutCarriesTheImagesItAsksAboutCopiedPixelForPixel() {
        Map<String, String> roles = layout().roles("circle");
        for (String role : List.of(Task.FORGET, Task.RETAIN, Roles.VQA_FORGET, Roles.VQA_SELECTIVITY, Roles.VQA_UTILITY,
                Roles.VQA_PARAPHRASE, Roles.VQA_YES_NO)) {
            DataSet<VqaItem> set = vqa(roles.get(role));
            Set<String> images = new HashSet<>();
            for (VqaItem q : set.items()) {
                images.add(q.image().id());
                int index = Integer.parseInt(q.image().id().substring(q.image().id().indexOf('-') + 1));
                for (float v : q.image().pixels()) {
                    assertEquals(index / 1000f, v, 0f, role + ": " + q.id());
                }
            }
            assertEquals(images.size(), reader.readImages(data.resolve(roles.get(role).substring("world:shapes-vqa/".length())
                    + ".images.jsonl")).size(), role + ": only the images its questions ask about");
        }
    }

    @Test
    void aMultiConceptTaskCoversEveryConceptAndKeepsTheirValuesOutOfSelectivityAndUtility() throws IOException {
        Map<String, String> roles = layout().roles("multi3");
        Set<String> c = Set.of("red", "yellow", "blue");
        assertEquals(c, Set.copyOf(concepts(roles.get(Task.ERASE))));
        List<VqaItem> forget = vqa(roles.get(Task.FORGET)).items();
        assertEquals(VqaLayout.FORGET, forget.size());
        Map<String, Long> perConcept = forget.stream().collect(Collectors.groupingBy(VqaItem::answer, Collectors.counting()));
        assertEquals(c, perConcept.keySet());
        perConcept.values().forEach(n -> assertTrue(n >= VqaLayout.FORGET / 3, perConcept.toString()));
        for (VqaItem q : forget) {
            assertEquals(q.answer(), value(q));
        }
        for (VqaItem q : vqa(roles.get(Roles.VQA_SELECTIVITY)).items()) {
            assertTrue(showsAny(q, c));
            assertFalse(c.contains(value(q)));
        }
        for (VqaItem q : vqa(roles.get(Roles.VQA_UTILITY)).items()) {
            assertFalse(showsAny(q, c));
        }
        for (VqaItem q : vqa(roles.get(Roles.VQA_YES_NO)).items()) {
            String named = q.question().substring(q.question().lastIndexOf(' ') + 1);
            assertTrue(c.contains(named), q.question());
        }
    }

    @Test
    void theCutIsDeterministic() throws IOException {
        Map<String, String> roles = layout().roles("multi3");
        Map<String, byte[]> first = snapshot();
        for (Path file : Files.list(data).filter(f -> f.getFileName().toString().startsWith("cut.")).toList()) {
            Files.delete(file);
        }
        assertEquals(roles, layout().roles("multi3"));
        Map<String, byte[]> second = snapshot();
        assertEquals(first.keySet(), second.keySet());
        first.forEach((name, bytes) -> assertArrayEquals(bytes, second.get(name), name));
        // a second cut of the same task rewrites nothing
        long modified = Files.getLastModifiedTime(data.resolve("cut.multi3.forget.jsonl")).toMillis();
        layout().roles("multi3");
        assertEquals(modified, Files.getLastModifiedTime(data.resolve("cut.multi3.forget.jsonl")).toMillis());
    }

    private Map<String, byte[]> snapshot() throws IOException {
        Map<String, byte[]> out = new HashMap<>();
        try (Stream<Path> files = Files.list(data)) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith("cut.")).toList()) {
                out.put(f.getFileName().toString(), Files.readAllBytes(f));
            }
        }
        return out;
    }

    @Test
    void badTasksAndBrokenFilesAreNamed() throws IOException {
        LetheException unknown = assertThrows(LetheException.class, () -> layout().roles("purple"));
        assertTrue(unknown.getMessage().contains("'purple' is not a task of world 'shapes-vqa'"), unknown.getMessage());
        assertTrue(unknown.getMessage().contains("red"), unknown.getMessage());

        List<String> lines = new ArrayList<>(Files.readAllLines(data.resolve("vqa/holdout.jsonl")));
        lines.set(2, lines.get(2).replace("\"image\":\"holdout-0\"", "\"image\":\"holdout-9999\""));
        Files.write(data.resolve("vqa/holdout.jsonl"), lines);
        LetheException broken = assertThrows(LetheException.class, () -> layout().roles("red"));
        assertTrue(broken.getMessage().contains("holdout.jsonl: line 3: field 'image'"), broken.getMessage());

        Files.delete(data.resolve("vqa/train.images.json"));
        LetheException missing = assertThrows(LetheException.class, () -> layout().roles("red"));
        assertTrue(missing.getMessage().contains("train.images.json: missing"), missing.getMessage());
    }
}
