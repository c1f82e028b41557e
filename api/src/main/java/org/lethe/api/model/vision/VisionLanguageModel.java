package org.lethe.api.model.vision;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.function.UnaryOperator;
import org.lethe.api.data.LabelledImage;
import org.lethe.api.data.VqaItem;
import org.lethe.api.model.AnswerModel;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A model answering questions about images with one answer word. Its forward pass reads a token
 * sequence in a fixed order: position 0 is a summary token ({@code [CLS]}) whose final state the
 * answer head reads, positions 1 to {@link #visualTokens()} are the image's visual tokens, and the
 * question's tokens follow (then any appended embeddings, then padding). A hook at a named layer
 * sees and may replace that layer's output, which is how inference-time interventions (a sparse
 * autoencoder's feature edit) change the model without changing a weight. As an
 * {@link AnswerModel} its items are {@link VqaItem}s.
 */
@ProviderType
public interface VisionLanguageModel extends AnswerModel<VqaItem> {

    /** @return the DJL model holding the parameters */
    @Override
    Model model();

    /** @return {@code VqaItem.class} */
    @Override
    default Class<VqaItem> itemType() {
        return VqaItem.class;
    }

    /** @return the answer vocabulary, in logit order */
    List<String> answers();

    /** @return the image shape the model reads, (channels, height, width) */
    Shape imageShape();

    /** @return the width of every token's state (and of {@link #logits(NDArray, List, NDArray, boolean)}'s appended embeddings) */
    int width();

    /** @return how many visual tokens follow the summary token */
    int visualTokens();

    /**
     * @param images the images, each of {@link #imageShape()}
     * @param manager where the array lives
     * @return float32 (batch, channels, height, width), values in [−1, 1] (pixels p mapped to 2p − 1)
     * @throws IllegalArgumentException when an image's shape is not {@link #imageShape()}
     */
    default NDArray images(List<LabelledImage> images, NDManager manager) {
        Shape shape = imageShape();
        NDList stacked = new NDList(images.size());
        for (LabelledImage image : images) {
            if (image.channels() != shape.get(0) || image.height() != shape.get(1) || image.width() != shape.get(2)) {
                throw new IllegalArgumentException("image " + image.id() + " is " + image.channels() + "×" + image.height()
                        + "×" + image.width() + "; the model reads " + shape);
            }
            stacked.add(manager.create(image.pixels(), shape));
        }
        return NDArrays.stack(stacked).mul(2f).sub(1f).toType(DataType.FLOAT32, false);
    }

    /**
     * @param images float32 (batch, channels, height, width), values in [−1, 1]
     * @param questions one question per image
     * @param training whether gradients are recorded by an enclosing collector
     * @return float32 (batch, answers): unnormalised scores, higher is more likely
     */
    NDArray logits(NDArray images, List<String> questions, boolean training);

    /**
     * The scores with extra token embeddings after each question's tokens: what a soft-prompt attack
     * optimises (research/methods-gen.md §8).
     *
     * @param images float32 (batch, channels, height, width), values in [−1, 1]
     * @param questions one question per image
     * @param appended float32 (n, {@link #width()}) or (batch, n, {@link #width()}): embeddings placed
     *     after each question's last token, in the input space of the first layer (positional
     *     encoding added as for question tokens); gradients flow into them
     * @param training whether gradients are recorded by an enclosing collector
     * @return float32 (batch, answers)
     */
    NDArray logits(NDArray images, List<String> questions, NDArray appended, boolean training);

    /** @return the names of the layers a hook can be put on (e.g. {@code fusion.0}), in forward order */
    List<String> layers();

    /**
     * Adds a forward hook at a named layer until the returned handle is closed. Hooks at the same
     * layer run in the order they were added.
     *
     * @param layer a layer name from {@link #layers()}
     * @param edit receives the layer's output, float32 (batch, tokens, {@link #width()}), in the token
     *     order of this interface's description, and returns what the next layer sees (same shape)
     * @return closing it removes the hook (closing twice is harmless)
     * @throws org.lethe.api.LetheException (invalid input) when the layer does not exist, listing the valid ones
     */
    AutoCloseable hook(String layer, UnaryOperator<NDArray> edit);

    /**
     * The answer cross-entropy of the items (images through {@link #images}).
     *
     * @throws IllegalArgumentException when an answer is not in {@link #answers()}
     */
    @Override
    default NDArray answerLoss(List<VqaItem> items, NDManager scope, boolean training) {
        NDArray logits = logits(images(items.stream().map(VqaItem::image).toList(), scope),
                items.stream().map(VqaItem::question).toList(), training);
        NDArray targets = scope.create(answerIndices(items)).reshape(items.size(), 1);
        return logits.logSoftmax(1).gather(targets, 1).neg().mean();
    }

    /** The scores of {@link #logits(NDArray, List, boolean)} as one position per item, all counted. */
    @Override
    default AnswerLogits answerLogits(List<VqaItem> items, NDManager scope, boolean training) {
        NDArray logits = logits(images(items.stream().map(VqaItem::image).toList(), scope),
                items.stream().map(VqaItem::question).toList(), training);
        return new AnswerLogits(logits.expandDims(1), scope.ones(new Shape(items.size(), 1)));
    }

    /**
     * @param items items whose answers are in {@link #answers()}
     * @return each answer's index in {@link #answers()}
     * @throws IllegalArgumentException naming the first item whose answer is not
     */
    default long[] answerIndices(List<VqaItem> items) {
        List<String> vocabulary = answers();
        long[] indices = new long[items.size()];
        for (int i = 0; i < indices.length; i++) {
            int index = vocabulary.indexOf(items.get(i).answer());
            if (index < 0) {
                throw new IllegalArgumentException("item " + items.get(i).id() + ": answer '" + items.get(i).answer()
                        + "' is not one of the model's answers " + vocabulary);
            }
            indices[i] = index;
        }
        return indices;
    }
}
