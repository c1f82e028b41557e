package org.lethe.report.compare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.lethe.api.LetheException;
import org.lethe.api.eval.Roles;
import org.lethe.api.method.Task;

/**
 * Which files of a trained text-to-image erasure world a comparison reads for an erasure task, by
 * {@link Roles role}: the shapes world's conventions ({@code ShapesCorpusWriter}, docs/data.md "The
 * shapes world"). A world is an erasure world when its data folder holds {@value #TASKS}.
 * <ul>
 * <li>{@link Task#ERASE} / {@link Task#KEEP}: the task's erased and preserved concepts, cut from
 *     {@code concepts.jsonl} (names and erasure aliases; never the held-out aliases);</li>
 * <li>{@link Roles#ERASED_PROMPTS}: the first {@value #PER_CONCEPT} rows of {@code prompts/eval_name}
 *     of each erased concept (Acc_e);</li>
 * <li>{@link Roles#GENERALITY_PROMPTS}: the first {@value #PER_CONCEPT} rows of each erased concept
 *     from {@code prompts/eval_heldout} and from {@code prompts/eval_compositional}, ids prefixed by
 *     their file (Acc_g);</li>
 * <li>{@link Roles#PRESERVE_PROMPTS}: the first {@value #PRESERVE} rows of
 *     {@code prompts/preserve_<task>} (Acc_p, layout, Fréchet);</li>
 * <li>{@link Roles#CONCEPT_IMAGES}: the first {@value #IMAGES} images of each erased concept in
 *     {@code images/classifier_holdout} (real images the generator was never trained on, labelled
 *     colour, shape and texture from {@code labels/classifier_holdout.jsonl}), as a labelled image set
 *     ({@code cut.<task>.concept_images.jsonl} with its {@code .json} header and {@code .f32} pixels)
 *     for the recovery probes; left out when the world has no such images.</li>
 * </ul>
 * Rows are cut, not sampled: row k of every evaluation file has the same labels and start seed, so
 * the first rows of each file match. The cuts go beside the world's files as
 * {@code cut.<task>.<role>.jsonl} and are rewritten only when their bytes change.
 */
final class ErasureLayout {

    /** The world's file of erasure tasks: {@value}. */
    static final String TASKS = "tasks.jsonl";
    /** Evaluation prompts per erased concept and file: {@value} (sampling cost, BENCHMARKS.md). */
    static final int PER_CONCEPT = 100;
    /** Preserve prompts of a task: {@value}. */
    static final int PRESERVE = 200;
    /** Real images per erased concept: {@value} (research/methods-gen.md §8, relearning on 64 images). */
    static final int IMAGES = 64;
    /** The image split the real concept images come from: {@value}. */
    static final String IMAGE_SPLIT = "classifier_holdout";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final String world;
    private final Path data;

    /**
     * @param world the world's name
     * @param data the training run's data folder
     */
    ErasureLayout(String world, Path data) {
        this.world = world;
        this.data = data;
    }

    /**
     * @param data a trained world's data folder
     * @return whether it is an erasure world (it has {@value #TASKS})
     */
    static boolean isErasureWorld(Path data) {
        return Files.isRegularFile(data.resolve(TASKS));
    }

    /** @return the base generator's id: {@code <world>-t2i} */
    String baseModel() {
        return world + "-t2i";
    }

    /** @return the world's task names, in file order */
    List<String> tasks() {
        List<String> names = new ArrayList<>();
        for (JsonNode task : read(data.resolve(TASKS))) {
            names.add(task.path("name").asText());
        }
        return names;
    }

    /**
     * @param task an erasure task of the world, e.g. {@code red} or {@code multi3}
     * @return role → data source ({@code world:<world>/cut.<task>.<role>}), in report order
     * @throws LetheException (invalid input) for a task the world does not have, naming those it has
     */
    Map<String, String> roles(String task) {
        JsonNode spec = null;
        for (JsonNode t : read(data.resolve(TASKS))) {
            if (t.path("name").asText().equals(task)) {
                spec = t;
            }
        }
        if (spec == null) {
            throw LetheException.invalidInput("'" + task + "' is not an erasure task of world '" + world
                    + "' (its tasks: " + String.join(", ", tasks()) + ")");
        }
        Set<String> erase = names(spec.path("erase"));
        Set<String> keep = names(spec.path("preserve"));
        Map<String, String> roles = new LinkedHashMap<>();
        roles.put(Task.ERASE, cut(task, Task.ERASE, byField(read(data.resolve("concepts.jsonl")), "name", erase, Integer.MAX_VALUE, null)));
        roles.put(Task.KEEP, cut(task, Task.KEEP, byField(read(data.resolve("concepts.jsonl")), "name", keep, Integer.MAX_VALUE, null)));
        roles.put(Roles.ERASED_PROMPTS, cut(task, Roles.ERASED_PROMPTS,
                byField(read(prompts("eval_name")), "concept", erase, PER_CONCEPT, null)));
        List<JsonNode> generality = new ArrayList<>();
        generality.addAll(byField(read(prompts("eval_heldout")), "concept", erase, PER_CONCEPT, "heldout:"));
        generality.addAll(byField(read(prompts("eval_compositional")), "concept", erase, PER_CONCEPT, "compositional:"));
        roles.put(Roles.GENERALITY_PROMPTS, cut(task, Roles.GENERALITY_PROMPTS, generality));
        List<JsonNode> preserve = read(prompts("preserve_" + task));
        roles.put(Roles.PRESERVE_PROMPTS, cut(task, Roles.PRESERVE_PROMPTS, preserve.subList(0, Math.min(PRESERVE, preserve.size()))));
        if (Files.isRegularFile(data.resolve("labels").resolve(IMAGE_SPLIT + ".jsonl"))) {
            roles.put(Roles.CONCEPT_IMAGES, conceptImages(task, erase));
        }
        return roles;
    }

    /** Gallery prompts: erased, then generality, then preserve. */
    static final int GALLERY_ERASED = 4;
    /** Gallery prompts of the generality set. */
    static final int GALLERY_GENERALITY = 2;
    /** Gallery prompts of the preserve set. */
    static final int GALLERY_PRESERVE = 6;

    /**
     * A prompt of the gallery.
     *
     * @param prompt the words
     * @param seed its start-noise seed
     */
    record GalleryPrompt(String prompt, long seed) {
    }

    /**
     * @param task an erasure task (its cuts written by {@link #roles})
     * @return the gallery's prompts: the first {@value #GALLERY_ERASED} erased, {@value #GALLERY_GENERALITY}
     *     generality and {@value #GALLERY_PRESERVE} preserve prompts, with their seeds
     */
    List<GalleryPrompt> galleryPrompts(String task) {
        roles(task);
        List<GalleryPrompt> out = new ArrayList<>();
        int[] counts = {GALLERY_ERASED, GALLERY_GENERALITY, GALLERY_PRESERVE};
        List<String> cuts = List.of(Roles.ERASED_PROMPTS, Roles.GENERALITY_PROMPTS, Roles.PRESERVE_PROMPTS);
        for (int i = 0; i < cuts.size(); i++) {
            List<JsonNode> rows = read(data.resolve("cut." + task + "." + cuts.get(i) + ".jsonl"));
            for (JsonNode row : rows.subList(0, Math.min(counts[i], rows.size()))) {
                out.add(new GalleryPrompt(row.path("prompt").asText(), row.path("seed").asLong()));
            }
        }
        return out;
    }

    /**
     * Cuts the first {@value #IMAGES} real images of each erased concept out of {@value #IMAGE_SPLIT}:
     * the pixels sliced from its data file, a header with their SHA-256, and label lines
     * {@code {"id", "labels": {colour, shape, texture}}} (docs/data.md, "Labelled images").
     */
    private String conceptImages(String task, Set<String> erase) {
        Map<String, String> attributeOf = new HashMap<>();
        for (JsonNode c : read(data.resolve("concepts.jsonl"))) {
            attributeOf.put(c.path("name").asText(), c.path("attribute").asText(""));
        }
        List<JsonNode> labels = read(data.resolve("labels").resolve(IMAGE_SPLIT + ".jsonl"));
        JsonNode header = readHeader(data.resolve("images").resolve(IMAGE_SPLIT + ".json"));
        JsonNode shape = header.path("shape");
        int perImage = shape.path(1).asInt() * shape.path(2).asInt() * shape.path(3).asInt() * Float.BYTES;
        byte[] pixels;
        try {
            pixels = Files.readAllBytes(data.resolve("images").resolve(header.path("data").asText()));
        } catch (IOException e) {
            throw LetheException.invalidInput(data.resolve("images") + ": cannot read the " + IMAGE_SPLIT + " images: "
                    + e.getMessage());
        }
        if (shape.path(0).asInt() != labels.size() || (long) perImage * labels.size() != pixels.length) {
            throw LetheException.invalidInput("world '" + world + "': images/" + IMAGE_SPLIT + " and labels/" + IMAGE_SPLIT
                    + " do not match (train it again: unlearn:train " + world + ")");
        }
        Map<String, Integer> taken = new HashMap<>();
        java.io.ByteArrayOutputStream cut = new java.io.ByteArrayOutputStream();
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < labels.size(); i++) {
            JsonNode row = labels.get(i);
            for (String concept : erase) {
                if (!concept.equals(row.path(attributeOf.getOrDefault(concept, "")).asText(null))
                        || taken.merge(concept, 1, Integer::sum) > IMAGES) {
                    continue;
                }
                cut.write(pixels, i * perImage, perImage);
                ObjectNode line = JSON.createObjectNode();
                line.put("id", row.path("id").asText());
                ObjectNode values = line.putObject("labels");
                for (String attribute : List.of("colour", "shape", "texture")) {
                    if (row.hasNonNull(attribute)) {
                        values.put(attribute, row.path(attribute).asText());
                    }
                }
                try {
                    lines.append(JSON.writeValueAsString(line)).append('\n');
                } catch (IOException e) {
                    throw new IllegalStateException("writing to memory failed", e);
                }
                break;
            }
        }
        if (lines.length() == 0) {
            throw LetheException.invalidInput("world '" + world + "', task '" + task + "': no " + IMAGE_SPLIT
                    + " image shows the erased concepts " + erase);
        }
        String name = "cut." + task + "." + Roles.CONCEPT_IMAGES;
        byte[] f32 = cut.toByteArray();
        ObjectNode h = ((ObjectNode) header).deepCopy();
        h.putArray("shape").add(f32.length / perImage).add(shape.path(1).asInt()).add(shape.path(2).asInt())
                .add(shape.path(3).asInt());
        h.put("data", name + ".f32");
        h.put("sha256", com.google.common.hash.Hashing.sha256().hashBytes(f32).toString());
        try {
            WorldLayout.write(data.resolve(name + ".f32"), f32);
            WorldLayout.write(data.resolve(name + ".json"), (JSON.writeValueAsString(h) + "\n").getBytes(StandardCharsets.UTF_8));
            WorldLayout.write(data.resolve(name + ".jsonl"), lines.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw LetheException.invalidInput(data.resolve(name) + ": cannot write it: " + e.getMessage());
        }
        return "world:" + world + "/" + name;
    }

    private JsonNode readHeader(Path file) {
        if (!Files.isRegularFile(file)) {
            throw LetheException.invalidInput(file + ": missing from world '" + world + "' (train it again: unlearn:train "
                    + world + ")");
        }
        try {
            return JSON.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw LetheException.invalidInput(file + ": cannot read it: " + e.getMessage());
        }
    }

    private Path prompts(String split) {
        return data.resolve("prompts").resolve(split + ".jsonl");
    }

    private static Set<String> names(JsonNode array) {
        Set<String> out = new java.util.LinkedHashSet<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** The rows whose field is one of the values, at most {@code limit} per value, ids prefixed. */
    private static List<JsonNode> byField(List<JsonNode> rows, String field, Set<String> values, int limit, String idPrefix) {
        Map<String, Integer> taken = new HashMap<>();
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode row : rows) {
            String value = row.path(field).asText(null);
            if (value == null || !values.contains(value) || taken.merge(value, 1, Integer::sum) > limit) {
                continue;
            }
            if (idPrefix != null) {
                ObjectNode copy = ((ObjectNode) row).deepCopy();
                copy.put("id", idPrefix + row.path("id").asText());
                out.add(copy);
            } else {
                out.add(row);
            }
        }
        return out;
    }

    private List<JsonNode> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw LetheException.invalidInput(file + ": missing from world '" + world + "' (train it again: unlearn:train "
                    + world + ")");
        }
        try {
            List<JsonNode> rows = new ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    rows.add(JSON.readTree(line));
                }
            }
            return rows;
        } catch (IOException e) {
            throw LetheException.invalidInput(file + ": cannot read it: " + e.getMessage());
        }
    }

    /** Writes the rows to {@code cut.<task>.<role>.jsonl} (when changed) and returns its source. */
    private String cut(String task, String role, List<JsonNode> rows) {
        if (rows.isEmpty()) {
            throw LetheException.invalidInput("world '" + world + "', task '" + task + "': no " + role + " data");
        }
        String name = "cut." + task + "." + role; // a split name: no folders (core resolves world:<w>/<split>)
        Path target = data.resolve(name + ".jsonl");
        try {
            StringBuilder text = new StringBuilder();
            for (JsonNode row : rows) {
                text.append(JSON.writeValueAsString(row)).append('\n');
            }
            WorldLayout.write(target, text.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw LetheException.invalidInput(target + ": cannot write it: " + e.getMessage());
        }
        return "world:" + world + "/" + name;
    }
}
