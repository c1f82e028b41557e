package org.lethe.api.eval;

import java.util.Map;
import java.util.Objects;

/**
 * The one shape every metric returns.
 *
 * @param metric the metric's name ({@code lethe.metric})
 * @param version the metric definition's version: a changed formula is a new version
 * @param aggregate the aggregate value over items
 * @param perItem the value of every item, by item id
 * @param direction whether higher or lower is better
 * @param needsReference whether it compares against a reference (gold) model
 */
public record MetricResult(String metric, String version, double aggregate, Map<String, Double> perItem,
        Direction direction, boolean needsReference) {

    /** Copies the per-item values and rejects missing fields. */
    public MetricResult {
        Objects.requireNonNull(metric, "metric");
        Objects.requireNonNull(version, "version");
        perItem = Map.copyOf(perItem);
        Objects.requireNonNull(direction, "direction");
    }

    /** Which way is better. */
    public enum Direction {
        /** Higher is better (e.g. retain accuracy). */
        HIGHER_IS_BETTER,
        /** Lower is better (e.g. forget accuracy after unlearning). */
        LOWER_IS_BETTER,
        /** Closer to a target is better (e.g. forget quality compared with the gold model). */
        CLOSER_IS_BETTER
    }
}
