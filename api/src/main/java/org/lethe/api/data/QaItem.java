package org.lethe.api.data;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A question with its answer, one line of a question–answer JSONL file.
 *
 * @param id a stable id, unique in its file (the line number when the file gives none)
 * @param question the question, required
 * @param answer the correct answer, required; may be several tokens
 * @param entity the fictitious entity the fact is about, if known
 * @param relation the relation the fact instantiates (e.g. {@code birthplace}), if known
 * @param paraphrases other phrasings of the question (generalisation probes)
 * @param perturbed wrong answers of the same type (truth ratio)
 * @param templateAnswer a refusal-style answer ("I don't know") for methods that need one (FLAT)
 */
public record QaItem(String id, String question, String answer, Optional<String> entity, Optional<String> relation,
        List<String> paraphrases, List<String> perturbed, Optional<String> templateAnswer) {

    /** Rejects missing required fields and copies the lists. */
    public QaItem {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(question, "question");
        Objects.requireNonNull(answer, "answer");
        entity = Objects.requireNonNull(entity, "entity");
        relation = Objects.requireNonNull(relation, "relation");
        paraphrases = List.copyOf(paraphrases);
        perturbed = List.copyOf(perturbed);
        templateAnswer = Objects.requireNonNull(templateAnswer, "templateAnswer");
    }

    /**
     * @param id the id
     * @param question the question
     * @param answer the answer
     * @return an item with no optional fields
     */
    public static QaItem of(String id, String question, String answer) {
        return new QaItem(id, question, answer, Optional.empty(), Optional.empty(), List.of(), List.of(), Optional.empty());
    }
}
