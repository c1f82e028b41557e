package org.lethe.api.model;

import java.util.regex.Pattern;
import org.lethe.api.LetheException;

/**
 * A reference to a model: its id and, optionally, a version. {@code facts-lm} means the base version
 * of {@code facts-lm} (the one its training committed); {@code facts-lm:3} names version 3.
 *
 * <p>Ids are file-system safe by construction: lower-case letters, digits, {@code .}, {@code _} and
 * {@code -}, starting with a letter or digit, at most 64 characters, never {@code ..}. Anything else
 * is refused when the reference is made, before any file is named after it.
 *
 * @param id the model id
 * @param version the version, ≥ 1, or {@link #BASE} for the base version
 */
public record ModelRef(String id, int version) {

    /** The version number meaning "the base version". */
    public static final int BASE = 0;

    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    /** Validates the id and the version. */
    public ModelRef {
        checkId(id);
        if (version < 0) {
            throw LetheException.invalidInput("model version must be ≥ 1, not " + version + " (model " + id + ")");
        }
    }

    /**
     * Parses {@code id} or {@code id:version}.
     *
     * @param text the reference as a user types it
     * @return the reference
     * @throws LetheException (invalid input) naming the text and what is wrong with it
     */
    public static ModelRef parse(String text) {
        if (text == null || text.isEmpty()) {
            throw LetheException.invalidInput("empty model reference");
        }
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            return new ModelRef(text, BASE);
        }
        String number = text.substring(colon + 1);
        if (!number.matches("[1-9][0-9]{0,8}")) {
            throw LetheException.invalidInput("model reference '" + printable(text)
                    + "': the version after ':' must be a number ≥ 1");
        }
        return new ModelRef(text.substring(0, colon), Integer.parseInt(number));
    }

    /**
     * @param id a candidate model id
     * @throws LetheException (invalid input) when it is not a valid id
     */
    public static void checkId(String id) {
        if (id == null || !ID.matcher(id).matches() || id.contains("..")) {
            throw LetheException.invalidInput("invalid model id '" + printable(id) + "': use 1 to 64 of a-z 0-9 . _ -,"
                    + " starting with a letter or digit, without '..'");
        }
    }

    /** @return whether this reference names the base version rather than a number */
    public boolean isBase() {
        return version == BASE;
    }

    /**
     * @param number a version number ≥ 1
     * @return this id at that version
     */
    public ModelRef withVersion(int number) {
        return new ModelRef(id, number);
    }

    @Override
    public String toString() {
        return isBase() ? id : id + ":" + version;
    }

    /** Control characters shown escaped, so that an error message cannot rewrite the terminal. */
    static String printable(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder();
        text.codePoints().limit(100).forEach(c -> {
            if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return text.length() > 100 ? out + "…" : out.toString();
    }
}
