package org.lethe.models.text;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.lethe.api.model.language.Tokenizer;

/**
 * A word-level tokenizer over a fixed vocabulary: lower-cased words and single punctuation marks;
 * a word outside the vocabulary becomes {@code <unk>}. Ids 0 to 3 are the markers
 * {@code <pad> <unk> <sep> <eos>}, then the words in the order given, duplicates dropped. Shared by
 * the word-level architectures ({@code tiny-lm}, {@code word-transformer}).
 */
public final class WordTokenizer implements Tokenizer {

    /** Marker id. */
    public static final int PAD = 0;
    /** Marker id. */
    public static final int UNK = 1;
    /** Marker id. */
    public static final int SEP = 2;
    /** Marker id. */
    public static final int EOS = 3;
    /** The markers, in id order. */
    public static final List<String> MARKERS = List.of("<pad>", "<unk>", "<sep>", "<eos>");
    private static final Pattern TOKEN = Pattern.compile("[\\p{L}\\p{N}'_-]+|[^\\s\\p{L}\\p{N}]");

    private final List<String> words = new ArrayList<>(MARKERS);
    private final Map<String, Integer> ids = new HashMap<>();

    /** @param vocabulary the words, in id order after the markers; duplicates are ignored */
    public WordTokenizer(List<String> vocabulary) {
        for (int i = 0; i < MARKERS.size(); i++) {
            ids.put(MARKERS.get(i), i);
        }
        for (String word : vocabulary) {
            String w = word.toLowerCase(Locale.ROOT);
            if (!w.isEmpty() && !ids.containsKey(w)) {
                ids.put(w, words.size());
                words.add(w);
            }
        }
    }

    /** Splits text the way {@link #encode} does: the words a vocabulary for it needs. */
    public static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = TOKEN.matcher(text.toLowerCase(Locale.ROOT));
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    /** @return the vocabulary after the markers, in id order */
    public List<String> vocabulary() {
        return words.subList(MARKERS.size(), words.size());
    }

    @Override
    public int vocabularySize() {
        return words.size();
    }

    @Override
    public int[] encode(String text) {
        return words(text).stream().mapToInt(w -> ids.getOrDefault(w, UNK)).toArray();
    }

    @Override
    public String decode(int[] tokens) {
        StringBuilder out = new StringBuilder();
        for (int id : tokens) {
            if (id == PAD || id == SEP || id == EOS) {
                continue;
            }
            String word = id >= 0 && id < words.size() ? words.get(id) : "<unk>";
            boolean punctuation = word.length() == 1 && !Character.isLetterOrDigit(word.charAt(0));
            if (out.length() > 0 && !punctuation) {
                out.append(' ');
            }
            out.append(word);
        }
        return out.toString();
    }
}
