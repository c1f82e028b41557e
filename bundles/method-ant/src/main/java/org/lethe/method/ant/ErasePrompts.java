package org.lethe.method.ant;

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
 * The prompts ANT works with: a concept's name and aliases (what the edited model is conditioned on,
 * as the released code's {@code f'{word}'}), and its augmentations for the saliency maps and the
 * fusion's contexts (those, plus compositional prompts made from templates). Every word of a
 * concept's own prompts must be one the model knows: a word outside the vocabulary would be trained
 * as the unknown-word token, which erases nothing of the concept and damages every other unknown
 * word, so such a concept is refused as invalid input (exit status 3), naming the words it knows.
 *
 * <p>Copied from the ESD bundle's {@code ErasePrompts} (method bundles are leaves and share no
 * code), with the augmentation added. Whether a word is known is read through the
 * {@link DiffusionModel} view alone: a word outside the vocabulary tokenizes exactly like a nonsense
 * probe word (both become the unknown-word token).
 */
final class ErasePrompts {

    /** A word no vocabulary is expected to hold: what "unknown" tokenizes to. */
    static final String PROBE = "zqxjkv-ant-probe-no-such-word";

    /** Where a template puts the concept's name. */
    static final String SLOT = "{}";

    private final DiffusionModel model;
    private final NDManager scratch;
    private final long[] unknown;

    private ErasePrompts(DiffusionModel model, NDManager scratch) {
        this.model = model;
        this.scratch = scratch;
        this.unknown = model.tokenize(List.of(PROBE), scratch).toLongArray();
    }

    /**
     * @param concepts the concepts
     * @param model the model to erase from
     * @param role the data role they come from, for the refusal
     * @return per concept, its distinct prompts: the name, then the aliases
     * @throws LetheException (invalid input) for no concepts, a blank name, a prompt longer than the
     *     model's context, or a word the model does not know
     */
    static List<List<String>> of(List<Concept> concepts, DiffusionModel model, String role) {
        if (concepts.isEmpty()) {
            throw LetheException.invalidInput("ant: no concept to erase (the '" + role + "' role is empty)");
        }
        try (NDManager scratch = model.model().getNDManager().newSubManager()) {
            ErasePrompts check = new ErasePrompts(model, scratch);
            List<List<String>> out = new ArrayList<>();
            for (Concept concept : concepts) {
                Set<String> prompts = new LinkedHashSet<>();
                List<String> words = new ArrayList<>();
                words.add(concept.name());
                words.addAll(concept.aliases());
                for (String prompt : words) {
                    String text = prompt.trim();
                    if (text.isEmpty()) {
                        throw LetheException.invalidInput("ant: concept '" + concept.name() + "' has an empty name or alias");
                    }
                    for (String word : text.split("\\s+")) {
                        if (!check.knows(word, concept)) {
                            throw LetheException.invalidInput("ant: the model does not know the concept '" + concept.name()
                                    + "'" + (word.equalsIgnoreCase(concept.name()) ? "" : " (its word '" + word + "')")
                                    + "; " + known(model));
                        }
                    }
                    check.tokens(text, concept);
                    prompts.add(text);
                }
                out.add(List.copyOf(prompts));
            }
            return out;
        }
    }

    /**
     * A concept's augmented prompts (paper: the prompt set C of the saliency maps; released code:
     * {@code prompt_augmentation} of the fusion): its own prompts, then each template with the
     * concept's name in its slot, kept only when the model knows every word of it (the augmentation
     * is built from words the model knows; a template that does not fit this model is skipped, never
     * trained as unknown words).
     *
     * @param own the concept's own prompts (name first), as {@link #of} made them
     * @param templates templates holding {@value #SLOT}
     * @param model the model
     * @return the distinct prompts, own prompts first
     */
    static List<String> augmented(List<String> own, List<String> templates, DiffusionModel model) {
        Set<String> out = new LinkedHashSet<>(own);
        try (NDManager scratch = model.model().getNDManager().newSubManager()) {
            ErasePrompts check = new ErasePrompts(model, scratch);
            for (String template : templates) {
                String text = template.replace(SLOT, own.get(0)).trim();
                if (!text.isEmpty() && check.fits(text)) {
                    out.add(text);
                }
            }
        }
        return List.copyOf(out);
    }

    /**
     * @param text a prompt
     * @param model the model
     * @return whether the model knows every word of it and it fits the context
     */
    static boolean known(String text, DiffusionModel model) {
        try (NDManager scratch = model.model().getNDManager().newSubManager()) {
            return new ErasePrompts(model, scratch).fits(text);
        }
    }

    private boolean fits(String text) {
        for (String word : text.split("\\s+")) {
            if (Arrays.equals(unknown, model.tokenize(List.of(word), scratch).toLongArray())) {
                return false;
            }
        }
        try {
            model.tokenize(List.of(text), scratch);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private boolean knows(String word, Concept concept) {
        return !Arrays.equals(unknown, tokens(word, concept));
    }

    private long[] tokens(String text, Concept concept) {
        try {
            return model.tokenize(List.of(text), scratch).toLongArray();
        } catch (IllegalArgumentException e) {
            throw LetheException.invalidInput("ant: concept '" + concept.name() + "': " + e.getMessage());
        }
    }

    /**
     * @param model the model
     * @return the words of its {@code vocabulary} setting, lower case, when it lists one; else empty
     */
    static List<String> vocabulary(DiffusionModel model) {
        if (model instanceof LoadedModel loaded) {
            String vocabulary = loaded.config().get("vocabulary");
            if (vocabulary != null && !vocabulary.isBlank()) {
                return Arrays.stream(vocabulary.trim().split("\\s+"))
                        .map(w -> w.toLowerCase(Locale.ROOT)).distinct().toList();
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
