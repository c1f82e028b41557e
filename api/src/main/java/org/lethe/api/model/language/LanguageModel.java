package org.lethe.api.model.language;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.List;
import org.lethe.api.data.QaItem;
import org.lethe.api.model.AnswerModel;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A causal language model seen as its task needs it. Losses are answer-only: only the answer's
 * tokens are scored, given the question before them. As an {@link AnswerModel} its items are
 * {@link QaItem}s (since 1.2).
 */
@ProviderType
public interface LanguageModel extends AnswerModel<QaItem> {

    /** @return the DJL model holding the parameters (what an optimisation loop updates) */
    @Override
    Model model();

    /** @return {@code QaItem.class} */
    @Override
    default Class<QaItem> itemType() {
        return QaItem.class;
    }

    /**
     * The items' mean answer-token NLL: {@link #answerLoss(QaBatch, boolean)} of their batch.
     *
     * @since 1.2
     */
    @Override
    default NDArray answerLoss(List<QaItem> items, NDManager scope, boolean training) {
        return answerLoss(encodeItems(items, scope), training);
    }

    /**
     * The next-token scores of the items' batch ({@link #logits}) with its answer mask.
     *
     * @since 1.2
     */
    @Override
    default AnswerLogits answerLogits(List<QaItem> items, NDManager scope, boolean training) {
        QaBatch batch = encodeItems(items, scope);
        return new AnswerLogits(logits(batch, training), batch.answerMask());
    }

    /**
     * @param items question–answer items
     * @param scope where the batch's arrays live
     * @return their batch ({@link #encode} of their questions and answers)
     * @since 1.2
     */
    default QaBatch encodeItems(List<QaItem> items, NDManager scope) {
        return encode(items.stream().map(QaItem::question).toList(), items.stream().map(QaItem::answer).toList(), scope);
    }

    /** @return the tokenizer */
    Tokenizer tokenizer();

    /** @return the longest sequence the model takes, in tokens (question, answer and markers) */
    int maxLength();

    /**
     * Tokenises prompt–answer pairs into one right-padded batch.
     *
     * @param prompts the prompts (questions)
     * @param answers the answers, one per prompt
     * @param manager where the batch's arrays live
     * @return the batch
     * @throws IllegalArgumentException when a pair is longer than {@link #maxLength()}
     */
    QaBatch encode(List<String> prompts, List<String> answers, NDManager manager);

    /**
     * The model's next-token scores at every position: what a reference term such as a KL
     * divergence to the original model needs.
     *
     * @param batch a batch from {@link #encode}
     * @param training whether to run in training mode (gradients recorded by an enclosing collector)
     * @return float32 array (batch, length, vocabulary): at position t, unnormalised scores of token t
     *     given the tokens before it (the positions of {@link #answerLogProbs}); higher is more likely
     * @since 1.1
     */
    NDArray logits(QaBatch batch, boolean training);

    /**
     * Log-probability of each token given the tokens before it, at the answer positions only.
     *
     * @param batch a batch from {@link #encode}
     * @param training whether to run in training mode (gradients recorded by an enclosing collector)
     * @return float32 array (batch, length): log p(token_t | tokens before t) where
     *     {@link QaBatch#answerMask()} is 1, and 0 elsewhere; ≤ 0, higher means more likely
     */
    NDArray answerLogProbs(QaBatch batch, boolean training);

    /**
     * The mean answer-token negative log-likelihood of a batch: the loss of fine-tuning, whose
     * negation gradient ascent maximises. Items are weighted by their answer lengths.
     *
     * @param batch a batch from {@link #encode}
     * @param training whether to run in training mode
     * @return a scalar, ≥ 0, lower means the model knows the answers better
     */
    default NDArray answerLoss(QaBatch batch, boolean training) {
        NDArray logProbs = answerLogProbs(batch, training);
        return logProbs.sum().neg().div(batch.answerMask().sum());
    }

    /**
     * Per-item mean answer-token log-probability (length-normalised).
     *
     * @param batch a batch from {@link #encode}
     * @param training whether to run in training mode
     * @return float32 array (batch): mean log p over each item's answer tokens; ≤ 0, higher is more likely
     */
    default NDArray meanAnswerLogProb(QaBatch batch, boolean training) {
        NDArray logProbs = answerLogProbs(batch, training);
        return logProbs.sum(new int[] {1}).div(batch.answerMask().sum(new int[] {1}).toType(DataType.FLOAT32, false));
    }

    /**
     * Greedy decoding.
     *
     * @param prompts the prompts
     * @param maxTokens the most tokens to add to each
     * @return the continuation of each prompt, decoded, without the prompt
     */
    List<String> generate(List<String> prompts, int maxTokens);
}
