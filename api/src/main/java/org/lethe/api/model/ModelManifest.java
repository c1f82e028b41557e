package org.lethe.api.model;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.lethe.api.run.RunKey;

/**
 * What a committed model version is: written once at commit, never changed afterwards.
 *
 * @param ref the model id and its version number (never {@link ModelRef#BASE} here)
 * @param kind what the model does
 * @param architecture the name of the architecture that loads it (service property {@code lethe.architecture})
 * @param config the architecture's settings (sizes, vocabulary, ...), as strings
 * @param parent the version this one was derived from; empty for a trained or imported root
 * @param producedBy the run that committed this version; empty for an import
 * @param files every file of the version (path relative to the version folder) with its SHA-256 in hex;
 *     every load verifies them
 * @param attachments adapters and inference-time interventions that are part of this version
 * @param created when the version was committed
 */
public record ModelManifest(ModelRef ref, ModelKind kind, String architecture, Map<String, String> config,
        Optional<ModelRef> parent, Optional<RunKey> producedBy, Map<String, String> files,
        List<Attachment> attachments, Instant created) {

    /** Copies the collections; rejects a missing field. */
    public ModelManifest {
        Objects.requireNonNull(ref, "ref");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(created, "created");
        if (ref.isBase()) {
            throw new IllegalArgumentException("a manifest names a concrete version, not the base reference " + ref);
        }
        config = Map.copyOf(config);
        parent = Objects.requireNonNull(parent, "parent");
        producedBy = Objects.requireNonNull(producedBy, "producedBy");
        files = Map.copyOf(files);
        attachments = List.copyOf(attachments);
    }

    /**
     * Something a version carries beside its base weights, applied when the version is loaded.
     *
     * @param type what it is
     * @param name its name, unique in the version (e.g. the concept a LoRA erases)
     * @param files its files, relative to the version folder (also listed in {@link #files()})
     * @param config its settings (rank, target layers, selected features, ...), as strings
     * @param enabled whether it is applied on load; an intervention can be switched off at runtime
     */
    public record Attachment(Type type, String name, List<String> files, Map<String, String> config, boolean enabled) {

        /** Copies the collections. */
        public Attachment {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(name, "name");
            files = List.copyOf(files);
            config = Map.copyOf(config);
        }

        /** Kinds of attachment. */
        public enum Type {
            /** Low-rank weight deltas (LoRA) merged into or added beside named layers. */
            ADAPTER,
            /** An inference-time edit, e.g. a sparse-autoencoder feature clamp at a named layer. */
            INTERVENTION
        }
    }
}
