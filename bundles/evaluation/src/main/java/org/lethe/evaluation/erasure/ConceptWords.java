package org.lethe.evaluation.erasure;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.lethe.api.model.diffusion.DiffusionModel;

/**
 * Where a concept's words sit in tokenised prompts: the condition positions that a perturbation moves
 * or a learned concept embedding replaces. A word is its token ids without the special tokens (those
 * the empty prompt consists of: end marker, padding, any start marker); every occurrence is marked.
 */
public final class ConceptWords {

    private ConceptWords() {
    }

    /**
     * @param model the text-to-image model (its tokenizer)
     * @param texts prompts
     * @param words the concept's words (its name and aliases)
     * @param scope where the temporary token arrays live
     * @return per prompt, per condition position ({@link DiffusionModel#contextLength()}), whether it
     *     spells one of the words
     */
    public static boolean[][] positions(DiffusionModel model, List<String> texts, List<String> words, NDManager scope) {
        int length = model.contextLength();
        long[] tokens = model.tokenize(texts, scope).toLongArray();
        List<long[]> spelled = tokens(model, words, scope);
        boolean[][] marked = new boolean[texts.size()][length];
        for (int i = 0; i < texts.size(); i++) {
            long[] row = Arrays.copyOfRange(tokens, i * length, (i + 1) * length);
            for (long[] word : spelled) {
                for (int p = 0; p + word.length <= length; p++) {
                    boolean match = true;
                    for (int k = 0; k < word.length && match; k++) {
                        match = row[p + k] == word[k];
                    }
                    if (match) {
                        Arrays.fill(marked[i], p, p + word.length, true);
                    }
                }
            }
        }
        return marked;
    }

    /**
     * @param marked one prompt's marks from {@link #positions}
     * @return whether any position is marked
     */
    public static boolean any(boolean[] marked) {
        for (boolean m : marked) {
            if (m) {
                return true;
            }
        }
        return false;
    }

    /** Each word's token ids without the special tokens. */
    private static List<long[]> tokens(DiffusionModel model, List<String> words, NDManager scope) {
        Set<Long> special = new LinkedHashSet<>();
        for (long id : model.tokenize(List.of(""), scope).toLongArray()) {
            special.add(id);
        }
        int length = model.contextLength();
        long[] all = model.tokenize(words, scope).toLongArray();
        List<long[]> out = new ArrayList<>();
        for (int w = 0; w < words.size(); w++) {
            long[] kept = Arrays.stream(all, w * length, (w + 1) * length).filter(id -> !special.contains(id)).toArray();
            if (kept.length > 0) {
                out.add(kept);
            }
        }
        return out;
    }
}
