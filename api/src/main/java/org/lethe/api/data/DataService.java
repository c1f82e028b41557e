package org.lethe.api.data;

import java.nio.file.Path;
import java.util.List;
import org.lethe.api.LetheException;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Reads and writes the JSONL files of DESIGN §4 (UTF-8, one JSON object a line). A bad file is
 * refused whole, with an error that names the file, the line and the field; lines are limited in
 * length and files in item count, so a hostile file cannot exhaust memory.
 */
@ProviderType
public interface DataService {

    /** Longest accepted line, in bytes. */
    int MAX_LINE_BYTES = 1 << 20;

    /** Most items accepted from one file. */
    int MAX_ITEMS = 1_000_000;

    /**
     * @param file question–answer JSONL ({@code question} and {@code answer} required)
     * @return its items
     * @throws LetheException (invalid input) naming file, line and field
     */
    DataSet<QaItem> readQa(Path file);

    /**
     * @param file document JSONL ({@code text} required)
     * @return its documents
     * @throws LetheException (invalid input) naming file, line and field
     */
    DataSet<Document> readDocuments(Path file);

    /**
     * @param file concept JSONL ({@code name} required)
     * @return its concepts
     * @throws LetheException (invalid input) naming file, line and field
     */
    DataSet<Concept> readConcepts(Path file);

    /**
     * @param file prompt JSONL ({@code prompt} required; {@code labels}, an object of strings, and
     *     {@code seed}, a non-negative integer, optional)
     * @return its prompts
     * @throws LetheException (invalid input) naming file, line and field
     * @since 1.1
     */
    DataSet<Prompt> readPrompts(Path file);

    /**
     * Reads a labelled image set: a label JSONL file, one line per image in image order ({@code id}
     * required and unique, {@code labels} an object of strings optional, other fields ignored), and
     * beside it, with the same name ending in {@code .json} instead of {@code .jsonl}, the header of
     * the images' {@code lethe-images} file (docs/data.md: {@code format}, {@code version} 1,
     * {@code dtype} float32, {@code byte_order} little, {@code layout} NCHW, {@code shape}
     * [N, C, H, W], {@code range} [0, 1], {@code data} a {@code .f32} file next to it, {@code sha256}
     * of that file). The header's N must equal the label lines, the data file's length must be
     * exactly N·C·H·W·4 bytes, its SHA-256 must match, and every value must be finite and in [0, 1].
     *
     * @param labels the label JSONL file; its images' header and data lie next to it
     * @return the images in file order, named after the label file, fingerprinted over the label
     *     file's bytes and the images' SHA-256
     * @throws LetheException (invalid input) naming the file, line (or image) and field of the first problem
     * @since 1.2
     */
    DataSet<LabelledImage> readImages(Path labels);

    /**
     * Reads a visual question-answer set: a question JSONL file ({@code id} unique, {@code image} the
     * id of an image of the set beside it, {@code question}, {@code answer}, {@code attribute} and
     * {@code form} required; other fields ignored) and its images, the labelled image set whose label
     * file has the question file's name with {@code .jsonl} replaced by {@code .images.jsonl} (read as
     * {@link #readImages} reads it). Every question's image must be in that set.
     *
     * @param questions the question JSONL file; its image set lies next to it
     * @return the items in file order, named after the question file, fingerprinted over the question
     *     file's bytes and the image set's fingerprint
     * @throws LetheException (invalid input) naming the file, line and field of the first problem
     * @since 1.3
     */
    DataSet<VqaItem> readVqa(Path questions);

    /**
     * Writes items as JSONL, atomically (a temporary file renamed over the target).
     *
     * @param file the target
     * @param items {@link QaItem}s, {@link Document}s, {@link Concept}s or {@link Prompt}s
     */
    void write(Path file, List<?> items);
}
