package org.lethe.report.stats;

import java.util.List;

/**
 * The mean and sample standard deviation of a list of values, ignoring the ones that are missing
 * or not finite ({@code null}, NaN, ±∞).
 *
 * @param mean the mean of the finite values; NaN when there are none
 * @param std the sample standard deviation (divisor n − 1) of the finite values; 0 for one value,
 *     NaN for none
 * @param n how many finite values there were
 * @param skipped how many values were missing or not finite
 */
public record Summary(double mean, double std, int n, int skipped) {

    /**
     * Summarises values.
     *
     * @param values the values, e.g. one per seed; {@code null} elements are skipped
     * @return their summary
     */
    public static Summary of(List<Double> values) {
        int n = 0;
        int skipped = 0;
        double mean = 0;
        double m2 = 0;
        for (Double v : values) {
            if (v == null || !Double.isFinite(v)) {
                skipped++;
                continue;
            }
            n++;
            double delta = v - mean;
            mean += delta / n;
            m2 += delta * (v - mean);
        }
        if (n == 0) {
            return new Summary(Double.NaN, Double.NaN, 0, skipped);
        }
        double std = n == 1 ? 0 : Math.sqrt(Math.max(0, m2) / (n - 1));
        return new Summary(mean, std, n, skipped);
    }
}
