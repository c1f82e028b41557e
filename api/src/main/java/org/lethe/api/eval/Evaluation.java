package org.lethe.api.eval;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.lethe.api.model.ModelRef;
import org.lethe.api.run.RunKey;

/**
 * What an evaluation run measured: every metric's and probe's results, and the components that
 * could not run (with the reason) while the others did.
 *
 * @param run the evaluation run
 * @param model the model version evaluated
 * @param results every result, metrics first, then probes, each in service-name order
 * @param failures component ({@code metric:<name>} or {@code probe:<name>}) → why it produced nothing
 * @param seconds wall seconds per component, by the same names
 */
public record Evaluation(RunKey run, ModelRef model, List<MetricResult> results, Map<String, String> failures,
        Map<String, Double> seconds) {

    /** Copies the collections and rejects missing fields. */
    public Evaluation {
        Objects.requireNonNull(run, "run");
        Objects.requireNonNull(model, "model");
        results = List.copyOf(results);
        failures = Collections.unmodifiableMap(new LinkedHashMap<>(failures));
        seconds = Collections.unmodifiableMap(new LinkedHashMap<>(seconds));
    }
}
