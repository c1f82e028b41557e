package org.lethe.worlds.facts;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the facts world's text splits into the tokens of a word-level language model: lower-cased
 * runs of letters, digits, {@code '}, {@code _} and {@code -}, and every other non-space character
 * on its own. This is the rule of the built-in word tokenizer ({@code org.lethe.models}), so a
 * vocabulary built here covers exactly what that tokenizer will meet; the two must change together.
 */
public final class Words {

    private static final Pattern TOKEN = Pattern.compile("[\\p{L}\\p{N}'_-]+|[^\\s\\p{L}\\p{N}]");

    private Words() {
    }

    /**
     * @param text any text
     * @return its tokens, lower-cased, in order (empty for blank text)
     */
    public static List<String> split(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = TOKEN.matcher(text.toLowerCase(Locale.ROOT));
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    /**
     * The text as the model sees it: its tokens joined by single spaces. Two strings with the same
     * normal form are the same to the model (case, spacing and spacing around punctuation differ).
     *
     * @param text any text
     * @return its tokens joined by single spaces
     */
    public static String normal(String text) {
        return String.join(" ", split(text));
    }

    /**
     * @param text any text
     * @return whether it is exactly one token
     */
    public static boolean isOneToken(String text) {
        return split(text).size() == 1;
    }
}
