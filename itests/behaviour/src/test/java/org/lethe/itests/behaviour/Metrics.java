package org.lethe.itests.behaviour;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import org.lethe.api.data.QaItem;
import org.lethe.api.model.language.QaBatch;
import org.lethe.models.transformer.WordTransformerModel;

/**
 * The measures of research/methods-llm.md §3.3 on a facts-world model, computed here (not by the
 * code under test) from the model's logits:
 * <ul>
 * <li><b>exact match</b>: the argmax over the vocabulary at the first answer slot is the gold
 *     answer's first token (greedy decoding's first answer token; a generated world's answers are one
 *     token, so this is §3.3's EM exactly);</li>
 * <li><b>answer NLL</b>: per item the mean of −log p over the answer's tokens (the end marker not
 *     counted), averaged over items;</li>
 * <li><b>answer probability</b>: per item {@code exp(−answer NLL)} (TOFU's length-normalised
 *     probability), averaged over items.</li>
 * </ul>
 * Evaluation is inference: it needs no gradient collector and runs on the calling thread.
 */
public final class Metrics {

    private static final int CHUNK = 512;

    private Metrics() {
    }

    /**
     * Per-item scores of question–answer pairs.
     *
     * @param match whether the first answer token is the argmax
     * @param nll the mean answer-token negative log-likelihood
     */
    public record Scores(boolean[] match, double[] nll) {

        /** @return the share of items matched */
        public double exactMatch() {
            int right = 0;
            for (boolean m : match) {
                right += m ? 1 : 0;
            }
            return right / (double) match.length;
        }

        /** @return the mean answer NLL */
        public double meanNll() {
            double sum = 0;
            for (double v : nll) {
                sum += v;
            }
            return sum / nll.length;
        }

        /** @return the mean of each item's length-normalised answer probability */
        public double meanProbability() {
            double sum = 0;
            for (double v : nll) {
                sum += Math.exp(-v);
            }
            return sum / nll.length;
        }
    }

    /**
     * Scores the items' questions against their gold answers.
     *
     * @param lm the model
     * @param items the items
     * @return the scores
     */
    public static Scores gold(WordTransformerModel lm, List<QaItem> items) {
        return score(lm, items.stream().map(QaItem::question).toList(), items.stream().map(QaItem::answer).toList());
    }

    /**
     * Scores the items' questions against another answer each (e.g. the template answer).
     *
     * @param lm the model
     * @param items the items
     * @param answer the answer to score for every question
     * @return the scores
     */
    public static Scores against(WordTransformerModel lm, List<QaItem> items, String answer) {
        return score(lm, items.stream().map(QaItem::question).toList(), items.stream().map(i -> answer).toList());
    }

    /**
     * Scores prompt–answer pairs.
     *
     * @param lm the model
     * @param prompts the prompts
     * @param answers the answers, one per prompt
     * @return the scores
     */
    public static Scores score(WordTransformerModel lm, List<String> prompts, List<String> answers) {
        int n = prompts.size();
        boolean[] match = new boolean[n];
        double[] nll = new double[n];
        for (int from = 0; from < n; from += CHUNK) {
            int to = Math.min(n, from + CHUNK);
            try (NDManager scope = lm.model().getNDManager().newSubManager()) {
                QaBatch batch = lm.encode(prompts.subList(from, to), answers.subList(from, to), scope);
                NDArray logProbs = lm.logits(batch.tokens(), false).logSoftmax(-1);
                int length = (int) batch.tokens().getShape().get(1);
                long[] tokens = batch.tokens().toLongArray();
                float[] mask = batch.answerMask().toFloatArray();
                long[] argmax = logProbs.argMax(-1).toLongArray();
                float[] picked = logProbs.gather(batch.tokens().expandDims(-1), -1).squeeze(-1).toFloatArray();
                for (int i = 0; i < to - from; i++) {
                    int first = -1;
                    int last = -1;
                    for (int t = 0; t < length; t++) {
                        if (mask[i * length + t] > 0) {
                            first = first < 0 ? t : first;
                            last = t;
                        }
                    }
                    // the mask covers the answer and the end marker: the answer is [first, last)
                    double sum = 0;
                    for (int t = first; t < last; t++) {
                        sum -= picked[i * length + t];
                    }
                    nll[from + i] = sum / (last - first);
                    match[from + i] = argmax[i * length + first] == tokens[i * length + first];
                }
            }
        }
        return new Scores(match, nll);
    }
}
