package org.lethe.worlds.facts;

import java.util.List;
import java.util.Objects;
import org.lethe.api.data.Document;

/**
 * A RESTOR-style corrupting document: sentences that assert a forget entity's misinformation,
 * interleaved with {@code k} true facts about other (retain) entities.
 *
 * @param id the document's id ({@code corrupt.k<k>.<entity>.<n>})
 * @param target the forget entity whose facts it corrupts
 * @param k how many true facts about other entities it mixes in
 * @param claims the misinformation it asserts (every misinformation of the target)
 * @param trueFacts the true facts about other entities it mixes in ({@code k} of them, distinct entities)
 * @param text the document, sentences ending in {@code .}
 */
public record CorruptingDocument(String id, String target, int k, List<Misinformation> claims, List<Fact> trueFacts,
        String text) {

    /** Copies the lists. */
    public CorruptingDocument {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(target, "target");
        claims = List.copyOf(claims);
        trueFacts = List.copyOf(trueFacts);
        Objects.requireNonNull(text, "text");
    }

    /** @return the document as the data API carries it */
    public Document document() {
        return new Document(id, text);
    }
}
