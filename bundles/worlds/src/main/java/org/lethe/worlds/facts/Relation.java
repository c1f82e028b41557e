package org.lethe.worlds.facts;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A relation of the facts world: its single-token values and the templates that ask or state it.
 *
 * @param name the relation's name as items carry it ({@code birthplace})
 * @param values the values an entity may have, each one token
 * @param templates the direct phrasings, questions and statements, in a fixed order
 * @param twoHop phrasings about the relation's value of the subject's sibling ({@code where was the
 *     sibling of {e} born ?}); empty where the relation has none
 * @param presupposing a phrasing that presupposes the fact instead of asking it ({@code {e} went back
 *     to the town of birth , which is}), if the relation has one
 */
public record Relation(String name, List<String> values, List<Template> templates, List<Template> twoHop,
        Optional<Template> presupposing) {

    /** Copies the lists. */
    public Relation {
        Objects.requireNonNull(name, "name");
        values = List.copyOf(values);
        templates = List.copyOf(templates);
        twoHop = List.copyOf(twoHop);
        Objects.requireNonNull(presupposing, "presupposing");
    }

    /**
     * @param form a form
     * @return the direct templates of that form, in order
     */
    public List<Template> templates(Form form) {
        return templates.stream().filter(t -> t.form() == form).toList();
    }

    /**
     * @param id a template id
     * @return the direct template with that id
     * @throws IllegalArgumentException when there is none
     */
    public Template template(String id) {
        for (Template t : templates) {
            if (t.id().equals(id)) {
                return t;
            }
        }
        throw new IllegalArgumentException("relation " + name + " has no template " + id);
    }
}
