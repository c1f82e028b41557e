package org.lethe.api.data;

import java.util.Objects;

/**
 * A question about an image with its one-word answer: one line of a visual question-answer set
 * ({@link DataService#readVqa}), what a vision-language model is trained, unlearned and evaluated on
 * (research/methods-gen.md §7–8).
 *
 * @param id a stable id, unique in its set
 * @param image the image the question is about, with what it shows in its labels
 * @param question the question, required
 * @param answer the correct answer, one word of the model's answer vocabulary
 * @param attribute the image label the question asks about (e.g. {@code colour}); a yes/no question
 *     names the attribute whose value it asks to confirm
 * @param form how the question is phrased: {@link #TEMPLATE}, {@link #PARAPHRASE} or {@link #YES_NO}
 * @since 1.3
 */
public record VqaItem(String id, LabelledImage image, String question, String answer, String attribute, String form) {

    /** A training template ("what color is the object"). */
    public static final String TEMPLATE = "template";

    /** A held-out paraphrase of a template, never trained on ("what is the tint of the thing"). */
    public static final String PARAPHRASE = "paraphrase";

    /** A yes/no reformulation ("is it red"), answered {@code yes} or {@code no}. */
    public static final String YES_NO = "yes-no";

    /** Rejects missing fields and an unknown form. */
    public VqaItem {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(question, "question");
        Objects.requireNonNull(answer, "answer");
        Objects.requireNonNull(attribute, "attribute");
        Objects.requireNonNull(form, "form");
        if (!form.equals(TEMPLATE) && !form.equals(PARAPHRASE) && !form.equals(YES_NO)) {
            throw new IllegalArgumentException("item " + id + ": form '" + form + "' is not one of " + TEMPLATE + ", "
                    + PARAPHRASE + ", " + YES_NO);
        }
    }

    /**
     * @param concept a concept name (an image label value, e.g. {@code red})
     * @return whether the image shows it (one of its label values equals it)
     */
    public boolean shows(String concept) {
        return image.labels().containsValue(concept);
    }
}
