package org.lethe.report.compare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.hash.Hashing;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.lethe.api.LetheException;
import org.lethe.api.data.VqaItem;
import org.lethe.api.eval.Roles;
import org.lethe.api.method.Task;

/**
 * Which files of a trained visual question-answering world ({@code shapes-vqa}) a comparison reads
 * for an unlearning task, by {@link Roles role}. A world is a VQA world when its data folder holds
 * the question files {@value #SPLITS}{@code /}{@value #TRAIN}{@code .jsonl} and
 * {@value #SPLITS}{@code /}{@value #HOLDOUT}{@code .jsonl} with their image sets
 * ({@code <split>.images.jsonl} beside each, as {@code DataService.readVqa} reads them;
 * {@code ShapesVqaWriter}).
 *
 * <p>A task is a concept set C: one concept of {@value #CONCEPTS} by its name ({@code red}), or a
 * multi-concept task ({@code multi3}: red, yellow, blue; {@code multi6}: those and circle, square,
 * stripes, as the shapes world defines them), or any task the world lists in {@value #TASKS}
 * ({@code name}, {@code erase}, {@code preserve}). Its roles:
 * <ul>
 * <li>{@link Task#ERASE} / {@link Task#KEEP}: the concept lines of C and of the other concepts (or the
 *     task's {@code preserve} list);</li>
 * <li>{@link Task#FORGET}: template questions of {@value #TRAIN} whose answer is in C, on images that
 *     show it (the image's value of the asked attribute is the answer), at most {@value #FORGET} drawn
 *     evenly over the concepts of C;</li>
 * <li>{@link Task#RETAIN}: the other questions of {@value #TRAIN}, at most {@value #RETAIN};</li>
 * <li>{@link Roles#VQA_FORGET}: {@value #HOLDOUT} template questions whose answer is in C, on images
 *     showing it;</li>
 * <li>{@link Roles#VQA_SELECTIVITY}: {@value #HOLDOUT} template questions on images that show a concept
 *     of C, about an attribute whose value on the image is not in C ("what shape is the red object";
 *     never the erased attribute's value);</li>
 * <li>{@link Roles#VQA_UTILITY}: {@value #HOLDOUT} template questions on images that show no concept of
 *     C;</li>
 * <li>{@link Roles#VQA_PARAPHRASE}: {@value #HOLDOUT} held-out paraphrases whose answer is in C, on
 *     images showing it;</li>
 * <li>{@link Roles#VQA_YES_NO}: {@value #HOLDOUT} yes/no questions that name a concept of C, the true
 *     ones (answer {@code yes}) and the false ones ({@code no}). The concept a question names is its
 *     line's {@code concept} field when it has one; otherwise for a true question the image's value of
 *     the attribute, for a false one the single concept of that attribute the question's words name.</li>
 * </ul>
 * Every evaluation role holds at most {@value #PER_ROLE} questions, the first in file order (the
 * world's images are drawn at random, so the first rows are a fair sample). The training roles are
 * drawn with a fixed seed ({@value #SAMPLE_SEED}, one stream per concept), so a task's cut is the same
 * on every machine and in every run. Each cut is written beside the world's files as a question file
 * {@code cut.<task>.<role>.jsonl} with its own image set ({@code cut.<task>.<role>.images.jsonl}, its
 * header {@code .images.json} and pixels {@code .images.f32}: the images the questions ask about,
 * sliced from the split's pixels), rewritten only when its bytes change.
 */
final class VqaLayout {

    /** The folder of the world's question splits, under its data folder: {@value}. */
    static final String SPLITS = "vqa";
    /** The split the model trained on, the pool of the forget and retain sets: {@value}. */
    static final String TRAIN = "train";
    /** The held-out split the evaluation roles come from: {@value}. */
    static final String HOLDOUT = "holdout";
    /** The world's concepts (name, attribute): {@value}. */
    static final String CONCEPTS = "concepts.jsonl";
    /** The world's own tasks, when it lists any: {@value}. */
    static final String TASKS = "tasks.jsonl";
    /** Forget questions of a task, at most: {@value}. */
    static final int FORGET = 256;
    /** Retain questions of a task, at most: {@value}. */
    static final int RETAIN = 1024;
    /** Questions of an evaluation role, at most: {@value}. */
    static final int PER_ROLE = 512;
    /** The seed the training roles are drawn with: {@value}. */
    static final long SAMPLE_SEED = 9;

    /** The multi-concept tasks of the shapes world (1, 3 and 6 concepts at once). */
    static final Map<String, List<String>> MULTI = multi();

    private static final String IMAGES = ".images";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final String world;
    private final Path data;

    /**
     * @param world the world's name
     * @param data the training run's data folder
     */
    VqaLayout(String world, Path data) {
        this.world = world;
        this.data = data;
    }

    private static Map<String, List<String>> multi() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        out.put("multi3", List.of("red", "yellow", "blue"));
        out.put("multi6", List.of("red", "yellow", "blue", "circle", "square", "stripes"));
        return out;
    }

    /**
     * @param data a trained world's data folder
     * @return whether it is a visual question-answering world: it has the {@value #TRAIN} and
     *     {@value #HOLDOUT} question files with their image sets
     */
    static boolean isVqaWorld(Path data) {
        Path splits = data.resolve(SPLITS);
        return Files.isRegularFile(splits.resolve(HOLDOUT + ".jsonl")) && Files.isRegularFile(splits.resolve(HOLDOUT + IMAGES + ".jsonl"))
                && Files.isRegularFile(splits.resolve(TRAIN + ".jsonl")) && Files.isRegularFile(splits.resolve(TRAIN + IMAGES + ".jsonl"));
    }

    /**
     * @return the base model's id: {@code shapes-vlm} for the world {@code shapes-vqa}
     *     ({@code <w>-vqa} → {@code <w>-vlm}), {@code <world>-vlm} for another name
     */
    String baseModel() {
        String stem = world.endsWith("-vqa") ? world.substring(0, world.length() - "-vqa".length()) : world;
        return stem + "-vlm";
    }

    /** @return the task names: the world's own when it lists them, else every concept, then multi3 and multi6 */
    List<String> tasks() {
        if (Files.isRegularFile(data.resolve(TASKS))) {
            List<String> names = new ArrayList<>();
            for (JsonNode task : read(data.resolve(TASKS))) {
                names.add(task.path("name").asText());
            }
            return names;
        }
        Map<String, String> attributes = attributes();
        List<String> names = new ArrayList<>(attributes.keySet());
        MULTI.forEach((name, concepts) -> {
            if (attributes.keySet().containsAll(concepts)) {
                names.add(name);
            }
        });
        return names;
    }

    /**
     * @param task a task of the world
     * @return its concept set C and its kept concepts
     * @throws LetheException (invalid input) for a task the world does not have, naming those it has
     */
    Concepts concepts(String task) {
        Map<String, String> attributes = attributes();
        Set<String> erase = null;
        Set<String> keep = null;
        if (Files.isRegularFile(data.resolve(TASKS))) {
            for (JsonNode t : read(data.resolve(TASKS))) {
                if (t.path("name").asText().equals(task)) {
                    erase = names(t.path("erase"));
                    keep = t.has("preserve") ? names(t.path("preserve")) : null;
                }
            }
        } else if (attributes.containsKey(task)) {
            erase = Set.of(task);
        } else if (MULTI.containsKey(task) && attributes.keySet().containsAll(MULTI.get(task))) {
            erase = new LinkedHashSet<>(MULTI.get(task));
        }
        if (erase == null || erase.isEmpty()) {
            throw LetheException.invalidInput("'" + task + "' is not a task of world '" + world + "' (its tasks: "
                    + String.join(", ", tasks()) + ")");
        }
        for (String concept : erase) {
            if (!attributes.containsKey(concept)) {
                throw LetheException.invalidInput(data.resolve(TASKS) + ": task '" + task + "': concept '" + concept
                        + "' is not in " + CONCEPTS);
            }
        }
        if (keep == null) {
            keep = new LinkedHashSet<>(attributes.keySet());
            keep.removeAll(erase);
        }
        Map<String, String> of = new LinkedHashMap<>();
        erase.forEach(c -> of.put(c, attributes.get(c)));
        return new Concepts(of, keep);
    }

    /**
     * A task's concepts.
     *
     * @param erase the concept set C: name → the attribute it is a value of, in task order
     * @param keep the concepts that must survive
     */
    record Concepts(Map<String, String> erase, Set<String> keep) {

        /** @return whether the value is a concept of C */
        boolean erases(String value) {
            return value != null && erase.containsKey(value);
        }
    }

    /**
     * Cuts the task's data and names each role's file.
     *
     * @param task a task of the world, e.g. {@code red} or {@code multi3}
     * @return role → data source ({@code world:<world>/cut.<task>.<role>}), in report order
     * @throws LetheException (invalid input) for a task the world does not have, a split that is
     *     missing or broken (naming the file and line), or a role that would be empty
     */
    Map<String, String> roles(String task) {
        Concepts c = concepts(task);
        List<JsonNode> conceptLines = read(data.resolve(CONCEPTS));
        Map<String, String> roles = new LinkedHashMap<>();
        roles.put(Task.ERASE, jsonl(task, Task.ERASE, conceptLines.stream()
                .filter(l -> c.erase().containsKey(l.path("name").asText())).toList()));
        roles.put(Task.KEEP, jsonl(task, Task.KEEP, conceptLines.stream()
                .filter(l -> c.keep().contains(l.path("name").asText())).toList()));

        Split train = split(TRAIN);
        List<Question> forgetPool = train.questions().stream().filter(q -> q.isTemplate() && q.asksFor(c)).toList();
        List<Question> retainPool = train.questions().stream().filter(q -> !(q.isTemplate() && q.asksFor(c))).toList();
        roles.put(Task.FORGET, vqa(task, Task.FORGET, train, perConcept(forgetPool, c)));
        roles.put(Task.RETAIN, vqa(task, Task.RETAIN, train, sample(retainPool, RETAIN, new SplittableRandom(SAMPLE_SEED))));

        Split holdout = split(HOLDOUT);
        roles.put(Roles.VQA_FORGET, vqa(task, Roles.VQA_FORGET, holdout,
                first(holdout, q -> q.isTemplate() && q.asksFor(c))));
        roles.put(Roles.VQA_SELECTIVITY, vqa(task, Roles.VQA_SELECTIVITY, holdout,
                first(holdout, q -> q.isTemplate() && q.showsAny(c) && !c.erases(q.value()))));
        roles.put(Roles.VQA_UTILITY, vqa(task, Roles.VQA_UTILITY, holdout,
                first(holdout, q -> q.isTemplate() && !q.showsAny(c))));
        roles.put(Roles.VQA_PARAPHRASE, vqa(task, Roles.VQA_PARAPHRASE, holdout,
                first(holdout, q -> q.form().equals(VqaItem.PARAPHRASE) && q.asksFor(c))));
        Map<String, Set<String>> vocabulary = new HashMap<>();
        attributes().forEach((name, attribute) -> vocabulary.computeIfAbsent(attribute, k -> new TreeSet<>()).add(name));
        roles.put(Roles.VQA_YES_NO, vqa(task, Roles.VQA_YES_NO, holdout,
                first(holdout, q -> q.form().equals(VqaItem.YES_NO) && c.erases(q.named(vocabulary)))));
        return roles;
    }

    /** Concept name → attribute, in file order. */
    private Map<String, String> attributes() {
        Map<String, String> out = new LinkedHashMap<>();
        int line = 0;
        for (JsonNode concept : read(data.resolve(CONCEPTS))) {
            line++;
            String name = concept.path("name").asText("");
            String attribute = concept.path("attribute").asText("");
            if (name.isBlank() || attribute.isBlank()) {
                throw LetheException.invalidInput(data.resolve(CONCEPTS) + ": line " + line + ": field '"
                        + (name.isBlank() ? "name" : "attribute") + "' is missing (a VQA world's concepts name the"
                        + " attribute they are a value of)");
            }
            out.put(name, attribute);
        }
        return out;
    }

    // ------------------------------------------------------------------ selection

    /** At most {@value #FORGET} of the pool, the same share for every concept of C, each drawn with its own stream. */
    private static List<Question> perConcept(List<Question> pool, Concepts c) {
        List<Question> out = new ArrayList<>();
        int k = 0;
        int n = c.erase().size();
        for (String concept : c.erase().keySet()) {
            int quota = FORGET / n + (k < FORGET % n ? 1 : 0);
            List<Question> of = pool.stream().filter(q -> q.answer().equals(concept)).toList();
            out.addAll(sample(of, quota, new SplittableRandom(SAMPLE_SEED + 1 + concept.hashCode())));
            k++;
        }
        out.sort(java.util.Comparator.comparingInt(Question::line));
        return out;
    }

    /** At most {@code limit} rows drawn without replacement (partial Fisher–Yates), in file order. */
    private static List<Question> sample(List<Question> pool, int limit, SplittableRandom random) {
        if (pool.size() <= limit) {
            return pool;
        }
        List<Question> shuffled = new ArrayList<>(pool);
        for (int i = 0; i < limit; i++) {
            int j = i + random.nextInt(shuffled.size() - i);
            Question t = shuffled.get(i);
            shuffled.set(i, shuffled.get(j));
            shuffled.set(j, t);
        }
        List<Question> out = new ArrayList<>(shuffled.subList(0, limit));
        out.sort(java.util.Comparator.comparingInt(Question::line));
        return out;
    }

    private static List<Question> first(Split split, Predicate<Question> test) {
        return split.questions().stream().filter(test).limit(PER_ROLE).toList();
    }

    // ------------------------------------------------------------------ reading

    /**
     * One question line with the labels of its image.
     *
     * @param line its line number (1-based)
     * @param json the line as read (written back unchanged)
     * @param file the question file, for errors
     * @param labels the image's labels
     */
    record Question(int line, JsonNode json, Path file, Map<String, String> labels) {

        String image() {
            return json.path("image").asText();
        }

        String answer() {
            return json.path("answer").asText();
        }

        String attribute() {
            return json.path("attribute").asText();
        }

        String form() {
            return json.path("form").asText();
        }

        boolean isTemplate() {
            return form().equals(VqaItem.TEMPLATE);
        }

        /** @return the image's value of the asked attribute */
        String value() {
            return labels.get(attribute());
        }

        /** @return whether the answer is a concept of C that the image shows as the asked attribute */
        boolean asksFor(Concepts c) {
            return c.erases(answer()) && answer().equals(value());
        }

        /** @return whether the image shows a concept of C (as the attribute C's concept belongs to) */
        boolean showsAny(Concepts c) {
            return c.erase().entrySet().stream().anyMatch(e -> e.getKey().equals(labels.get(e.getValue())));
        }

        /**
         * @param vocabulary attribute → its concept names
         * @return the concept a yes/no question names
         */
        String named(Map<String, Set<String>> vocabulary) {
            if (json.hasNonNull("concept")) {
                return json.path("concept").asText();
            }
            if (answer().equals("yes")) {
                return value();
            }
            Set<String> words = new java.util.HashSet<>(Arrays.asList(json.path("question").asText()
                    .toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}-]+")));
            List<String> named = vocabulary.getOrDefault(attribute(), Set.of()).stream().filter(words::contains).toList();
            if (named.size() != 1) {
                throw LetheException.invalidInput(file + ": line " + line + ": field 'question': a yes/no question about '"
                        + attribute() + "' must name one of its values " + vocabulary.getOrDefault(attribute(), Set.of())
                        + " (or give the field 'concept'), but names " + named);
            }
            return named.get(0);
        }
    }

    /**
     * A split as read: its questions and its image set.
     *
     * @param name the split's name
     * @param questions its questions, in file order
     * @param imageLines each image's label line, by id
     * @param imageIndex each image's position in the pixel file, by id
     * @param header the image set's header
     * @param pixels the pixel file's bytes
     * @param perImage bytes per image
     */
    record Split(String name, List<Question> questions, Map<String, JsonNode> imageLines, Map<String, Integer> imageIndex,
            JsonNode header, byte[] pixels, int perImage) {
    }

    private Split split(String name) {
        Path splits = data.resolve(SPLITS);
        Path questions = splits.resolve(name + ".jsonl");
        Path labels = splits.resolve(name + IMAGES + ".jsonl");
        Path headerFile = splits.resolve(name + IMAGES + ".json");
        List<JsonNode> imageRows = read(labels);
        JsonNode header = readJson(headerFile);
        JsonNode shape = header.path("shape");
        if (!shape.isArray() || shape.size() != 4) {
            throw LetheException.invalidInput(headerFile + ": field 'shape': expected [N, C, H, W]");
        }
        int perImage = shape.path(1).asInt() * shape.path(2).asInt() * shape.path(3).asInt() * Float.BYTES;
        Path pixelFile = splits.resolve(header.path("data").asText(name + IMAGES + ".f32"));
        byte[] pixels;
        try {
            pixels = Files.readAllBytes(pixelFile);
        } catch (IOException e) {
            throw LetheException.invalidInput(pixelFile + ": cannot read the " + name + " images: " + e.getMessage());
        }
        if (shape.path(0).asInt() != imageRows.size() || (long) perImage * imageRows.size() != pixels.length) {
            throw LetheException.invalidInput("world '" + world + "': " + headerFile.getFileName() + " and "
                    + labels.getFileName() + " do not match (train it again: unlearn:train " + world + ")");
        }
        Map<String, JsonNode> lines = new HashMap<>();
        Map<String, Integer> index = new HashMap<>();
        Map<String, Map<String, String>> labelsOf = new HashMap<>();
        for (int i = 0; i < imageRows.size(); i++) {
            JsonNode row = imageRows.get(i);
            String id = row.path("id").asText("");
            Map<String, String> values = new HashMap<>();
            row.path("labels").fields().forEachRemaining(e -> values.put(e.getKey(), e.getValue().asText()));
            lines.put(id, row);
            index.put(id, i);
            labelsOf.put(id, values);
        }
        List<Question> out = new ArrayList<>();
        int line = 0;
        for (JsonNode q : read(questions)) {
            line++;
            for (String field : List.of("id", "image", "question", "answer", "attribute", "form")) {
                if (q.path(field).asText("").isBlank()) {
                    throw LetheException.invalidInput(questions + ": line " + line + ": field '" + field + "' is missing");
                }
            }
            Map<String, String> of = labelsOf.get(q.path("image").asText());
            if (of == null) {
                throw LetheException.invalidInput(questions + ": line " + line + ": field 'image': no image '"
                        + q.path("image").asText() + "' in " + labels.getFileName());
            }
            out.add(new Question(line, q, questions, of));
        }
        return new Split(name, out, lines, index, header, pixels, perImage);
    }

    private JsonNode readJson(Path file) {
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

    private List<JsonNode> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw LetheException.invalidInput(file + ": missing from world '" + world + "' (train it again: unlearn:train "
                    + world + ")");
        }
        List<JsonNode> rows = new ArrayList<>();
        int line = 0;
        try {
            for (String text : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                line++;
                if (!text.isBlank()) {
                    rows.add(JSON.readTree(text));
                }
            }
        } catch (IOException e) {
            throw LetheException.invalidInput(file + (line > 0 ? ": line " + line : "") + ": cannot read it: " + e.getMessage());
        }
        return rows;
    }

    private static Set<String> names(JsonNode array) {
        Set<String> out = new LinkedHashSet<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    // ------------------------------------------------------------------ writing

    /** Writes concept lines to {@code cut.<task>.<role>.jsonl} and returns its source. */
    private String jsonl(String task, String role, List<JsonNode> rows) {
        if (rows.isEmpty()) {
            throw LetheException.invalidInput("world '" + world + "', task '" + task + "': no " + role + " data");
        }
        String name = "cut." + task + "." + role;
        write(data.resolve(name + ".jsonl"), lines(rows));
        return "world:" + world + "/" + name;
    }

    /**
     * Writes the questions to {@code cut.<task>.<role>.jsonl} and the images they ask about (in the
     * order of their first question) to its image set, and returns its source.
     */
    private String vqa(String task, String role, Split split, List<Question> questions) {
        if (questions.isEmpty()) {
            throw LetheException.invalidInput("world '" + world + "', task '" + task + "': no " + role + " questions in "
                    + split.name() + ".jsonl");
        }
        String name = "cut." + task + "." + role;
        Map<String, JsonNode> images = new LinkedHashMap<>();
        questions.forEach(q -> images.putIfAbsent(q.image(), split.imageLines().get(q.image())));
        ByteArrayOutputStream pixels = new ByteArrayOutputStream(images.size() * split.perImage());
        for (String id : images.keySet()) {
            pixels.write(split.pixels(), split.imageIndex().get(id) * split.perImage(), split.perImage());
        }
        byte[] f32 = pixels.toByteArray();
        ObjectNode header = ((ObjectNode) split.header()).deepCopy();
        JsonNode shape = split.header().path("shape");
        header.putArray("shape").add(images.size()).add(shape.path(1).asInt()).add(shape.path(2).asInt())
                .add(shape.path(3).asInt());
        header.put("data", name + IMAGES + ".f32");
        header.put("sha256", Hashing.sha256().hashBytes(f32).toString());
        write(data.resolve(name + IMAGES + ".f32"), f32);
        try {
            write(data.resolve(name + IMAGES + ".json"), (JSON.writeValueAsString(header) + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory failed", e);
        }
        write(data.resolve(name + IMAGES + ".jsonl"), lines(List.copyOf(images.values())));
        write(data.resolve(name + ".jsonl"), lines(questions.stream().map(Question::json).toList()));
        return "world:" + world + "/" + name;
    }

    private static byte[] lines(List<JsonNode> rows) {
        StringBuilder text = new StringBuilder();
        try {
            for (JsonNode row : rows) {
                text.append(JSON.writeValueAsString(row)).append('\n');
            }
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory failed", e);
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void write(Path target, byte[] bytes) {
        try {
            WorldLayout.write(target, bytes);
        } catch (IOException e) {
            throw LetheException.invalidInput(target + ": cannot write it: " + e.getMessage());
        }
    }
}
