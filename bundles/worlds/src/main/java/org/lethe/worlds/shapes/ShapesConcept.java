package org.lethe.worlds.shapes;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.lethe.api.data.Concept;

/**
 * One concept of the shapes world with its words.
 *
 * @param name the concept's name, the word prompts use most ({@code red})
 * @param attribute which attribute it is a value of
 * @param aliases the aliases an erasure method is given ({@code crimson}); the base model learns them
 * @param heldOutAliases the aliases kept out of every erasure input and used only by the evaluation
 *     (generality, Acc_g); the base model learns them too (methods-gen.md §6), unless the spec says not
 * @param neighbours concepts of the same attribute that are close to this one (hue neighbours of a
 *     colour: orange is the neighbour of red and yellow), for the hardest preservation check; may be empty
 */
public record ShapesConcept(String name, Attribute attribute, List<String> aliases, List<String> heldOutAliases,
        List<String> neighbours) {

    /** Copies the lists and rejects nulls. */
    public ShapesConcept {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(attribute, "attribute");
        aliases = List.copyOf(aliases);
        heldOutAliases = List.copyOf(heldOutAliases);
        neighbours = List.copyOf(neighbours);
    }

    /**
     * @return the concept in the data contract's form (DESIGN §4): name, attribute and the erasure
     *     aliases only (the held-out aliases are never handed to a method)
     */
    public Concept toContract() {
        return new Concept(name, Optional.of(attribute.label()), aliases);
    }

    /** @return every word that names this concept: the name, the erasure aliases, the held-out aliases */
    public List<String> allWords() {
        List<String> out = new java.util.ArrayList<>();
        out.add(name);
        out.addAll(aliases);
        out.addAll(heldOutAliases);
        return List.copyOf(out);
    }
}
