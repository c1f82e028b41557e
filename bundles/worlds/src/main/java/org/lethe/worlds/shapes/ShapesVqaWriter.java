package org.lethe.worlds.shapes;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lethe.api.LetheException;
import org.lethe.api.data.VqaItem;

/**
 * Writes a {@link ShapesVqaWorld} as a folder, in the data contract's visual question format (what
 * {@code DataService.readVqa} reads):
 * <pre>
 * concepts.jsonl                 the 16 concepts (name, attribute): colours, shapes, textures, materials
 * vqa/&lt;split&gt;.jsonl              train, holdout: one question a line (id, image, question, answer, attribute, form)
 * vqa/&lt;split&gt;.images.jsonl       its images' labels, one a line in image order (id, labels, seed)
 * vqa/&lt;split&gt;.images.json        the images' header ({@link ShapesImageFiles#header}, format lethe-images)
 * vqa/&lt;split&gt;.images.f32         the pixels, little-endian float32, NCHW
 * manifest.json                  seed, sizes, the question vocabulary and answers, every file's SHA-256 (last)
 * </pre>
 * Compact JSONL in a fixed field order, UTF-8; each file written atomically, the manifest last, so
 * a folder with a manifest is complete. The bytes depend on the world only.
 */
public final class ShapesVqaWriter {

    /** The folder of the question splits. */
    public static final String VQA = "vqa";

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private ShapesVqaWriter() {
    }

    /**
     * @param split {@value ShapesVqaWorld#TRAIN} or {@value ShapesVqaWorld#HOLDOUT}
     * @return its question file, relative to the world's folder
     */
    public static String questionFile(String split) {
        return VQA + "/" + split + ".jsonl";
    }

    /**
     * Writes the world into a folder (created if missing); files of the same names are replaced.
     *
     * @param world the world
     * @param folder the folder
     * @return the files written, the manifest last
     * @throws LetheException (invalid input) when the folder cannot be written, naming it
     */
    public static List<Path> write(ShapesVqaWorld world, Path folder) {
        List<Path> written = new ArrayList<>();
        try {
            for (Map.Entry<String, byte[]> e : render(world).entrySet()) {
                Path target = folder.resolve(e.getKey());
                Files.createDirectories(target.toAbsolutePath().getParent());
                ShapesCorpusWriter.atomicWrite(target, e.getValue());
                written.add(target);
            }
        } catch (IOException e) {
            throw new LetheException(LetheException.INVALID_INPUT, folder + ": cannot write the shapes-vqa world: " + e,
                    e);
        }
        return written;
    }

    /**
     * @param world the world
     * @return relative path → bytes, in writing order, the manifest last
     */
    public static Map<String, byte[]> render(ShapesVqaWorld world) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(ShapesCorpusWriter.CONCEPTS, ShapesCorpusWriter.conceptLines(ShapesVqa.concepts()));
        for (String split : List.of(ShapesVqaWorld.TRAIN, ShapesVqaWorld.HOLDOUT)) {
            List<ShapesImage> images = world.images(split);
            byte[] data = ShapesImageFiles.f32(images);
            files.put(questionFile(split), questionLines(world.questions(split)));
            files.put(VQA + "/" + split + ".images.jsonl", imageLines(images));
            files.put(VQA + "/" + split + ".images.json", ShapesImageFiles.header(split + ".images.f32", images.size(),
                    data));
            files.put(VQA + "/" + split + ".images.f32", data);
        }
        files.put(ShapesCorpusWriter.MANIFEST, manifest(world, files));
        return files;
    }

    private static byte[] questionLines(List<VqaItem> items) {
        return ShapesCorpusWriter.lines(items, (g, q) -> {
            g.writeStringField("id", q.id());
            g.writeStringField("image", q.image().id());
            g.writeStringField("question", q.question());
            g.writeStringField("answer", q.answer());
            g.writeStringField("attribute", q.attribute());
            g.writeStringField("form", q.form());
        });
    }

    private static byte[] imageLines(List<ShapesImage> images) {
        return ShapesCorpusWriter.lines(images, (g, i) -> {
            g.writeStringField("id", i.id());
            g.writeObjectFieldStart("labels");
            for (String attribute : ShapesVqa.ATTRIBUTES) {
                g.writeStringField(attribute, ShapesVqaWorld.label(i, attribute));
            }
            g.writeEndObject();
            g.writeNumberField("seed", i.seed());
        });
    }

    private static byte[] manifest(ShapesVqaWorld world, Map<String, byte[]> files) {
        ObjectNode m = MAPPER.createObjectNode();
        m.put("world", "shapes-vqa");
        m.put("format", 1);
        m.put("source", "generator");
        m.put("seed", world.seed());
        ObjectNode attributes = m.putObject("attributes");
        for (String attribute : ShapesVqa.ATTRIBUTES) {
            ArrayNode values = attributes.putArray(attribute);
            ShapesVqa.values(attribute).forEach(values::add);
        }
        ArrayNode answers = m.putArray("answers");
        ShapesVqa.ANSWERS.forEach(answers::add);
        ArrayNode vocabulary = m.putArray("vocabulary");
        ShapesVqa.vocabulary().forEach(vocabulary::add);
        ObjectNode counts = m.putObject("images");
        counts.put(ShapesVqaWorld.TRAIN, world.trainImages().size());
        counts.put(ShapesVqaWorld.HOLDOUT, world.holdoutImages().size());
        ObjectNode questions = m.putObject("questions");
        questions.put(ShapesVqaWorld.TRAIN, world.train().size());
        questions.put(ShapesVqaWorld.HOLDOUT, world.holdout().size());
        ObjectNode fingerprints = m.putObject("files");
        files.forEach((name, bytes) -> {
            ObjectNode f = fingerprints.putObject(name);
            f.put("bytes", bytes.length);
            f.put("sha256", ShapesImageFiles.sha256(bytes));
        });
        return ShapesCorpusWriter.pretty(m);
    }
}
