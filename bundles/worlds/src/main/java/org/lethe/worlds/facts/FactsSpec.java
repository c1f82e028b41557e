package org.lethe.worlds.facts;

/**
 * The size of a generated facts world. {@link #DEFAULT} is the design of research/methods-llm.md
 * §3.1: 100 trained entities, 10 holdout entities, each fact trained under 3 of its 6 templates,
 * 3 perturbed answers per item, 30 world facts.
 *
 * @param entities how many entities are trained (forget and retain together), 12 to 10,000
 * @param holdoutEntities how many more entities are generated but never trained, 1 to 10,000
 * @param trainedTemplates under how many of a relation's 6 templates each fact is trained (the others
 *     are held out as its paraphrases), 2 to 5
 * @param perturbedAnswers how many wrong answers each item carries for the truth ratio, 1 to 9
 * @param worldFacts how many country → capital facts, 4 to 30
 */
public record FactsSpec(int entities, int holdoutEntities, int trainedTemplates, int perturbedAnswers,
        int worldFacts) {

    /** The research design: 100 entities, 10 holdout, 3 trained templates of 6, K = 3, 30 world facts. */
    public static final FactsSpec DEFAULT = new FactsSpec(100, 10, 3, 3, 30);

    /** Rejects sizes the generator cannot honour, naming the parameter. */
    public FactsSpec {
        check("entities", entities, 12, 10_000);
        check("holdoutEntities", holdoutEntities, 1, 10_000);
        check("trainedTemplates", trainedTemplates, 2, 5);
        check("perturbedAnswers", perturbedAnswers, 1, 9);
        check("worldFacts", worldFacts, 4, Lexicon.COUNTRIES.size());
        if (perturbedAnswers >= worldFacts) {
            throw new IllegalArgumentException("perturbedAnswers (" + perturbedAnswers
                    + ") must be smaller than worldFacts (" + worldFacts + "): world facts take wrong answers from the other capitals");
        }
    }

    private static void check(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be from " + min + " to " + max + ", not " + value);
        }
    }

    /**
     * @param percent 1, 5 or 10
     * @return how many entities the {@code forget<percent>} split holds: that share of {@link #entities},
     *     rounded, at least 1
     */
    public int forgetCount(int percent) {
        return Math.max(1, (int) Math.round(entities * percent / 100.0));
    }
}
