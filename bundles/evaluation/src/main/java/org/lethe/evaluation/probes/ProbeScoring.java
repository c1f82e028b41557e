package org.lethe.evaluation.probes;

import ai.djl.ndarray.NDManager;
import java.util.List;
import org.lethe.api.model.language.LanguageModel;
import org.lethe.api.model.language.QaBatch;
import org.lethe.evaluation.scoring.AnswerScore;
import org.lethe.evaluation.scoring.AnswerScoring;

/**
 * Scoring helpers of the probes. Exact match is the bundle's one definition, {@link
 * AnswerScoring#score} (every answer token is the most likely one given the gold tokens before it;
 * the end marker is not required), so that a probe's exact match and the {@code exact-match}
 * metric agree. Inference only: no gradient collector is opened.
 */
final class ProbeScoring {

    private ProbeScoring() {
    }

    /**
     * @param lm the model
     * @param prompts the prompts, each of which fits the model with its answer ({@link #fits})
     * @param answers the gold answers, one per prompt
     * @return per pair, 1 when it matches exactly and 0 otherwise
     */
    static double[] exactMatch(LanguageModel lm, List<String> prompts, List<String> answers) {
        List<AnswerScore> scores = AnswerScoring.score(lm, prompts, answers);
        double[] out = new double[scores.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = scores.get(i).exactMatch() ? 1.0 : 0.0;
        }
        return out;
    }

    /**
     * Whether a prompt and its answer fit the model: the model's own encoder decides (its markers
     * count), so the test holds for any language model.
     *
     * @param lm the model
     * @param scope where the trial encoding lives (closed by the caller)
     * @param prompt the prompt
     * @param answer the answer
     * @return whether the pair is at most {@link LanguageModel#maxLength()} tokens long
     */
    static boolean fits(LanguageModel lm, NDManager scope, String prompt, String answer) {
        try {
            QaBatch batch = lm.encode(List.of(prompt), List.of(answer), scope);
            batch.tokens().close();
            batch.answerMask().close();
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * @param values values
     * @return their mean, NaN for none
     */
    static double mean(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }
}
