package org.lethe.api.model.classifier;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.osgi.annotation.versioning.ProviderType;

/**
 * An image classifier with one head per attribute (draft, version 0.9): each head names a set of
 * classes, and an image has at most one class per head (or none: a label of {@value #UNLABELLED}
 * leaves that head out of the loss, e.g. the colour of an image without an object).
 *
 * <p>Images are float32 (batch, {@link #channels()}, {@link #imageSize()}, {@link #imageSize()})
 * with values in [0, 1]; a diffusion sample in [−1, 1] maps there by (x + 1) / 2.
 */
@ProviderType
public interface ConceptClassifier {

    /** The label of an image that has no class for a head (left out of that head's loss). */
    int UNLABELLED = -1;

    /** @return the DJL model holding the parameters */
    Model model();

    /** @return the image side in pixels */
    int imageSize();

    /** @return the image channels */
    int channels();

    /** @return the heads, in order (e.g. {@code colour}, {@code shape}, {@code texture}, {@code object}) */
    List<String> heads();

    /**
     * @param head a head's name
     * @return its classes, in logit order
     * @throws IllegalArgumentException naming the heads, for an unknown head
     */
    List<String> classes(String head);

    /** @return the width of the penultimate feature vector */
    int featureWidth();

    /**
     * @param images float32 (batch, channels, size, size) in [0, 1]
     * @param training whether gradients are recorded by an enclosing collector
     * @return every head's logits (batch, classes) by head name, and the penultimate features
     *     (batch, {@link #featureWidth()}), in the manager of {@code images}
     */
    Output forward(NDArray images, boolean training);

    /**
     * The training loss: the sum over heads of the mean cross-entropy over the images labelled for
     * that head (a head with no labelled image in the batch adds 0).
     *
     * @param images float32 (batch, channels, size, size) in [0, 1]
     * @param labels per head, one class index per image, or {@value #UNLABELLED}; every head must be given
     * @param training whether gradients are recorded by an enclosing collector
     * @return the scalar loss, in the manager of {@code images}
     */
    NDArray loss(NDArray images, Map<String, int[]> labels, boolean training);

    /**
     * The classifier's training augmentation, consistent with the labels (small shifts, mirror
     * images, colour jitter, pixel noise; the recipe is the architecture's), on host values.
     *
     * @param images float32 values, (batch, channels, size, size) in row-major order, in [0, 1]
     * @param random draws the augmentation (deterministic for a seeded generator)
     * @return new values of the same layout, in [0, 1]
     */
    float[] augment(float[] images, Random random);

    /**
     * @param images float32 (batch, channels, size, size) in [0, 1]
     * @return per head, the most likely class index of every image (no gradient is recorded)
     */
    Map<String, int[]> predict(NDArray images);

    /**
     * @param images float32 (batch, channels, size, size) in [0, 1]
     * @return the penultimate features, float32 (batch, {@link #featureWidth()}), in the manager of
     *     {@code images} (no gradient is recorded)
     */
    NDArray features(NDArray images);

    /**
     * What a forward pass gives.
     *
     * @param logits every head's logits (batch, classes), by head name, in head order
     * @param features the penultimate features (batch, width)
     */
    record Output(Map<String, NDArray> logits, NDArray features) {

        /** Copies the map (its order kept). */
        public Output {
            logits = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(logits));
        }
    }
}
