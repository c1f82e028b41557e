package org.lethe.evaluation.erasure;

import java.util.Objects;

/**
 * A concept as the evaluation classifier sees it: one value of one attribute head, for example
 * {@code color=red} or {@code shape=box}.
 *
 * @param attribute the classifier head (attribute), e.g. {@code color}
 * @param value the class of that head, e.g. {@code red}
 */
public record Concept(String attribute, String value) {

    /** Checks that both parts are present and not blank. */
    public Concept {
        Objects.requireNonNull(attribute, "attribute");
        Objects.requireNonNull(value, "value");
        if (attribute.isBlank() || value.isBlank()) {
            throw new IllegalArgumentException("a concept needs a non-blank attribute and value, got '"
                + attribute + "=" + value + "'");
        }
    }

    @Override
    public String toString() {
        return attribute + "=" + value;
    }
}
