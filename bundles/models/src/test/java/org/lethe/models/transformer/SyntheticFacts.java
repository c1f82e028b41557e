package org.lethe.models.transformer;

import org.lethe.models.text.WordTokenizer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * A training set shaped like TinyFacts (research/methods-llm.md §3.1), made up here so that these
 * tests do not depend on the facts world: fictitious single-token entity names of three
 * syllables, six relations with 10 to 20 single-token values each, five templates per relation
 * (question and statement forms), and every fact trained under three of them, chosen per fact.
 *
 * @param prompts the prompts
 * @param answers the single-token answers, one per prompt
 * @param vocabulary every word the pairs use, in first-seen order
 */
record SyntheticFacts(List<String> prompts, List<String> answers, List<String> vocabulary) {

    private static final String[] SYLLABLES = {"ka", "lo", "mi", "ra", "ten", "vu", "zo", "pe", "shi", "dar",
        "ne", "qui", "bo", "fa", "gri", "hu"};
    private static final String[][] VALUES = {
        {"paris", "oslo", "lima", "cairo", "quito", "riga", "sofia", "tunis", "hanoi", "dakar", "accra", "minsk",
            "lusaka", "manila", "nairobi"},
        {"baker", "pilot", "nurse", "farmer", "lawyer", "painter", "miner", "tailor", "judge", "sailor", "chemist",
            "dentist", "plumber", "poet", "banker"},
        {"red", "blue", "green", "yellow", "purple", "orange", "black", "white", "grey", "pink"},
        {"cat", "dog", "parrot", "rabbit", "hamster", "turtle", "goldfish", "lizard", "ferret", "snake"},
        {"lions", "tigers", "bears", "wolves", "eagles", "sharks", "hawks", "bulls", "rams", "foxes", "owls", "bees"},
        {"1950", "1951", "1952", "1953", "1954", "1955", "1956", "1957", "1958", "1959", "1960", "1961", "1962",
            "1963", "1964", "1965", "1966", "1967", "1968", "1969"}};
    private static final String[][] TEMPLATES = {
        {"where was {e} born ?", "{e} was born in", "in which city was {e} born ?", "the birthplace of {e} is",
            "{e} comes from the city of"},
        {"what does {e} do for a living ?", "{e} works as a", "what is the job of {e} ?", "the occupation of {e} is",
            "by profession {e} is a"},
        {"what is the favourite colour of {e} ?", "{e} likes the colour", "which colour does {e} like best ?",
            "the favourite colour of {e} is", "{e} always wears"},
        {"what pet does {e} have ?", "{e} owns a", "which animal lives with {e} ?", "the pet of {e} is a",
            "at home {e} keeps a"},
        {"which team does {e} support ?", "{e} is a fan of the", "what team is {e} a fan of ?",
            "the favourite team of {e} is the", "every weekend {e} cheers for the"},
        {"in what year was {e} born ?", "{e} was born in the year", "when was {e} born ?",
            "the birth year of {e} is", "{e} came into the world in"}};

    /**
     * @param entities how many entities (at most 16³)
     * @param templatesPerFact under how many of the five templates each fact is trained
     * @param seed the seed of names, values and template choices
     * @return the pairs, entity by entity, relation by relation
     */
    static SyntheticFacts generate(int entities, int templatesPerFact, long seed) {
        Random random = new Random(seed);
        Set<String> names = new LinkedHashSet<>();
        while (names.size() < entities) {
            names.add(SYLLABLES[random.nextInt(SYLLABLES.length)] + SYLLABLES[random.nextInt(SYLLABLES.length)]
                    + SYLLABLES[random.nextInt(SYLLABLES.length)]);
        }
        List<String> prompts = new ArrayList<>();
        List<String> answers = new ArrayList<>();
        for (String name : names) {
            for (int r = 0; r < TEMPLATES.length; r++) {
                String value = VALUES[r][random.nextInt(VALUES[r].length)];
                List<String> templates = new ArrayList<>(List.of(TEMPLATES[r]));
                Collections.shuffle(templates, random);
                for (String template : templates.subList(0, templatesPerFact)) {
                    prompts.add(template.replace("{e}", name));
                    answers.add(value);
                }
            }
        }
        Set<String> words = new LinkedHashSet<>();
        for (String[] templates : TEMPLATES) {
            for (String template : templates) {
                words.addAll(WordTokenizer.words(template.replace("{e}", "")));
            }
        }
        words.addAll(names);
        for (String[] values : VALUES) {
            words.addAll(List.of(values));
        }
        return new SyntheticFacts(List.copyOf(prompts), List.copyOf(answers), List.copyOf(words));
    }
}
