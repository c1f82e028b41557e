package org.lethe.method.realera;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.lethe.api.LetheException;
import org.lethe.api.data.Concept;
import org.lethe.api.model.LoadedModel;
import org.lethe.api.model.diffusion.DiffusionModel;

/**
 * The prompts RealEra reads from concepts: each concept's name and its aliases, every word of which
 * must be one the model knows. A word outside the vocabulary would be encoded as the unknown-word
 * token, so erasing (or preserving) it would act on every unknown word and not on the concept:
 * such a concept is refused as invalid input (exit status 3), naming the words the model knows.
 *
 * <p>A copy of ESD's {@code ErasePrompts} (method bundles are leaves and share no code), extended
 * to check the preserve concepts and the anchor prompt with the same rule. Whether a word is known
 * is read through the {@link DiffusionModel} view alone: a word outside the vocabulary tokenizes
 * exactly like a nonsense probe word (both become the unknown-word token).
 */
final class ErasePrompts {

    /** A word no vocabulary is expected to hold: what "unknown" tokenizes to. */
    static final String PROBE = "zqxjkv-realera-probe-no-such-word";

    private ErasePrompts() {
    }

    /**
     * @param concepts concepts (erase or preserve)
     * @param role what they are for, in the refusal ("erase", "keep")
     * @param model the model
     * @return the distinct prompts per concept, in concept order: the name first, then its aliases
     * @throws LetheException (invalid input) for a blank name or alias, a prompt longer than the
     *     model's context, or a word the model does not know
     */
    static List<List<String>> of(List<Concept> concepts, String role, DiffusionModel model) {
        List<List<String>> out = new ArrayList<>();
        try (NDManager scratch = model.model().getNDManager().newSubManager()) {
            long[] unknown = model.tokenize(List.of(PROBE), scratch).toLongArray();
            for (Concept concept : concepts) {
                Set<String> prompts = new LinkedHashSet<>();
                List<String> words = new ArrayList<>();
                words.add(concept.name());
                words.addAll(concept.aliases());
                for (String prompt : words) {
                    String text = prompt.trim();
                    if (text.isEmpty()) {
                        throw LetheException.invalidInput("realera: " + role + " concept '" + concept.name()
                                + "' has an empty name or alias");
                    }
                    checkKnown(text, concept.name(), role + " concept '" + concept.name() + "'", model, unknown, scratch);
                    prompts.add(text);
                }
                out.add(List.copyOf(prompts));
            }
        }
        return List.copyOf(out);
    }

    /**
     * Checks a free prompt (the anchor): every word known, not longer than the context. The empty
     * prompt is always valid (it is the null condition).
     *
     * @param text the prompt
     * @param what what it is, for the refusal
     * @param model the model
     * @throws LetheException (invalid input) otherwise
     */
    static void checkPrompt(String text, String what, DiffusionModel model) {
        if (text.isBlank()) {
            return;
        }
        try (NDManager scratch = model.model().getNDManager().newSubManager()) {
            long[] unknown = model.tokenize(List.of(PROBE), scratch).toLongArray();
            checkKnown(text.trim(), text.trim(), what, model, unknown, scratch);
        }
    }

    private static void checkKnown(String text, String name, String what, DiffusionModel model, long[] unknown, NDManager scratch) {
        for (String word : text.split("\\s+")) {
            if (Arrays.equals(unknown, tokens(model, word, what, scratch))) {
                throw LetheException.invalidInput("realera: the model does not know the " + what
                        + (word.equals(name) ? "" : " (its word '" + word + "')") + "; " + known(model));
            }
        }
        tokens(model, text, what, scratch);
    }

    private static long[] tokens(DiffusionModel model, String text, String what, NDManager scratch) {
        try {
            return model.tokenize(List.of(text), scratch).toLongArray();
        } catch (IllegalArgumentException e) {
            throw LetheException.invalidInput("realera: " + what + ": " + e.getMessage());
        }
    }

    /**
     * @param model the model
     * @return the words of its {@code vocabulary} setting, lower case, in order; empty when it lists none
     */
    static List<String> vocabulary(DiffusionModel model) {
        if (model instanceof LoadedModel loaded) {
            String vocabulary = loaded.config().get("vocabulary");
            if (vocabulary != null && !vocabulary.isBlank()) {
                return Arrays.stream(vocabulary.trim().split("\\s+")).map(w -> w.toLowerCase(Locale.ROOT)).distinct()
                        .toList();
            }
        }
        return List.of();
    }

    /** What the model knows, for the refusal: its vocabulary when it lists one. */
    static String known(DiffusionModel model) {
        List<String> words = vocabulary(model);
        if (!words.isEmpty()) {
            return "the concepts it knows are the words of its vocabulary: " + String.join(", ", words);
        }
        return "the model does not list its vocabulary; use the words it was trained on";
    }
}
