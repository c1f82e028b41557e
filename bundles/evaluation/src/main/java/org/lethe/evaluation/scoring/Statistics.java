package org.lethe.evaluation.scoring;

import java.util.Arrays;

/** The aggregates the metrics use: arithmetic and harmonic means, and the Mann–Whitney AUC. */
public final class Statistics {

    private Statistics() {
    }

    /**
     * @param values at least one value
     * @return their arithmetic mean
     * @throws IllegalArgumentException when there are none
     */
    public static double mean(double... values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("the mean of no values");
        }
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }

    /**
     * The harmonic mean n / Σ(1/x), as TOFU's model utility aggregates (open-unlearning
     * {@code hm_aggregate}, {@code scipy.stats.hmean}); 0 when any value is 0.
     *
     * @param values at least one value, each ≥ 0
     * @return their harmonic mean
     * @throws IllegalArgumentException when there are none, or one is negative or not a number
     */
    public static double harmonicMean(double... values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("the harmonic mean of no values");
        }
        double reciprocals = 0;
        for (double v : values) {
            if (!(v >= 0)) {
                throw new IllegalArgumentException("the harmonic mean needs values ≥ 0, not " + v);
            }
            if (v == 0) {
                return 0.0;
            }
            reciprocals += 1 / v;
        }
        return values.length / reciprocals;
    }

    /**
     * The area under the ROC curve of a score that should be higher for members, by the
     * Mann–Whitney statistic: the share of (member, non-member) pairs where the member scores
     * higher, a tie counting 1/2. Computed from mid-ranks of the pooled scores in O(n log n).
     *
     * @param members the members' scores (e.g. forget items)
     * @param nonMembers the non-members' scores (e.g. holdout items)
     * @return the AUC in [0, 1]; 0.5 when the score does not tell them apart
     * @throws IllegalArgumentException when either side is empty or a score is not a number
     */
    public static double auc(double[] members, double[] nonMembers) {
        if (members.length == 0 || nonMembers.length == 0) {
            throw new IllegalArgumentException("an AUC needs members and non-members: " + members.length + " and "
                    + nonMembers.length);
        }
        int n = members.length + nonMembers.length;
        double[][] pooled = new double[n][];
        for (int i = 0; i < n; i++) {
            double score = i < members.length ? members[i] : nonMembers[i - members.length];
            if (Double.isNaN(score)) {
                throw new IllegalArgumentException("an AUC score is not a number");
            }
            pooled[i] = new double[] {score, i < members.length ? 1 : 0};
        }
        Arrays.sort(pooled, (x, y) -> Double.compare(x[0], y[0]));
        double memberRankSum = 0;
        int start = 0;
        while (start < n) {
            int end = start;
            while (end + 1 < n && pooled[end + 1][0] == pooled[start][0]) {
                end++;
            }
            // ranks start+1 .. end+1 share their mean
            double midRank = (start + end + 2) / 2.0;
            for (int k = start; k <= end; k++) {
                memberRankSum += pooled[k][1] * midRank;
            }
            start = end + 1;
        }
        double m = members.length;
        double u = memberRankSum - m * (m + 1) / 2;
        return u / (m * nonMembers.length);
    }
}
