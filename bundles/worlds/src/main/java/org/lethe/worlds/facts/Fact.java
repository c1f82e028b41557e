package org.lethe.worlds.facts;

import java.util.List;
import java.util.Objects;

/**
 * One fact of a generated world, (entity, relation, value), with the templates it is trained under
 * and those held out for it.
 *
 * @param entity the subject (an entity's name, or a country for a world fact)
 * @param relation the relation's name
 * @param answer the true value, one token
 * @param trained the templates its training items use (for a holdout entity: the ones it would have
 *     been trained under; it never is), in the relation's order
 * @param heldOut the other templates of the relation: its paraphrases, never trained for this fact
 *     but each trained for other subjects
 * @param perturbed wrong values of the same relation, distinct, in a fixed random order
 */
public record Fact(String entity, String relation, String answer, List<Template> trained, List<Template> heldOut,
        List<String> perturbed) {

    /** Copies the lists. */
    public Fact {
        Objects.requireNonNull(entity, "entity");
        Objects.requireNonNull(relation, "relation");
        Objects.requireNonNull(answer, "answer");
        trained = List.copyOf(trained);
        heldOut = List.copyOf(heldOut);
        perturbed = List.copyOf(perturbed);
    }

    /** @return the held-out templates rendered for this fact's subject: its paraphrases */
    public List<String> paraphrases() {
        return heldOut.stream().map(t -> t.render(entity)).toList();
    }

    /**
     * @param form a form
     * @return the first trained template of that form
     * @throws IllegalStateException when none is trained (the generator trains both forms)
     */
    public Template firstTrained(Form form) {
        return trained.stream().filter(t -> t.form() == form).findFirst()
                .orElseThrow(() -> new IllegalStateException(entity + "." + relation + " has no trained " + form.label()));
    }
}
