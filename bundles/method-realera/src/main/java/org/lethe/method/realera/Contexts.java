package org.lethe.method.realera;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.lethe.api.data.Concept;

/**
 * The contexts a concept is erased in when {@code context} is {@code prompts} (methods-gen.md §3.1:
 * e may be "all tokens of a prompt containing c"; §3.3: MACE uses all tokens of augmented prompts).
 * A template such as {@code "{colour} {shape} on {texture}"} names attributes in braces; the erased
 * concept fills the slot of its own attribute, every other slot runs over the keep concepts of that
 * attribute (names and aliases), and the literal words stay. Each context is the words before and
 * after the concept; the concept-free prompt is the same words with the concept replaced by the
 * anchor (removed for ∅). A template without a slot of the concept's attribute, with a slot no keep
 * concept fills, or longer than the context, gives no context (the caller logs which).
 */
final class Contexts {

    private static final Pattern SLOT = Pattern.compile("\\{([^{}]+)}");

    /**
     * A context: the words before and after the concept.
     *
     * @param before the words before (may be empty)
     * @param after the words after (may be empty)
     */
    record Context(List<String> before, List<String> after) {

        /** The bare concept: nothing before, nothing after. */
        static final Context BARE = new Context(List.of(), List.of());

        /** @return the prompt with {@code word} (one or more words, or "" for none) in the concept's place */
        String with(String word) {
            List<String> words = new ArrayList<>(before);
            if (!word.isBlank()) {
                words.add(word.trim());
            }
            words.addAll(after);
            return String.join(" ", words);
        }

        /** @return the number of words before the concept, its first position */
        int start() {
            return before.size();
        }

        boolean bare() {
            return before.isEmpty() && after.isEmpty();
        }
    }

    private Contexts() {
    }

    /**
     * @param templates the templates, separated by ';'
     * @param concept the erased concept
     * @param keep the keep concepts (with attributes)
     * @param maxWords the longest prompt the model takes, in words
     * @param skipped receives, per template, why it gave no context
     * @return the bare context first, then every context of every usable template, distinct
     */
    static List<Context> of(String templates, Concept concept, List<Concept> keep, int maxWords,
            Map<String, String> skipped) {
        Set<Context> out = new LinkedHashSet<>();
        out.add(Context.BARE);
        Optional<String> own = concept.attribute();
        Map<String, List<String>> fillers = new LinkedHashMap<>();
        for (Concept k : keep) {
            k.attribute().ifPresent(a -> {
                List<String> words = fillers.computeIfAbsent(a, x -> new ArrayList<>());
                words.add(k.name());
                words.addAll(k.aliases());
            });
        }
        for (String template : templates.split(";")) {
            String t = template.trim();
            if (t.isEmpty()) {
                continue;
            }
            if (own.isEmpty()) {
                skipped.put(t, "the concept '" + concept.name() + "' has no attribute");
                continue;
            }
            List<List<String>> slots = new ArrayList<>();
            int concepts = 0;
            String missing = null;
            for (String token : t.split("\\s+")) {
                Matcher m = SLOT.matcher(token);
                if (!m.matches()) {
                    slots.add(List.of(token));
                } else if (m.group(1).equals(own.get())) {
                    slots.add(null);
                    concepts++;
                } else if (fillers.containsKey(m.group(1))) {
                    slots.add(fillers.get(m.group(1)));
                } else {
                    missing = m.group(1);
                }
            }
            if (concepts != 1) {
                skipped.put(t, concepts == 0 ? "no slot {" + own.get() + "} for the concept" : "more than one {"
                        + own.get() + "} slot");
                continue;
            }
            if (missing != null) {
                skipped.put(t, "no keep concept of attribute '" + missing + "'");
                continue;
            }
            if (slots.size() + concept.name().split("\\s+").length - 1 > maxWords) {
                skipped.put(t, "longer than the model's " + maxWords + " words");
                continue;
            }
            expand(slots, 0, new ArrayList<>(), out);
        }
        return List.copyOf(out);
    }

    private static void expand(List<List<String>> slots, int i, List<String> words, Set<Context> out) {
        if (i == slots.size()) {
            int at = words.indexOf(null);
            out.add(new Context(List.copyOf(words.subList(0, at)), List.copyOf(words.subList(at + 1, words.size()))));
            return;
        }
        List<String> choices = slots.get(i);
        if (choices == null) {
            words.add(null);
            expand(slots, i + 1, words, out);
            words.remove(words.size() - 1);
            return;
        }
        for (String w : choices) {
            words.add(w);
            expand(slots, i + 1, words, out);
            words.remove(words.size() - 1);
        }
    }

    /**
     * The per-token targets of a prompt with the concept in a context (positions × width): positions
     * before the concept are null (the same token in both prompts: nothing to map); the concept's own
     * positions map to the anchor-in-context's tokens when the anchor has as many words, otherwise to
     * the anchor's own encoding from its start (∅'s for the empty anchor, as for the bare concept);
     * every later position p (the words after, the end marker, the padding) maps to position
     * p − |c| + |a| of the concept-free prompt, the same token in the same causal context but the
     * concept's (a causal encoder shifts it by the concept's length), or to nothing when that lies
     * past the context.
     *
     * @param context the context
     * @param conceptWords |c|, the concept's words
     * @param anchorWords |a|, the anchor's words (0 for ∅)
     * @param free the encoding of the concept-free prompt (the context with the anchor)
     * @param anchor the anchor's own encoding
     * @return the target per position, null where the closed form has nothing to map
     */
    static double[][] targets(Context context, int conceptWords, int anchorWords, double[][] free, double[][] anchor) {
        int positions = free.length;
        double[][] out = new double[positions][];
        int start = context.start();
        for (int p = start; p < positions; p++) {
            if (p < start + conceptWords) {
                out[p] = anchorWords == conceptWords ? free[p] : anchor[p - start];
            } else {
                int q = p - conceptWords + anchorWords;
                out[p] = q < positions ? free[q] : null;
            }
        }
        return out;
    }

    /** @return the number of words of a prompt ("" has none) */
    static int words(String prompt) {
        return prompt.isBlank() ? 0 : prompt.trim().split("\\s+").length;
    }
}
