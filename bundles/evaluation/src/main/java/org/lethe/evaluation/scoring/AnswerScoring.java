package org.lethe.evaluation.scoring;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.lethe.api.data.QaItem;
import org.lethe.api.model.language.LanguageModel;
import org.lethe.api.model.language.QaBatch;

/**
 * Batched inference over question–answer pairs: exact match and length-normalised answer
 * log-probabilities, whole-sequence token log-probabilities, greedy answers, ROUGE-L recall and
 * truth ratios. Batches of {@value #BATCH_SIZE} pairs run without a gradient collector, each inside
 * a memory scope of the model's manager that is closed with the batch, so nothing outlives a call
 * but Java arrays. Deterministic: the same model and pairs give the same numbers.
 *
 * <p><b>Which positions are the answer.</b> {@link LanguageModel#encode} marks the answer's tokens
 * and, where the model has one, the end marker after them. The answer's tokens are the first
 * {@code |tokenizer.encode(answer)|} marked positions; the marked positions after them (the end
 * marker) are not scored. Where the tokenizer gives an answer no tokens, or more than are marked,
 * every marked position is scored.
 */
public final class AnswerScoring {

    /** Pairs per forward pass: {@value}. */
    public static final int BATCH_SIZE = 256;

    /** Tokens greedy decoding may add beyond the gold answer's length for ROUGE-L: {@value}. */
    public static final int EXTRA_GENERATED_TOKENS = 2;

    private AnswerScoring() {
    }

    /**
     * Scores every item's question against its gold answer (not its paraphrases).
     *
     * @param model the model
     * @param items the items
     * @return one score per item, in order
     * @throws IllegalArgumentException when a pair is longer than the model takes
     */
    public static List<AnswerScore> scoreQuestions(LanguageModel model, List<QaItem> items) {
        if (items.isEmpty()) {
            return List.of();
        }
        return score(model, items.stream().map(QaItem::question).toList(), items.stream().map(QaItem::answer).toList());
    }

    /**
     * Scores prompt–answer pairs: per pair, whether greedy prediction reproduces every answer
     * token given the gold tokens before it, and the mean log-probability of the answer's tokens.
     *
     * @param model the model
     * @param prompts the prompts
     * @param answers the answers, one per prompt
     * @return one score per pair, in order
     * @throws IllegalArgumentException when the lists differ in size or a pair is longer than the model takes
     */
    public static List<AnswerScore> score(LanguageModel model, List<String> prompts, List<String> answers) {
        checkPairs(prompts, answers);
        List<AnswerScore> out = new ArrayList<>(prompts.size());
        for (int from = 0; from < prompts.size(); from += BATCH_SIZE) {
            int to = Math.min(prompts.size(), from + BATCH_SIZE);
            try (NDManager scope = model.model().getNDManager().newSubManager()) {
                QaBatch batch = model.encode(prompts.subList(from, to), answers.subList(from, to), scope);
                NDArray logProbs = model.logits(batch, false).toType(DataType.FLOAT32, false).logSoftmax(-1);
                int length = (int) batch.tokens().getShape().get(1);
                long[] tokens = batch.tokens().toLongArray();
                float[] mask = batch.answerMask().toType(DataType.FLOAT32, false).toFloatArray();
                long[] predicted = logProbs.argMax(-1).toLongArray();
                float[] picked = logProbs.gather(batch.tokens().expandDims(-1), -1).squeeze(-1).toFloatArray();
                for (int i = 0; i < to - from; i++) {
                    int[] marked = markedPositions(mask, i, length);
                    int count = answerTokenCount(model, answers.get(from + i), marked.length);
                    boolean match = count > 0;
                    double sum = 0;
                    for (int k = 0; k < count; k++) {
                        int at = i * length + marked[k];
                        match &= predicted[at] == tokens[at];
                        sum += picked[at];
                    }
                    out.add(new AnswerScore(match, count > 0 ? sum / count : Double.NEGATIVE_INFINITY, count));
                }
            }
        }
        return out;
    }

    /**
     * The log-probability of every token of each whole prompt–answer sequence after its first
     * (the first has nothing before it to be predicted from), as the model encodes the pair: for the
     * word-level models, the question, the separator, the answer and the end marker. The sequence
     * ends at its last marked answer position; padding is not scored.
     *
     * @param model the model
     * @param prompts the prompts
     * @param answers the answers, one per prompt
     * @return per pair, the natural-log probabilities of tokens 1 to the end, in sequence order
     * @throws IllegalArgumentException when the lists differ in size or a pair is longer than the model takes
     */
    public static List<double[]> sequenceLogProbs(LanguageModel model, List<String> prompts, List<String> answers) {
        checkPairs(prompts, answers);
        List<double[]> out = new ArrayList<>(prompts.size());
        for (int from = 0; from < prompts.size(); from += BATCH_SIZE) {
            int to = Math.min(prompts.size(), from + BATCH_SIZE);
            try (NDManager scope = model.model().getNDManager().newSubManager()) {
                QaBatch batch = model.encode(prompts.subList(from, to), answers.subList(from, to), scope);
                NDArray logProbs = model.logits(batch, false).toType(DataType.FLOAT32, false).logSoftmax(-1);
                int length = (int) batch.tokens().getShape().get(1);
                float[] mask = batch.answerMask().toType(DataType.FLOAT32, false).toFloatArray();
                float[] picked = logProbs.gather(batch.tokens().expandDims(-1), -1).squeeze(-1).toFloatArray();
                for (int i = 0; i < to - from; i++) {
                    int[] marked = markedPositions(mask, i, length);
                    int last = marked.length > 0 ? marked[marked.length - 1] : length - 1;
                    double[] values = new double[last];
                    for (int t = 1; t <= last; t++) {
                        values[t - 1] = picked[i * length + t];
                    }
                    out.add(values);
                }
            }
        }
        return out;
    }

    /**
     * Greedy answers ({@link LanguageModel#generate}, which stops at the end marker) to each item's
     * question, at most the gold answer's token count plus {@code extraTokens} tokens each. Items
     * are generated in groups of equal budget, {@value #BATCH_SIZE} prompts a call.
     *
     * @param model the model
     * @param items the items
     * @param extraTokens tokens allowed beyond the gold answer's length, ≥ 0
     * @return the generated continuation of every question, in item order
     */
    public static List<String> greedyAnswers(LanguageModel model, List<QaItem> items, int extraTokens) {
        if (extraTokens < 0) {
            throw new IllegalArgumentException("extraTokens must be ≥ 0, not " + extraTokens);
        }
        Map<Integer, List<Integer>> byBudget = new TreeMap<>();
        for (int i = 0; i < items.size(); i++) {
            int budget = model.tokenizer().encode(items.get(i).answer()).length + extraTokens;
            byBudget.computeIfAbsent(Math.max(1, budget), b -> new ArrayList<>()).add(i);
        }
        String[] out = new String[items.size()];
        for (Map.Entry<Integer, List<Integer>> group : byBudget.entrySet()) {
            List<Integer> indices = group.getValue();
            for (int from = 0; from < indices.size(); from += BATCH_SIZE) {
                List<Integer> chunk = indices.subList(from, Math.min(indices.size(), from + BATCH_SIZE));
                List<String> generated = model.generate(chunk.stream().map(i -> items.get(i).question()).toList(),
                        group.getKey());
                for (int k = 0; k < chunk.size(); k++) {
                    out[chunk.get(k)] = generated.get(k);
                }
            }
        }
        return Arrays.asList(out);
    }

    /**
     * ROUGE-L recall of the greedy answer to each item's question against its gold answer
     * ({@link #greedyAnswers} with {@value #EXTRA_GENERATED_TOKENS} extra tokens, then
     * {@link RougeL#recall}).
     *
     * @param model the model
     * @param items the items
     * @return one recall in [0, 1] per item, in order
     */
    public static double[] rougeLRecalls(LanguageModel model, List<QaItem> items) {
        List<String> generated = greedyAnswers(model, items, EXTRA_GENERATED_TOKENS);
        double[] out = new double[items.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = RougeL.recall(generated.get(i), items.get(i).answer());
        }
        return out;
    }

    /**
     * The truth ratio of every item that has perturbed answers ({@link TruthRatios#ratio}): the
     * geometric mean of the perturbed answers' length-normalised probabilities over the gold
     * answer's, all after the item's question.
     *
     * @param model the model
     * @param items the items
     * @return one ratio per item, in order; {@link Double#NaN} for an item without perturbed answers
     */
    public static double[] truthRatios(LanguageModel model, List<QaItem> items) {
        List<String> prompts = new ArrayList<>();
        List<String> answers = new ArrayList<>();
        for (QaItem item : items) {
            if (!item.perturbed().isEmpty()) {
                prompts.add(item.question());
                answers.add(item.answer());
                for (String wrong : item.perturbed()) {
                    prompts.add(item.question());
                    answers.add(wrong);
                }
            }
        }
        double[] out = new double[items.size()];
        Arrays.fill(out, Double.NaN);
        if (prompts.isEmpty()) {
            return out;
        }
        List<AnswerScore> scores = score(model, prompts, answers);
        int next = 0;
        for (int i = 0; i < items.size(); i++) {
            int wrongCount = items.get(i).perturbed().size();
            if (wrongCount == 0) {
                continue;
            }
            double correct = scores.get(next++).meanLogProb();
            double[] wrong = new double[wrongCount];
            for (int k = 0; k < wrongCount; k++) {
                wrong[k] = scores.get(next++).meanLogProb();
            }
            out[i] = TruthRatios.ratio(correct, wrong);
        }
        return out;
    }

    private static void checkPairs(List<String> prompts, List<String> answers) {
        if (prompts.size() != answers.size()) {
            throw new IllegalArgumentException(prompts.size() + " prompts for " + answers.size() + " answers");
        }
    }

    /** The positions of row {@code row} where the answer mask is set, in order. */
    private static int[] markedPositions(float[] mask, int row, int length) {
        int count = 0;
        for (int t = 0; t < length; t++) {
            count += mask[row * length + t] > 0 ? 1 : 0;
        }
        int[] positions = new int[count];
        int k = 0;
        for (int t = 0; t < length; t++) {
            if (mask[row * length + t] > 0) {
                positions[k++] = t;
            }
        }
        return positions;
    }

    /** How many of the marked positions are the answer's own tokens (see the class documentation). */
    private static int answerTokenCount(LanguageModel model, String answer, int marked) {
        int tokens = model.tokenizer().encode(answer).length;
        return tokens > 0 && tokens <= marked ? tokens : marked;
    }
}
