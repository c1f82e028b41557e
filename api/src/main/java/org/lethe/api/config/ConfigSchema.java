package org.lethe.api.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The settings a component accepts, read from its Metatype definition.
 *
 * @param pid the configuration PID (also the factory PID of its presets in {@code etc/})
 * @param name the human-readable name of the definition
 * @param description what the settings are for
 * @param attributes the settings, in declaration order
 */
public record ConfigSchema(String pid, String name, String description, List<Attribute> attributes) {

    /** Copies the attributes. */
    public ConfigSchema {
        Objects.requireNonNull(pid, "pid");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        attributes = List.copyOf(attributes);
    }

    /**
     * @param key a setting's key
     * @return the setting, if the schema has it
     */
    public Optional<Attribute> attribute(String key) {
        return attributes.stream().filter(a -> a.key().equals(key)).findFirst();
    }

    /**
     * One setting.
     *
     * @param key its key, as {@code --set} names it
     * @param type its type: {@code String}, {@code Integer}, {@code Long}, {@code Float}, {@code Double},
     *     {@code Boolean}, ...
     * @param multiple whether it takes several values (comma-separated on the command line)
     * @param defaults its default value(s) as strings; empty when it has none (then it is required)
     * @param description what it means, its unit, and where its default comes from (the paper)
     * @param min the smallest allowed value (inclusive; for a String, the shortest length), if bounded
     * @param max the largest allowed value (inclusive; for a String, the longest length), if bounded
     * @param options the only allowed values, if the attribute is a choice; empty otherwise
     */
    public record Attribute(String key, String type, boolean multiple, List<String> defaults, String description,
            Optional<String> min, Optional<String> max, List<String> options) {

        /** Copies the lists and rejects missing fields. */
        public Attribute {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(type, "type");
            defaults = List.copyOf(defaults);
            Objects.requireNonNull(description, "description");
            min = Objects.requireNonNull(min, "min");
            max = Objects.requireNonNull(max, "max");
            options = List.copyOf(options);
        }
    }
}
