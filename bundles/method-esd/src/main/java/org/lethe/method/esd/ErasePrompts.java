package org.lethe.method.esd;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.lethe.api.LetheException;
import org.lethe.api.data.Concept;
import org.lethe.api.method.Task;
import org.lethe.api.model.LoadedModel;
import org.lethe.api.model.diffusion.DiffusionModel;

/**
 * The prompts ESD erases: each erase concept's name and its aliases (the original code draws one
 * of its prompt words at random per iteration). Every word of every prompt must be one the model
 * knows: a word outside the vocabulary would be trained as the unknown-word token, which erases
 * nothing of the concept and damages every other unknown word, so such a concept is refused as
 * invalid input (exit status 3), naming the words the model knows.
 *
 * <p>Whether a word is known is read through the {@link DiffusionModel} view alone: a word outside
 * the vocabulary tokenizes exactly like a nonsense probe word (both become the unknown-word token).
 * The known words are listed from the model's {@code vocabulary} setting when it offers one.
 */
final class ErasePrompts {

    /** A word no vocabulary is expected to hold: what "unknown" tokenizes to. */
    static final String PROBE = "zqxjkv-esd-probe-no-such-word";

    private ErasePrompts() {
    }

    /**
     * @param concepts the erase concepts
     * @param model the model to erase from
     * @return the distinct prompts, names and aliases in concept order
     * @throws LetheException (invalid input) for no concepts, a blank name, a prompt longer than the
     *     model's context, or a word the model does not know
     */
    static List<String> of(List<Concept> concepts, DiffusionModel model) {
        if (concepts.isEmpty()) {
            throw LetheException.invalidInput("esd: no concept to erase (the '" + Task.ERASE
                    + "' role is empty)");
        }
        Set<String> prompts = new LinkedHashSet<>();
        try (NDManager scratch = model.model().getNDManager().newSubManager()) {
            long[] unknown = model.tokenize(List.of(PROBE), scratch).toLongArray();
            for (Concept concept : concepts) {
                List<String> words = new ArrayList<>();
                words.add(concept.name());
                words.addAll(concept.aliases());
                for (String prompt : words) {
                    String text = prompt.trim();
                    if (text.isEmpty()) {
                        throw LetheException.invalidInput("esd: concept '" + concept.name() + "' has an empty name or alias");
                    }
                    for (String word : text.split("\\s+")) {
                        if (Arrays.equals(unknown, tokens(model, word, concept, scratch))) {
                            throw LetheException.invalidInput("esd: the model does not know the concept '" + concept.name()
                                    + "'" + (word.equalsIgnoreCase(concept.name()) ? "" : " (its word '" + word + "')")
                                    + "; " + known(model));
                        }
                    }
                    tokens(model, text, concept, scratch);
                    prompts.add(text);
                }
            }
        }
        return List.copyOf(prompts);
    }

    private static long[] tokens(DiffusionModel model, String text, Concept concept, NDManager scratch) {
        try {
            return model.tokenize(List.of(text), scratch).toLongArray();
        } catch (IllegalArgumentException e) {
            throw LetheException.invalidInput("esd: concept '" + concept.name() + "': " + e.getMessage());
        }
    }

    /** What the model knows, for the refusal: its vocabulary when it lists one. */
    static String known(DiffusionModel model) {
        if (model instanceof LoadedModel loaded) {
            String vocabulary = loaded.config().get("vocabulary");
            if (vocabulary != null && !vocabulary.isBlank()) {
                List<String> words = Arrays.stream(vocabulary.trim().split("\\s+"))
                        .map(w -> w.toLowerCase(Locale.ROOT)).distinct().toList();
                return "the concepts it knows are the words of its vocabulary: " + String.join(", ", words);
            }
        }
        return "the model does not list its vocabulary; use the words it was trained on";
    }
}
