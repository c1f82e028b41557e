package org.lethe.api.model.vision;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.function.UnaryOperator;
import org.osgi.annotation.versioning.ProviderType;

/** A model answering questions about images with one answer word (draft, version 0.9). */
@ProviderType
public interface VisionLanguageModel {

    /** @return the DJL model holding the parameters */
    Model model();

    /** @return the answer vocabulary, in logit order */
    List<String> answers();

    /**
     * @param images float32 (batch, 3, height, width), values in [−1, 1]
     * @param questions one question per image
     * @param training whether gradients are recorded by an enclosing collector
     * @return float32 (batch, answers): unnormalised scores, higher is more likely
     */
    NDArray logits(NDArray images, List<String> questions, boolean training);

    /** @return the names of the layers a hook can be put on (e.g. {@code fusion.1}) */
    List<String> layers();

    /**
     * Adds a forward hook at a named layer until the returned handle is closed.
     *
     * @param layer a layer name from {@link #layers()}
     * @param edit receives the layer's output (batch, tokens, width) and returns what the next layer sees
     * @return closing it removes the hook
     */
    AutoCloseable hook(String layer, UnaryOperator<NDArray> edit);
}
