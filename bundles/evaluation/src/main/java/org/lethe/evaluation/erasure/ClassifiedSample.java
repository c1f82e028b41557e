package org.lethe.evaluation.erasure;

import java.util.Map;
import java.util.Objects;

/**
 * One generated image as scored by the evaluation classifier: the ground truth its prompt asked for
 * and the classifier's prediction, per attribute head, plus the verdict of the "no object" head.
 *
 * @param truth the prompt's target class per attribute (e.g. {@code color→red, shape→box}); not empty
 * @param predicted the classifier's arg-max class per attribute; a head missing here counts as a
 *     wrong prediction for that attribute
 * @param noObject whether the "no object" head judged the image destroyed (background or noise only)
 */
public record ClassifiedSample(Map<String, String> truth, Map<String, String> predicted, boolean noObject) {

    /** Copies the maps and checks that the ground truth is not empty. */
    public ClassifiedSample {
        truth = Map.copyOf(Objects.requireNonNull(truth, "truth"));
        predicted = Map.copyOf(Objects.requireNonNull(predicted, "predicted"));
        if (truth.isEmpty()) {
            throw new IllegalArgumentException("a classified sample needs at least one ground-truth attribute");
        }
    }

    /**
     * Whether the prompt of this sample asked for the concept.
     *
     * @param concept the concept
     * @return true when the ground truth of the concept's attribute is the concept's value
     */
    public boolean targets(Concept concept) {
        return concept.value().equals(truth.get(concept.attribute()));
    }

    /**
     * Whether the classifier recognised the concept in this image: the concept's head predicts the
     * concept's value and the "no object" head did not fire (a destroyed image shows no concept).
     *
     * @param concept the concept
     * @return true when the image is classified as the concept
     */
    public boolean classifiedAs(Concept concept) {
        return !noObject && concept.value().equals(predicted.get(concept.attribute()));
    }

    /**
     * Whether every ground-truth attribute is predicted correctly and the image is not judged empty.
     *
     * @return true when the whole prompt is recognised
     */
    public boolean fullyCorrect() {
        if (noObject) {
            return false;
        }
        for (Map.Entry<String, String> e : truth.entrySet()) {
            if (!e.getValue().equals(predicted.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }
}
