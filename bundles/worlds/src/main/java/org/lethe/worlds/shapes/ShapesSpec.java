package org.lethe.worlds.shapes;

/**
 * The size and the rates of a generated shapes world. {@link #DEFAULT} follows methods-gen.md §6
 * and §8: aliases in 10 % of training prompts each, prompt dropout 0.1 and attribute dropout 0.2
 * for classifier-free guidance, N = 200 evaluation samples per concept.
 *
 * @param trainPerCombination training pairs per colour × shape × texture combination (72
 *     combinations), 1 to 10,000; the diffusion model's training set
 * @param classifierTrainPerCombination classifier training images per combination, from their own
 *     seeds, 1 to 10,000
 * @param classifierHoldoutPerCombination classifier check images per combination, from seeds used
 *     nowhere else (the classifier's ≥ 98 % check), 1 to 10,000
 * @param noObjectTrain images without an object in the classifier's training set (half background
 *     only, half uniform noise), for its "no object" head, 0 to 100,000
 * @param noObjectHoldout images without an object in the classifier's check set, 0 to 100,000
 * @param evalPromptsPerConcept evaluation prompts per concept and per evaluation split, and per
 *     task's preserve split (each with its own sampler seed, shared across concepts), 1 to 100,000
 * @param aliasRate the share of training prompts that name an attribute by each of its aliases
 *     (the name takes the rest), 0 to 0.5
 * @param contextRate the share of training prompts that start with a context word ({@code small},
 *     {@code big}, {@code left}, {@code right}), whose layout then follows the word, 0 to 1
 * @param promptDropout probability that the trainer replaces the whole prompt by the null prompt
 *     (classifier-free guidance), 0 to 1 (exclusive); applied by {@link ShapesWorld#dropout}
 * @param attributeDropout probability that the trainer drops each attribute word (so that {@code red}
 *     alone is a valid prompt), 0 to 1 (exclusive); applied by {@link ShapesWorld#dropout}
 * @param trainHeldOutAliases whether training prompts use the held-out aliases too. True (the
 *     research's design): the base model learns them, and they are held out of the erasure inputs
 *     only, so that the generality metric asks whether erasing {@code red} also erased
 *     {@code scarlet}. False: they never appear in training, and the model never learns them.
 */
public record ShapesSpec(int trainPerCombination, int classifierTrainPerCombination,
        int classifierHoldoutPerCombination, int noObjectTrain, int noObjectHoldout, int evalPromptsPerConcept,
        double aliasRate, double contextRate, double promptDropout, double attributeDropout,
        boolean trainHeldOutAliases) {

    /** The research design: 3,600 training pairs, 1,728 + 96 classifier images, 576 + 32 held out, N = 200. */
    public static final ShapesSpec DEFAULT = new ShapesSpec(50, 24, 8, 96, 32, 200, 0.10, 0.25, 0.10, 0.20, true);

    /** Rejects sizes and rates the generator cannot honour, naming the parameter. */
    public ShapesSpec {
        count("trainPerCombination", trainPerCombination, 1, 10_000);
        count("classifierTrainPerCombination", classifierTrainPerCombination, 1, 10_000);
        count("classifierHoldoutPerCombination", classifierHoldoutPerCombination, 1, 10_000);
        count("noObjectTrain", noObjectTrain, 0, 100_000);
        count("noObjectHoldout", noObjectHoldout, 0, 100_000);
        count("evalPromptsPerConcept", evalPromptsPerConcept, 1, 100_000);
        rate("aliasRate", aliasRate, 0.5, true);
        rate("contextRate", contextRate, 1, true);
        rate("promptDropout", promptDropout, 1, false);
        rate("attributeDropout", attributeDropout, 1, false);
    }

    /**
     * A small world for tests: 2 training pairs and 1 + 1 classifier images per combination, 8 + 4
     * images without an object, 12 evaluation prompts per concept, the default rates.
     */
    public static final ShapesSpec SMALL = new ShapesSpec(2, 1, 1, 8, 4, 12, 0.10, 0.25, 0.10, 0.20, true);

    /** @return the number of colour × shape × texture combinations (72) */
    public static int combinations() {
        return ShapesLexicon.COLOURS.size() * ShapesLexicon.SHAPES.size() * ShapesLexicon.TEXTURES.size();
    }

    private static void count(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be from " + min + " to " + max + ", not " + value);
        }
    }

    private static void rate(String name, double value, double max, boolean maxIncluded) {
        if (!(value >= 0) || value > max || (!maxIncluded && value == max)) {
            throw new IllegalArgumentException(name + " must be from 0 to " + max + (maxIncluded ? "" : " (exclusive)")
                    + ", not " + value);
        }
    }
}
