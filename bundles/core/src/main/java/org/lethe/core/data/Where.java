package org.lethe.core.data;

import org.lethe.api.LetheException;

/**
 * Where a problem is, as the prefix of an error message: {@code <file>:<line>} for a line of a file
 * being read, {@code <file>: item <n>} for an item being written. Builds the invalid-input errors
 * of the data contract: {@code <where>: field '<field>': <what>} or {@code <where>: <what>}.
 */
final class Where {

    /** Longest user value quoted in a message, in characters. */
    private static final int QUOTE_LIMIT = 60;

    private final String file;
    private final String separator;
    private final long position;

    /** Keeps the parts; the prefix string is only built when there is an error to report. */
    private Where(String file, String separator, long position) {
        this.file = file;
        this.separator = separator;
        this.position = position;
    }

    /**
     * @param file the file as the user named it
     * @param line the 1-based line number
     * @return {@code <file>:<line>}
     */
    static Where line(String file, long line) {
        return new Where(file, ":", line);
    }

    /**
     * @param file the file being written
     * @param index the 1-based position of the item in the list
     * @return {@code <file>: item <index>}
     */
    static Where item(String file, int index) {
        return new Where(file, ": item ", index);
    }

    /**
     * @param what what is wrong with the whole line or item
     * @return an invalid-input error {@code <where>: <what>}
     */
    LetheException problem(String what) {
        return LetheException.invalidInput(prefix() + ": " + what);
    }

    /**
     * @param field the field's name as the file spells it
     * @param what what is wrong with it
     * @return an invalid-input error {@code <where>: field '<field>': <what>}
     */
    LetheException field(String field, String what) {
        return LetheException.invalidInput(prefix() + ": field '" + field + "': " + what);
    }

    private String prefix() {
        return file + separator + position;
    }

    /**
     * Quotes a user value for a message: single quotes, control characters escaped, long values cut.
     *
     * @param value the value
     * @return the value, quoted
     */
    static String quote(String value) {
        StringBuilder b = new StringBuilder(Math.min(value.length(), QUOTE_LIMIT) + 8).append('\'');
        int n = Math.min(value.length(), QUOTE_LIMIT);
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f || Character.isSurrogate(c)) {
                b.append(String.format("\\u%04X", (int) c));
            } else if (c == '\'' || c == '\\') {
                b.append('\\').append(c);
            } else {
                b.append(c);
            }
        }
        if (value.length() > QUOTE_LIMIT) {
            b.append("...");
        }
        return b.append('\'').toString();
    }
}
