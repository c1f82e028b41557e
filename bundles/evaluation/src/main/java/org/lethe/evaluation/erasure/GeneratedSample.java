package org.lethe.evaluation.erasure;

import java.util.Map;
import java.util.Objects;
import org.lethe.api.LetheException;

/**
 * One evaluation prompt's sample: which prompt of which role, the sampler seed it was drawn with,
 * the ground truth the classifier judges it against (the prompt's labels that name a classifier
 * head, e.g. {@code colour → red}; a layout word such as {@code context → left} is not judged) and
 * what the classifier made of the image.
 *
 * @param role the data role the prompt came from (or the perturbed split's name)
 * @param id the prompt's id
 * @param seed the seed of the sample's start noise
 * @param truth the judged labels, head → class; empty when the prompt has none
 * @param generation the classifier's reading of the image
 */
public record GeneratedSample(String role, String id, long seed, Map<String, String> truth, Generation generation) {

    /** Copies the truth and rejects missing parts. */
    public GeneratedSample {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(id, "id");
        truth = Map.copyOf(Objects.requireNonNull(truth, "truth"));
        Objects.requireNonNull(generation, "generation");
    }

    /**
     * Whether the prompt of this sample asked for the concept.
     *
     * @param concept a concept
     * @return true when the judged label of the concept's attribute is the concept's value
     */
    public boolean targets(Concept concept) {
        return concept.value().equals(truth.get(concept.attribute()));
    }

    /**
     * The sample as the erasure scores take it.
     *
     * @return the ground truth, the prediction and the "no object" verdict
     * @throws LetheException (invalid input) naming the prompt and role, when the prompt has no label
     *     the classifier judges (an accuracy of such a prompt means nothing)
     */
    public ClassifiedSample classified() {
        if (truth.isEmpty()) {
            throw LetheException.invalidInput("prompt '" + id + "' of " + role + " has no label that the evaluation"
                    + " classifier judges, so its accuracy is undefined (give it labels such as colour, shape,"
                    + " texture)");
        }
        return new ClassifiedSample(truth, generation.predicted(), generation.noObject());
    }
}
