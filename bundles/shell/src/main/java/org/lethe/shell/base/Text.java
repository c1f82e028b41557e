package org.lethe.shell.base;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.lethe.api.LetheException;

/** Small text helpers every command formats with: safe display, wrapping, times and durations. */
public final class Text {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT)
            .withZone(ZoneId.systemDefault());

    private static final Pattern DURATION_PART = Pattern.compile("(\\d+)(ms|h|m|s)");

    private Text() {
    }

    /**
     * Text from files, manifests and users, made safe for a terminal: control characters are shown
     * as {@code \}{@code uXXXX}, so nothing printed can move the cursor or recolour the screen.
     *
     * @param text any text, or null
     * @return the text with control characters escaped; {@code ""} for null
     */
    public static String printable(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            if (Character.isISOControl(c) || c == 0x2028 || c == 0x2029) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }

    /**
     * @param text a paragraph
     * @param width the longest line
     * @param indent put before every line but the first
     * @return the paragraph's lines, broken at spaces (a longer word stays whole)
     */
    public static List<String> wrap(String text, int width, String indent) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.trim().split("\\s+")) {
            if (word.isEmpty()) {
                continue;
            }
            int room = width - (lines.isEmpty() ? 0 : indent.length());
            if (line.length() > 0 && line.length() + 1 + word.length() > room) {
                lines.add((lines.isEmpty() ? "" : indent) + line);
                line.setLength(0);
            }
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(word);
        }
        if (line.length() > 0 || lines.isEmpty()) {
            lines.add((lines.isEmpty() ? "" : indent) + line);
        }
        return lines;
    }

    /**
     * @param text a line
     * @param width the most characters to keep
     * @return the line, cut to {@code width} with a trailing {@code ...} when longer
     */
    public static String fit(String text, int width) {
        if (text.length() <= width) {
            return text;
        }
        return width <= 3 ? text.substring(0, Math.max(0, width)) : text.substring(0, width - 3) + "...";
    }

    /**
     * @param duration a duration
     * @return {@code 0:07}, {@code 12:30} or {@code 1:02:03}
     */
    public static String clock(Duration duration) {
        long seconds = Math.max(0, duration.toSeconds());
        long h = seconds / 3600;
        long m = seconds / 60 % 60;
        long s = seconds % 60;
        return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, s) : String.format(Locale.ROOT, "%d:%02d", m, s);
    }

    /**
     * @param duration a duration
     * @return {@code 850 ms}, {@code 12.3 s}, {@code 4 min 05 s} or {@code 1 h 02 min}
     */
    public static String human(Duration duration) {
        long millis = Math.max(0, duration.toMillis());
        if (millis < 1000) {
            return millis + " ms";
        }
        if (millis < 60_000) {
            return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
        }
        long seconds = millis / 1000;
        if (seconds < 3600) {
            return String.format(Locale.ROOT, "%d min %02d s", seconds / 60, seconds % 60);
        }
        return String.format(Locale.ROOT, "%d h %02d min", seconds / 3600, seconds / 60 % 60);
    }

    /**
     * @param instant a moment
     * @return it in local time, {@code 2025-01-31 14:05:09}
     */
    public static String time(Instant instant) {
        return TIME.format(instant);
    }

    /**
     * @param loss a loss, or NaN
     * @return four significant decimals, or {@code -}
     */
    public static String loss(double loss) {
        if (Double.isNaN(loss)) {
            return "-";
        }
        double magnitude = Math.abs(loss);
        return magnitude != 0 && (magnitude >= 1e5 || magnitude < 1e-3)
                ? String.format(Locale.ROOT, "%.3e", loss) : String.format(Locale.ROOT, "%.4f", loss);
    }

    /**
     * Parses a time budget: {@code 90s}, {@code 5m}, {@code 1h30m}, {@code 250ms}, or ISO-8601 ({@code PT5M}).
     *
     * @param text what the user typed
     * @param option the option it was given to, for the error
     * @return the duration, positive
     * @throws LetheException (invalid input) naming the option and the value
     */
    public static Duration duration(String text, String option) {
        String trimmed = text.trim().toLowerCase(Locale.ROOT);
        Duration result = null;
        if (trimmed.startsWith("pt") || trimmed.startsWith("p")) {
            try {
                result = Duration.parse(trimmed.toUpperCase(Locale.ROOT));
            } catch (RuntimeException e) {
                result = null;
            }
        } else if (!trimmed.isEmpty()) {
            Matcher part = DURATION_PART.matcher(trimmed);
            Duration sum = Duration.ZERO;
            int end = 0;
            while (part.find() && part.start() == end) {
                long n = Long.parseLong(part.group(1));
                sum = sum.plus(switch (part.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    default -> Duration.ofHours(n);
                });
                end = part.end();
            }
            result = end == trimmed.length() ? sum : null;
        }
        if (result == null || result.isZero() || result.isNegative()) {
            throw LetheException.invalidInput(option + " '" + printable(text)
                    + "' is not a positive duration (e.g. 90s, 5m, 1h30m, 250ms, PT5M)");
        }
        return result;
    }
}
