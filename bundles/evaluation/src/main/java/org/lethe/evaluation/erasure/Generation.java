package org.lethe.evaluation.erasure;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What the evaluation keeps of one generated image once the classifier has read it: the class each
 * head predicts, the "no object" verdict, the classifier's penultimate features (the Fréchet
 * distance's input) and the object silhouette (the layout scores' input). The pixels themselves are
 * not kept. Arrays are shared, not copied: treat them as read-only.
 *
 * @param predicted the arg-max class of every head, by head name, in head order
 * @param noObject whether the classifier's "no object" head predicts that the image shows no object
 *     (false when the classifier has no such head)
 * @param features the penultimate features, length {@code featureWidth()} of the classifier
 * @param silhouette the object mask, [row][column]
 * @param probabilities every head's softmax over its classes, by head name, in the classifier's class
 *     order (what a classifier-guided attack maximises)
 */
public record Generation(Map<String, String> predicted, boolean noObject, double[] features, boolean[][] silhouette,
        Map<String, double[]> probabilities) {

    /** Copies the prediction map (keeping its order) and rejects missing parts. */
    public Generation {
        predicted = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(predicted, "predicted")));
        Objects.requireNonNull(features, "features");
        Objects.requireNonNull(silhouette, "silhouette");
        probabilities = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(probabilities,
                "probabilities")));
    }
}
