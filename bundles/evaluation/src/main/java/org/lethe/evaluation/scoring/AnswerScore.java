package org.lethe.evaluation.scoring;

/**
 * How a language model scores one answer after its prompt, from one forward pass with the gold
 * tokens as context (teacher forcing).
 *
 * @param exactMatch whether every answer token is the most likely token at its position (the end
 *     marker after the answer is not required)
 * @param meanLogProb the mean natural-log probability of the answer's tokens (the end marker not
 *     counted); ≤ 0, higher is more likely
 * @param answerTokens the number of answer tokens scored
 */
public record AnswerScore(boolean exactMatch, double meanLogProb, int answerTokens) {

    /** @return {@code exp(meanLogProb)}: the length-normalised answer probability, in (0, 1] */
    public double probability() {
        return Math.exp(meanLogProb);
    }
}
