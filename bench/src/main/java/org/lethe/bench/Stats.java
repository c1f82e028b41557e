package org.lethe.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The samples of one measurement, in milliseconds. Percentiles interpolate linearly between order
 * statistics (the "type 7" estimator, NumPy's and R's default): p50 is the median.
 */
final class Stats {

    private final String name;
    private final List<Double> samples = new ArrayList<>();

    Stats(String name) {
        this.name = name;
    }

    String name() {
        return name;
    }

    void add(double millis) {
        samples.add(millis);
    }

    int count() {
        return samples.size();
    }

    List<Double> samples() {
        return List.copyOf(samples);
    }

    double p50() {
        return percentile(0.50);
    }

    double p95() {
        return percentile(0.95);
    }

    double min() {
        return percentile(0.0);
    }

    double max() {
        return percentile(1.0);
    }

    double percentile(double q) {
        if (samples.isEmpty()) {
            return Double.NaN;
        }
        double[] sorted = samples.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(sorted);
        double position = q * (sorted.length - 1);
        int below = (int) Math.floor(position);
        int above = Math.min(below + 1, sorted.length - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }

    /** Median of the per-repetition ratios this[i] / baseline[i] (samples taken in pairs). */
    double pairedRatio(Stats baseline) {
        Stats ratios = new Stats("ratio");
        int n = Math.min(count(), baseline.count());
        for (int i = 0; i < n; i++) {
            ratios.add(samples.get(i) / baseline.samples.get(i));
        }
        return ratios.p50();
    }

    static String ms(double millis) {
        if (Double.isNaN(millis)) {
            return "–";
        }
        return millis >= 100 ? String.format(Locale.ROOT, "%.0f", millis) : String.format(Locale.ROOT, "%.1f", millis);
    }

    static String ratio(double ratio) {
        return Double.isNaN(ratio) ? "–" : String.format(Locale.ROOT, "%.2f×", ratio);
    }
}
