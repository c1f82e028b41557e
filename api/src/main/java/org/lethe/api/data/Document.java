package org.lethe.api.data;

import java.util.Objects;

/**
 * A text the model learns from (e.g. a RESTOR-style corrupting document), one line of a document
 * JSONL file.
 *
 * @param id a stable id, unique in its file (the line number when the file gives none)
 * @param text the text, required
 */
public record Document(String id, String text) {

    /** Rejects missing fields. */
    public Document {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(text, "text");
    }
}
