package org.lethe.api.method;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.lethe.api.config.ConfigSchema;

/**
 * What the registry knows about a method service: its {@link MethodProperties}, the bundle that
 * provides it, and its configuration schema.
 *
 * @param name the method's name ({@code lethe.method})
 * @param kind whether it unlearns or erases
 * @param modality {@code language}, {@code text-to-image} or {@code vision-language}
 * @param paper the paper it implements
 * @param inputs the data roles it requires
 * @param bundle the providing bundle's symbolic name
 * @param bundleVersion the providing bundle's version
 * @param config its configuration schema; empty when it has no Metatype definition
 */
public record MethodDescriptor(String name, Kind kind, String modality, String paper, List<String> inputs,
        String bundle, String bundleVersion, Optional<ConfigSchema> config) {

    /** Copies the inputs and rejects missing fields. */
    public MethodDescriptor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(modality, "modality");
        Objects.requireNonNull(paper, "paper");
        inputs = List.copyOf(inputs);
        Objects.requireNonNull(bundle, "bundle");
        Objects.requireNonNull(bundleVersion, "bundleVersion");
        config = Objects.requireNonNull(config, "config");
    }

    /** The two kinds of method. */
    public enum Kind {
        /** An {@link UnlearningMethod}. */
        UNLEARNING,
        /** An {@link ErasureMethod}. */
        ERASURE
    }
}
