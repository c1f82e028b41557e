package org.lethe.worlds.shapes;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lethe.api.LetheException;
import org.lethe.api.data.Concept;

/**
 * Writes a {@link ShapesWorld} as a folder (docs/data.md, "The shapes world"):
 * <pre>
 * concepts.jsonl                the concepts in the data contract (name, attribute, erasure aliases)
 * heldout_aliases.jsonl         the held-out aliases, same form (evaluation only)
 * tasks.jsonl                   erasure tasks: name, erase, preserve, neighbours
 * prompts/&lt;split&gt;.jsonl         train, eval_name, eval_alias, eval_heldout, eval_compositional, preserve_&lt;task&gt;
 *                               (prompt items of the data contract: id, prompt, labels, seed; plus concept, word, image)
 * images/&lt;split&gt;.f32 + .json     pixels ({@link ShapesImageFiles}) for train, classifier_train, classifier_holdout
 * labels/&lt;split&gt;.jsonl          one line per image: labels, layout, render seed, silhouette mask
 * vocabulary.txt                every prompt word, one a line
 * manifest.json                 seed, spec, sizes, every file's SHA-256 (written last)
 * </pre>
 * JSONL lines are compact objects in a fixed field order, UTF-8, {@code \n} after each; absent
 * optional fields are left out. The bytes depend on the world only, so a seed gives the same files.
 * Each file is written atomically (a temporary file fsynced and moved over the target), the
 * manifest last, so a folder with a manifest is complete.
 */
public final class ShapesCorpusWriter {

    /** The concepts file (the data contract). */
    public static final String CONCEPTS = "concepts.jsonl";
    /** The held-out aliases file. */
    public static final String HELDOUT_ALIASES = "heldout_aliases.jsonl";
    /** The erasure tasks file. */
    public static final String TASKS = "tasks.jsonl";
    /** The vocabulary's file name. */
    public static final String VOCABULARY = "vocabulary.txt";
    /** The manifest's file name. */
    public static final String MANIFEST = "manifest.json";

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            .build();
    private static final JsonMapper MAPPER = JsonMapper.builder().build();
    private static final DefaultPrettyPrinter PRETTY = new DefaultPrettyPrinter()
            .withObjectIndenter(new DefaultIndenter("  ", "\n"));
    private static final SecureRandom RANDOM = new SecureRandom();

    private ShapesCorpusWriter() {
    }

    /**
     * Writes the world into a folder (created if missing); files of the same names are replaced,
     * other files are left alone.
     *
     * @param world the world
     * @param folder the folder
     * @return the files written, in writing order (the manifest last)
     * @throws LetheException (invalid input) when the folder cannot be written, naming it
     */
    public static List<Path> write(ShapesWorld world, Path folder) {
        Map<String, byte[]> files = render(world);
        List<Path> written = new ArrayList<>();
        try {
            for (Map.Entry<String, byte[]> e : files.entrySet()) {
                Path target = folder.resolve(e.getKey());
                Files.createDirectories(target.toAbsolutePath().getParent());
                atomicWrite(target, e.getValue());
                written.add(target);
            }
        } catch (IOException e) {
            throw new LetheException(LetheException.INVALID_INPUT, folder + ": cannot write the shapes world: " + e, e);
        }
        return written;
    }

    /**
     * The folder's content without writing it.
     *
     * @param world the world
     * @return relative path ({@code /}-separated) → bytes, in writing order, {@value #MANIFEST} last
     */
    public static Map<String, byte[]> render(ShapesWorld world) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(CONCEPTS, conceptLines(world.contractConcepts()));
        files.put(HELDOUT_ALIASES, conceptLines(world.heldOutAliases()));
        files.put(TASKS, taskLines(world.tasks()));
        for (String split : world.promptSplitNames()) {
            files.put("prompts/" + split + ".jsonl", promptLines(world.prompts(split)));
        }
        for (String split : world.imageSplitNames()) {
            List<ShapesImage> images = world.images(split);
            byte[] data = ShapesImageFiles.f32(images);
            files.put("images/" + split + ".f32", data);
            files.put("images/" + split + ".json", ShapesImageFiles.header(split + ".f32", images.size(), data));
            files.put("labels/" + split + ".jsonl", labelLines(images));
        }
        StringBuilder vocabulary = new StringBuilder();
        for (String word : world.vocabulary()) {
            vocabulary.append(word).append('\n');
        }
        files.put(VOCABULARY, vocabulary.toString().getBytes(StandardCharsets.UTF_8));
        files.put(MANIFEST, manifest(world, files));
        return files;
    }

    /**
     * @param concepts concepts
     * @return their JSONL bytes, as the data service writes them (name, attribute, aliases)
     */
    static byte[] conceptLines(List<Concept> concepts) {
        return lines(concepts, (g, c) -> {
            g.writeStringField("name", c.name());
            if (c.attribute().isPresent()) {
                g.writeStringField("attribute", c.attribute().get());
            }
            strings(g, "aliases", c.aliases());
        });
    }

    private static byte[] taskLines(List<ErasureTask> tasks) {
        return lines(tasks, (g, t) -> {
            g.writeStringField("name", t.name());
            strings(g, "erase", t.erase());
            strings(g, "preserve", t.preserve());
            strings(g, "neighbours", t.neighbours());
        });
    }

    private static byte[] promptLines(List<ShapesPrompt> prompts) {
        return lines(prompts, (g, p) -> {
            g.writeStringField("id", p.id());
            g.writeStringField("prompt", p.text());
            // the data contract's prompt item (org.lethe.api.data.Prompt): what the prompt asks for
            g.writeObjectFieldStart("labels");
            g.writeStringField("colour", p.colour());
            g.writeStringField("shape", p.shape());
            g.writeStringField("texture", p.texture());
            if (p.context().isPresent()) {
                g.writeStringField("context", p.context().get());
            }
            g.writeEndObject();
            if (p.concept().isPresent()) {
                String concept = p.concept().get();
                g.writeStringField("concept", concept);
                g.writeStringField("word", p.word(ShapesLexicon.concept(concept).orElseThrow().attribute()));
            }
            if (p.image().isPresent()) {
                g.writeNumberField("image", p.image().getAsInt());
            }
            if (p.seed().isPresent()) {
                g.writeNumberField("seed", p.seed().getAsLong());
            }
        });
    }

    private static byte[] labelLines(List<ShapesImage> images) {
        return lines(images, (g, i) -> {
            g.writeStringField("id", i.id());
            g.writeStringField("kind", i.kind().label());
            optional(g, "colour", i.colour());
            optional(g, "shape", i.shape());
            optional(g, "texture", i.texture());
            optional(g, "material", i.material());
            optional(g, "context", i.context());
            g.writeNumberField("seed", i.seed());
            if (i.kind() == ShapesImage.Kind.OBJECT) {
                g.writeNumberField("centre_x", i.centreX());
                g.writeNumberField("centre_y", i.centreY());
                g.writeNumberField("radius", i.radius());
                g.writeArrayFieldStart("rgb");
                for (float v : i.rgb()) {
                    g.writeNumber(v);
                }
                g.writeEndArray();
            }
            g.writeStringField("mask", ShapesImageFiles.maskHex(i.mask()));
        });
    }

    /** Writes one item's fields into its JSON object. */
    interface Fields<T> {
        /**
         * @param g the generator, inside the item's object
         * @param item the item
         * @throws IOException never in memory
         */
        void write(JsonGenerator g, T item) throws IOException;
    }

    /** @return one compact JSON object per item, each followed by {@code \n} */
    static <T> byte[] lines(List<T> items, Fields<T> fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            for (T item : items) {
                try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
                    g.writeStartObject();
                    fields.write(g, item);
                    g.writeEndObject();
                }
                out.write('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory failed", e);
        }
        return out.toByteArray();
    }

    private static void optional(JsonGenerator g, String field, java.util.Optional<String> value) throws IOException {
        if (value.isPresent()) {
            g.writeStringField(field, value.get());
        }
    }

    private static void strings(JsonGenerator g, String field, List<String> values) throws IOException {
        if (values.isEmpty()) {
            return;
        }
        g.writeArrayFieldStart(field);
        for (String v : values) {
            g.writeString(v);
        }
        g.writeEndArray();
    }

    private static byte[] manifest(ShapesWorld world, Map<String, byte[]> files) {
        ShapesSpec spec = world.spec();
        ObjectNode m = MAPPER.createObjectNode();
        m.put("world", "shapes");
        m.put("format", 1);
        m.put("source", "generator");
        m.put("seed", world.seed());
        ObjectNode s = m.putObject("spec");
        s.put("train_per_combination", spec.trainPerCombination());
        s.put("classifier_train_per_combination", spec.classifierTrainPerCombination());
        s.put("classifier_holdout_per_combination", spec.classifierHoldoutPerCombination());
        s.put("no_object_train", spec.noObjectTrain());
        s.put("no_object_holdout", spec.noObjectHoldout());
        s.put("eval_prompts_per_concept", spec.evalPromptsPerConcept());
        s.put("alias_rate", spec.aliasRate());
        s.put("context_rate", spec.contextRate());
        s.put("prompt_dropout", spec.promptDropout());
        s.put("attribute_dropout", spec.attributeDropout());
        s.put("train_held_out_aliases", spec.trainHeldOutAliases());
        ObjectNode image = m.putObject("image");
        image.put("size", ShapesLexicon.SIZE);
        image.put("channels", ShapesLexicon.CHANNELS);
        image.put("layout", "CHW");
        image.put("dtype", "float32");
        image.putArray("range").add(0.0).add(1.0);
        image.put("silhouette_threshold", ShapesLexicon.SILHOUETTE_THRESHOLD);
        ObjectNode attributes = m.putObject("attributes");
        for (Attribute a : Attribute.values()) {
            ArrayNode values = attributes.putArray(a.label());
            ShapesLexicon.concepts(a).forEach(c -> values.add(c.name()));
        }
        ArrayNode context = m.putArray("context_words");
        ShapesLexicon.CONTEXT_WORDS.forEach(context::add);
        m.put("filler", ShapesLexicon.FILLER);
        m.put("vocabulary_size", world.vocabulary().size());
        m.put("max_prompt_tokens", world.maxPromptTokens());
        ObjectNode counts = m.putObject("images");
        for (String split : world.imageSplitNames()) {
            counts.put(split, world.images(split).size());
        }
        ObjectNode promptCounts = m.putObject("prompts");
        for (String split : world.promptSplitNames()) {
            promptCounts.put(split, world.prompts(split).size());
        }
        ObjectNode fingerprints = m.putObject("files");
        files.forEach((name, bytes) -> {
            ObjectNode f = fingerprints.putObject(name);
            f.put("bytes", bytes.length);
            f.put("sha256", ShapesImageFiles.sha256(bytes));
        });
        ArrayNode notes = m.putArray("notes");
        notes.add("data only: the diffusion model and the concept classifier that train on it come later");
        notes.add(spec.trainHeldOutAliases()
                ? "held-out aliases are in the training prompts (the base model learns them) and never in "
                        + "concepts.jsonl, tasks.jsonl or an erasure or preserve prompt"
                : "held-out aliases are in no training prompt, and never in concepts.jsonl, tasks.jsonl or an "
                        + "erasure or preserve prompt");
        return pretty(m);
    }

    /** @return the object as indented JSON bytes ending in {@code \n} (a manifest's form) */
    static byte[] pretty(ObjectNode m) {
        try {
            byte[] json = MAPPER.writer(PRETTY).writeValueAsBytes(m);
            byte[] out = new byte[json.length + 1];
            System.arraycopy(json, 0, out, 0, json.length);
            out[json.length] = '\n';
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory failed", e);
        }
    }

    /** Writes a file atomically: a temporary file beside it, fsynced, then moved over it. */
    static void atomicWrite(Path target, byte[] bytes) throws IOException {
        Path parent = target.toAbsolutePath().getParent();
        byte[] suffix = new byte[8];
        RANDOM.nextBytes(suffix);
        Path temp = parent.resolve("." + target.getFileName() + "." + HexFormat.of().formatHex(suffix) + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    ch.write(buffer);
                }
                ch.force(true);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
