package org.lethe.api.run;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.lethe.api.model.ModelRef;

/**
 * Everything a run needs, and nothing that depends on the container that executes it: any
 * container with the same bundles can run it, and the same spec always has the same {@link RunKey}.
 *
 * @param kind what the run does
 * @param component the method (unlearning, erasure), world (training) or probe it runs, by its
 *     {@code lethe.*} name
 * @param componentVersion the bundle version of that component, as recorded when the run was made
 * @param config the component's settings, as strings; converted to its typed configuration and
 *     validated before anything is touched
 * @param model the model version the run starts from; empty for training a world from scratch
 * @param data the data by role ({@code forget}, {@code retain}, {@code holdout}, {@code concepts}, ...):
 *     a split of a world ({@code world:facts/forget10}) or a file, with its fingerprint
 * @param probes probes to run on the result, by name
 * @param seed the seed of every random choice in the run
 * @param budget the longest the run may take before it is cancelled as timed out; empty for none
 */
public record RunSpec(Kind kind, String component, String componentVersion, Map<String, String> config,
        Optional<ModelRef> model, Map<String, DataRef> data, List<String> probes, long seed,
        Optional<Duration> budget) {

    /** Copies the collections and rejects missing fields. */
    public RunSpec {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(component, "component");
        Objects.requireNonNull(componentVersion, "componentVersion");
        config = Map.copyOf(config);
        model = Objects.requireNonNull(model, "model");
        data = Map.copyOf(data);
        probes = List.copyOf(probes);
        budget = Objects.requireNonNull(budget, "budget");
    }

    /** What a run does. All kinds go through the same queue, since gradient work runs one at a time. */
    public enum Kind {
        /** Builds a world's models from scratch or from a corpus. */
        TRAIN,
        /** Removes data or knowledge from a language or vision-language model. */
        UNLEARN,
        /** Removes concepts from a generator or a vision-language model. */
        ERASE,
        /** Evaluates a model version with metrics and probes; commits results, no model. */
        EVALUATE
    }

    /**
     * Data for one role of a run.
     *
     * @param source {@code world:<world>/<split>} for a built-in split, else a file path
     * @param fingerprint SHA-256 (hex) of the data as read, filled in when the run is submitted
     */
    public record DataRef(String source, String fingerprint) {

        /** Rejects missing fields. */
        public DataRef {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(fingerprint, "fingerprint");
        }
    }
}
