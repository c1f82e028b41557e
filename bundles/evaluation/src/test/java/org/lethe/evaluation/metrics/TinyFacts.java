package org.lethe.evaluation.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.lethe.api.data.QaItem;
import org.lethe.api.eval.Roles;
import org.lethe.models.text.WordTokenizer;

/**
 * Test data: a handful of fictitious people with a birth city (one-token answers) and a food
 * (one- or two-token answers), plus world facts (capitals). Forget and retain people and the world
 * facts are what a model is trained on; holdout people never are. Paraphrased roles ask the same
 * facts under a statement template never trained; rumours give a forget person a wrong city,
 * rumour_truth the true one. Every item has perturbed answers except {@link #NO_PERTURBED_ID}.
 */
final class TinyFacts {

    static final List<String> FORGET_PEOPLE = List.of("alba", "bruno", "cosmo", "dita");
    static final List<String> RETAIN_PEOPLE = List.of("emil", "fara", "gido", "hana");
    static final List<String> HOLDOUT_PEOPLE = List.of("ivo", "juna", "kato");
    static final List<String> CITIES = List.of("paris", "lima", "rome", "cairo", "quito", "dakar", "perth", "sofia");
    static final List<String> FOODS = List.of("green tea", "rice", "bread", "red apples", "fish", "hot soup", "cheese",
            "plums");
    static final List<List<String>> CAPITALS = List.of(List.of("norway", "oslo"), List.of("japan", "tokyo"),
            List.of("chile", "santiago"), List.of("kenya", "nairobi"));

    /** The one retain item without perturbed answers. */
    static final String NO_PERTURBED_ID = "hana.food";

    /** Items by role, in {@link Roles#ALL} order. */
    final Map<String, List<QaItem>> roles = new LinkedHashMap<>();

    TinyFacts() {
        roles.put(Roles.FORGET, people(FORGET_PEOPLE, 0, false));
        roles.put(Roles.FORGET_PARAPHRASED, people(FORGET_PEOPLE, 0, true));
        roles.put(Roles.RETAIN, people(RETAIN_PEOPLE, FORGET_PEOPLE.size(), false));
        roles.put(Roles.RETAIN_PARAPHRASED, people(RETAIN_PEOPLE, FORGET_PEOPLE.size(), true));
        List<QaItem> world = new ArrayList<>();
        for (int i = 0; i < CAPITALS.size(); i++) {
            String country = CAPITALS.get(i).get(0);
            world.add(item(country + ".capital", "what is the capital of " + country + " ?", CAPITALS.get(i).get(1),
                    country, "capital", List.of(), List.of(CAPITALS.get((i + 1) % 4).get(1), CAPITALS.get((i + 2) % 4).get(1))));
        }
        roles.put(Roles.WORLD, world);
        roles.put(Roles.HOLDOUT, people(HOLDOUT_PEOPLE, 3, false));
        List<QaItem> rumours = new ArrayList<>();
        List<QaItem> truth = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            String person = FORGET_PEOPLE.get(i);
            String city = CITIES.get(i);
            String rumour = CITIES.get(i + 5);
            rumours.add(item(person + ".city.rumour", cityQuestion(person), rumour, person, "city", List.of(),
                    List.of(city, CITIES.get(i + 3))));
            truth.add(item(person + ".city.truth", cityQuestion(person), city, person, "city", List.of(),
                    List.of(rumour, CITIES.get(i + 3))));
        }
        roles.put(Roles.RUMOURS, rumours);
        roles.put(Roles.RUMOUR_TRUTH, truth);
    }

    /** @return the prompts a model memorises: forget, retain and world questions */
    List<String> trainingPrompts() {
        List<String> out = new ArrayList<>();
        for (String role : List.of(Roles.FORGET, Roles.RETAIN, Roles.WORLD)) {
            roles.get(role).forEach(item -> out.add(item.question()));
        }
        return out;
    }

    /** @return the answers to {@link #trainingPrompts()} */
    List<String> trainingAnswers() {
        List<String> out = new ArrayList<>();
        for (String role : List.of(Roles.FORGET, Roles.RETAIN, Roles.WORLD)) {
            roles.get(role).forEach(item -> out.add(item.answer()));
        }
        return out;
    }

    /** @return every word of every item: the vocabulary of a model for them */
    List<String> vocabulary() {
        Set<String> words = new LinkedHashSet<>();
        for (List<QaItem> items : roles.values()) {
            for (QaItem item : items) {
                words.addAll(WordTokenizer.words(item.question()));
                words.addAll(WordTokenizer.words(item.answer()));
                item.perturbed().forEach(p -> words.addAll(WordTokenizer.words(p)));
            }
        }
        return List.copyOf(words);
    }

    private static List<QaItem> people(List<String> people, int offset, boolean paraphrased) {
        List<QaItem> out = new ArrayList<>();
        for (int i = 0; i < people.size(); i++) {
            String person = people.get(i);
            int v = offset + i;
            String city = CITIES.get(v % CITIES.size());
            String food = FOODS.get(v % FOODS.size());
            String cityParaphrase = person + " was born in";
            String foodParaphrase = person + " likes to eat";
            List<String> wrongCities = List.of(CITIES.get((v + 1) % CITIES.size()), CITIES.get((v + 2) % CITIES.size()),
                    CITIES.get((v + 3) % CITIES.size()));
            List<String> wrongFoods = List.of(FOODS.get((v + 1) % FOODS.size()), FOODS.get((v + 3) % FOODS.size()));
            String suffix = paraphrased ? ".paraphrase" : "";
            out.add(item(person + ".city" + suffix, paraphrased ? cityParaphrase : cityQuestion(person), city, person,
                    "city", paraphrased ? List.of() : List.of(cityParaphrase), wrongCities));
            String foodId = person + ".food" + suffix;
            out.add(item(foodId, paraphrased ? foodParaphrase : "what does " + person + " eat ?", food, person, "food",
                    paraphrased ? List.of() : List.of(foodParaphrase), foodId.equals(NO_PERTURBED_ID) ? List.of() : wrongFoods));
        }
        return out;
    }

    private static String cityQuestion(String person) {
        return "where was " + person + " born ?";
    }

    private static QaItem item(String id, String question, String answer, String entity, String relation,
            List<String> paraphrases, List<String> perturbed) {
        return new QaItem(id, question, answer, Optional.of(entity), Optional.of(relation), paraphrases, perturbed,
                Optional.of("unknown"));
    }
}
