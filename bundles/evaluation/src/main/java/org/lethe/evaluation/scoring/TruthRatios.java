package org.lethe.evaluation.scoring;

/**
 * The truth ratio of TOFU (Maini et al., "TOFU: A Task of Fictitious Unlearning for LLMs", 2024)
 * in the variant open-unlearning computes ({@code truth_ratio} in {@code memorization.py}):
 * {@code TR = P_wrong / P_correct}, with P the length-normalised probability
 * {@code exp(mean token log-prob)} of an answer after the question and {@code P_wrong} the geometric
 * mean over the perturbed answers. Here the correct answer is the item's gold answer (TOFU scores its
 * paraphrased answer, which the facts world does not have). Two aggregates, as open-unlearning's:
 * {@link #closerToOne} for data that should be forgotten and {@link #trueBetter} for data that
 * should be kept.
 */
public final class TruthRatios {

    private TruthRatios() {
    }

    /**
     * @param correctMeanLogProb the gold answer's mean token log-probability
     * @param wrongMeanLogProbs each perturbed answer's mean token log-probability, at least one
     * @return {@code exp(mean(wrong) − correct)}: the geometric mean of the wrong answers'
     *     length-normalised probabilities over the gold answer's, computed in log space (no underflow)
     */
    public static double ratio(double correctMeanLogProb, double[] wrongMeanLogProbs) {
        return Math.exp(Statistics.mean(wrongMeanLogProbs) - correctMeanLogProb);
    }

    /**
     * open-unlearning's {@code closer_to_1_better}: 1 when the model cannot tell the gold answer
     * from the wrong ones, towards 0 as it prefers either.
     *
     * @param ratios truth ratios, at least one
     * @return {@code mean(min(TR, 1/TR))}, in [0, 1]
     */
    public static double closerToOne(double[] ratios) {
        double[] scores = new double[ratios.length];
        for (int i = 0; i < ratios.length; i++) {
            scores[i] = Math.min(ratios[i], 1 / ratios[i]);
        }
        return Statistics.mean(scores);
    }

    /**
     * open-unlearning's {@code true_better}: towards 1 as the model prefers the gold answer.
     *
     * @param ratios truth ratios, at least one
     * @return {@code mean(max(0, 1 − TR))}, in [0, 1]
     */
    public static double trueBetter(double[] ratios) {
        double[] scores = new double[ratios.length];
        for (int i = 0; i < ratios.length; i++) {
            scores[i] = Math.max(0, 1 - ratios[i]);
        }
        return Statistics.mean(scores);
    }
}
