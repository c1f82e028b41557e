package org.lethe.evaluation.scoring;

import java.util.Arrays;

/**
 * Min-K% probability (Shi et al., "Detecting Pretraining Data from Large Language Models", ICLR
 * 2024, arXiv 2310.16789): the mean of the lowest k% of a sequence's token log-probabilities; a
 * sequence the model was trained on has fewer very unlikely tokens. As open-unlearning's
 * {@code MinKProbAttack}, the number of tokens kept is {@code max(1, ⌊n·k⌋)}.
 */
public final class MinKPercent {

    /**
     * The share of tokens kept, 40%: open-unlearning's TOFU default
     * ({@code configs/eval/tofu_metrics/mia_min_k.yaml}, {@code k: 0.4}).
     */
    public static final double DEFAULT_FRACTION = 0.4;

    private MinKPercent() {
    }

    /**
     * @param tokens the number of tokens of a sequence, ≥ 1
     * @param fraction the share k in (0, 1]
     * @return how many of the lowest log-probabilities are averaged: {@code max(1, ⌊tokens·fraction⌋)}
     */
    public static int count(int tokens, double fraction) {
        if (tokens < 1) {
            throw new IllegalArgumentException("Min-K% needs at least one token");
        }
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("the Min-K% fraction must be in (0, 1], not " + fraction);
        }
        return Math.max(1, (int) Math.floor(tokens * fraction));
    }

    /**
     * @param logProbs a sequence's token log-probabilities, at least one
     * @param fraction the share k in (0, 1]
     * @return the mean of the {@link #count} lowest; ≤ 0 for log-probabilities, higher means
     *     more likely a member
     */
    public static double score(double[] logProbs, double fraction) {
        int keep = count(logProbs.length, fraction);
        double[] sorted = logProbs.clone();
        Arrays.sort(sorted);
        double sum = 0;
        for (int i = 0; i < keep; i++) {
            sum += sorted[i];
        }
        return sum / keep;
    }
}
