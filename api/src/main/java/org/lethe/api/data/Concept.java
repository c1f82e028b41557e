package org.lethe.api.data;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A concept to erase or keep (a colour, a shape, a style), one line of a concept JSONL file.
 *
 * @param name the concept's name as prompts use it, required
 * @param attribute what kind of concept it is (e.g. {@code colour}), if known
 * @param aliases other words for the same concept; erasure should cover them too
 */
public record Concept(String name, Optional<String> attribute, List<String> aliases) {

    /** Rejects a missing name and copies the aliases. */
    public Concept {
        Objects.requireNonNull(name, "name");
        attribute = Objects.requireNonNull(attribute, "attribute");
        aliases = List.copyOf(aliases);
    }
}
