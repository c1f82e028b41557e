package org.lethe.api.eval;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The one shape every metric and probe returns.
 *
 * @param metric the quantity's name, e.g. {@code exact-match} or {@code relearning.heldout-exact-match}
 * @param version the definition's version: a changed formula is a new version
 * @param split the data role it was measured on ({@link Roles}), e.g. {@code forget}
 * @param aggregate the aggregate value over items (for a curve: its last point)
 * @param perItem the value of every item, by item id, in the data's order
 * @param direction whether higher or lower is better on this split
 * @param needsReference whether it compares against a reference (gold) model
 * @param curve for quantities followed over steps (relearning): step → value; empty otherwise
 */
public record MetricResult(String metric, String version, String split, double aggregate,
        Map<String, Double> perItem, Direction direction, boolean needsReference, SortedMap<Integer, Double> curve) {

    /** Copies the collections (keeping their order) and rejects missing fields. */
    public MetricResult {
        Objects.requireNonNull(metric, "metric");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(split, "split");
        perItem = Collections.unmodifiableMap(new LinkedHashMap<>(perItem));
        Objects.requireNonNull(direction, "direction");
        curve = Collections.unmodifiableSortedMap(new TreeMap<>(curve));
    }

    /**
     * A result without a curve.
     *
     * @param metric the quantity's name
     * @param version the definition's version
     * @param split the data role
     * @param aggregate the aggregate value
     * @param perItem the value of every item
     * @param direction which way is better
     * @param needsReference whether it needs the gold model
     */
    public MetricResult(String metric, String version, String split, double aggregate, Map<String, Double> perItem,
            Direction direction, boolean needsReference) {
        this(metric, version, split, aggregate, perItem, direction, needsReference, new TreeMap<>());
    }

    /** @return {@code <split>.<metric>}, the key a report's column uses */
    public String key() {
        return split + "." + metric;
    }

    /** Which way is better. */
    public enum Direction {
        /** Higher is better (e.g. retain accuracy). */
        HIGHER_IS_BETTER,
        /** Lower is better (e.g. forget accuracy after unlearning). */
        LOWER_IS_BETTER,
        /** Closer to a target is better (e.g. forget quality compared with the gold model). */
        CLOSER_IS_BETTER,
        /** Reported for information; neither way is better. */
        NEUTRAL
    }
}
