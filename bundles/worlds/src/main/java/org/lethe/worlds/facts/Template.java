package org.lethe.worlds.facts;

import java.util.Objects;

/**
 * One phrasing of a relation: a pattern with the subject slot {@value #SLOT}, after which the answer
 * comes as the next token(s).
 *
 * @param id stable id, unique within its relation ({@code q1}, {@code s2}, {@code twohop-q})
 * @param form question or statement
 * @param pattern the text, lower case, tokens separated by single spaces, with {@value #SLOT} once or more
 */
public record Template(String id, Form form, String pattern) {

    /** The subject's slot in a pattern. */
    public static final String SLOT = "{e}";

    /** Rejects a pattern without the subject's slot. */
    public Template {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(form, "form");
        Objects.requireNonNull(pattern, "pattern");
        if (!pattern.contains(SLOT)) {
            throw new IllegalArgumentException("template " + id + " has no " + SLOT + ": " + pattern);
        }
    }

    /**
     * @param subject the entity (or country) the sentence is about
     * @return the pattern with every slot replaced by the subject
     */
    public String render(String subject) {
        return pattern.replace(SLOT, subject);
    }
}
