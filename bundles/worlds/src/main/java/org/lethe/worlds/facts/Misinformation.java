package org.lethe.worlds.facts;

import java.util.Objects;

/**
 * A wrong value spread about a forget entity: the rumour (OFFSIDE-style) and the claim of the
 * corrupting documents (RESTOR-style).
 *
 * @param entity the forget entity it is about
 * @param relation the relation
 * @param trueValue the entity's real value
 * @param wrongValue the rumoured value, another value of the same relation
 */
public record Misinformation(String entity, String relation, String trueValue, String wrongValue) {

    /** Rejects a "rumour" that is the truth. */
    public Misinformation {
        Objects.requireNonNull(entity, "entity");
        Objects.requireNonNull(relation, "relation");
        Objects.requireNonNull(trueValue, "trueValue");
        Objects.requireNonNull(wrongValue, "wrongValue");
        if (trueValue.equals(wrongValue)) {
            throw new IllegalArgumentException("misinformation equal to the truth: " + entity + "." + relation);
        }
    }
}
