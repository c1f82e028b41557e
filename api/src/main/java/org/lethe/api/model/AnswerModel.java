package org.lethe.api.model;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A model that answers questions, seen as question–answer unlearning objectives need it, whatever
 * else the model reads besides the question: a language model's items are
 * {@link org.lethe.api.data.QaItem}s, a vision-language model's are
 * {@link org.lethe.api.data.VqaItem}s. Gradient ascent and GradDiff are written against this view,
 * so one method bundle serves both kinds of model.
 *
 * @param <T> the item type the model answers
 * @since 1.2
 */
@ProviderType
public interface AnswerModel<T> {

    /** @return the DJL model holding the parameters (what an optimisation loop updates) */
    Model model();

    /** @return the item type, which tells the data a task must hold for this model ({@code Task.data}) */
    Class<T> itemType();

    /**
     * The mean negative log-likelihood of the items' answers: the loss of fine-tuning, whose negation
     * gradient ascent maximises.
     *
     * @param items the items
     * @param scope where the batch's arrays live
     * @param training whether gradients are recorded by an enclosing collector
     * @return a scalar, ≥ 0, lower means the model knows the answers better
     */
    NDArray answerLoss(List<T> items, NDManager scope, boolean training);

    /**
     * The model's scores over its output vocabulary at every position that predicts part of an
     * answer: what a reference term such as a KL divergence to the original model needs.
     *
     * @param items the items
     * @param scope where the batch's arrays live
     * @param training whether gradients are recorded by an enclosing collector
     * @return the scores and the positions that count
     */
    AnswerLogits answerLogits(List<T> items, NDManager scope, boolean training);

    /**
     * Scores at the answer positions of a batch.
     *
     * @param logits float32 (batch, positions, vocabulary): unnormalised scores, higher is more likely
     * @param mask float32 (batch, positions): 1 where the position predicts part of the answer, else 0
     */
    record AnswerLogits(NDArray logits, NDArray mask) {

        /** Rejects missing arrays. */
        public AnswerLogits {
            java.util.Objects.requireNonNull(logits, "logits");
            java.util.Objects.requireNonNull(mask, "mask");
        }
    }
}
