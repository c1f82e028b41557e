package org.lethe.shell.base;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.lethe.api.LetheException;

/** Names a user typed that do not exist: the closest known one is suggested. */
public final class Names {

    private Names() {
    }

    /**
     * The known name closest to {@code given}: the only one it is a prefix of, else the one at the
     * smallest edit distance, if that distance is small for the name's length (at most 1 for up to
     * four characters, 2 up to eight, 3 beyond).
     *
     * @param given what the user typed
     * @param known the names that exist
     * @return the suggestion, if one is close enough
     */
    public static Optional<String> closest(String given, Collection<String> known) {
        if (given == null || given.isEmpty() || known.isEmpty()) {
            return Optional.empty();
        }
        String lower = given.toLowerCase(Locale.ROOT);
        List<String> prefixed = known.stream().filter(k -> k.toLowerCase(Locale.ROOT).startsWith(lower)).toList();
        if (prefixed.size() == 1) {
            return Optional.of(prefixed.get(0));
        }
        List<String> initials = known.stream().filter(k -> initials(k).equals(lower)).toList();
        if (given.length() >= 2 && initials.size() == 1) {
            return Optional.of(initials.get(0)); // lr: learningRate, ga: gradient-ascent
        }
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String name : known) {
            int distance = distance(lower, name.toLowerCase(Locale.ROOT));
            if (distance < bestDistance) {
                best = name;
                bestDistance = distance;
            }
        }
        int allowed = given.length() <= 4 ? 1 : given.length() <= 8 ? 2 : 3;
        return bestDistance <= allowed ? Optional.ofNullable(best) : Optional.empty();
    }

    /**
     * The error for a name that does not exist: it names the kind and the name, suggests the closest
     * one, and lists the known ones (or says there are none).
     *
     * @param kind what the name is of, e.g. {@code method}
     * @param given what the user typed
     * @param known the names that exist
     * @param listedBy the command that lists them, e.g. {@code unlearn:methods}
     * @return the error (invalid input, exit status 3), to be thrown
     */
    public static LetheException unknown(String kind, String given, Collection<String> known, String listedBy) {
        StringBuilder message = new StringBuilder("unknown ").append(kind).append(" '").append(Text.printable(given)).append('\'');
        closest(given, known).ifPresent(c -> message.append("; did you mean '").append(c).append("'?"));
        if (known.isEmpty()) {
            message.append(" (none is installed");
        } else if (known.size() <= 12) {
            message.append(" (known: ").append(String.join(", ", known));
        } else {
            message.append(" (").append(known.size()).append(" known");
        }
        message.append("; see ").append(listedBy).append(')');
        return LetheException.invalidInput(message.toString());
    }

    /** The first letter of each word of a camelCase, hyphenated or dotted name, lower-case: {@code learningRate} gives {@code lr}. */
    static String initials(String name) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean start = i == 0 || Character.isUpperCase(c) && !Character.isUpperCase(name.charAt(i - 1))
                    || "-_.".indexOf(name.charAt(i - 1)) >= 0;
            if (start && Character.isLetterOrDigit(c)) {
                out.append(Character.toLowerCase(c));
            }
        }
        return out.toString();
    }

    /** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
