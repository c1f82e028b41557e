package org.lethe.report.render;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.lethe.api.eval.Report;

/**
 * A report as Markdown: a title, the manifest's summary, the main table (reference rows, then the
 * methods; one column per metric column, with {@code mean ± std} over seeds and failures in their
 * cells, then unlearning time and peak memory), the probes' curves (one table per curve, rows ×
 * steps, thinned to {@value #CURVE_POINTS} steps), the per-seed runs with their states and reasons,
 * and the notes. A partial report says so in bold under the title.
 *
 * <p>Every text that comes from a user (names, reasons, notes) is escaped, so that it can neither
 * break the table nor inject HTML into a rendered page.
 */
public final class MarkdownReport {

    /** A renderer; it holds no state. */
    public MarkdownReport() {
    }

    /**
     * Renders a report.
     *
     * @param report the report
     * @return its Markdown text
     */
    public String render(Report report) {
        Report.Manifest m = report.manifest();
        StringBuilder out = new StringBuilder();
        out.append("# Lethe report: ").append(escape(m.world())).append(", split ").append(escape(m.split()))
                .append("\n\n");
        if (report.partial()) {
            out.append("**partial**: the comparison was cancelled before every cell was measured.\n\n");
        }
        out.append("- schema: `").append(code(report.schema())).append("`\n");
        out.append("- created: ").append(report.created()).append('\n');
        out.append("- world: ").append(escape(m.world())).append('\n');
        out.append("- split: ").append(escape(m.split())).append('\n');
        out.append("- seeds: ").append(m.seeds().stream().map(String::valueOf).collect(Collectors.joining(", ")))
                .append('\n');
        out.append("- engine: ").append(escape(m.engine())).append(" (DJL ").append(escape(m.djlVersion()))
                .append(")\n");
        out.append("- device: ").append(escape(m.device())).append('\n');
        out.append("- Java: ").append(escape(m.java())).append('\n');
        out.append("- config hash: `").append(code(m.configHash())).append("`\n\n");

        out.append("## Results\n\n");
        out.append("Mean ± sample standard deviation over seeds.\n\n");
        out.append("| method | kind |");
        for (Report.Column c : report.columns()) {
            out.append(' ').append(escape(c.key())).append(" |");
        }
        out.append(" unlearning time | peak memory |\n");
        out.append("|---|---|");
        out.append("---:|".repeat(report.columns().size()));
        out.append("---:|---:|\n");
        for (Report.Row row : report.rows()) {
            out.append("| ").append(escape(row.name())).append(" | ").append(Format.kind(row.kind())).append(" |");
            for (Report.Column c : report.columns()) {
                out.append(' ').append(escape(Format.cell(row.cells().get(c.key())))).append(" |");
            }
            out.append(' ').append(Format.seconds(row)).append(" | ").append(Format.memory(row)).append(" |\n");
        }
        out.append('\n');
        if (!report.columns().isEmpty()) {
            out.append("Columns:\n\n");
            for (Report.Column c : report.columns()) {
                out.append("- ").append(escape(c.key())).append(": ").append(escape(c.metric())).append(" v")
                        .append(escape(c.version())).append(" on ").append(escape(c.split())).append(", ")
                        .append(Format.direction(c.direction())).append('\n');
            }
            out.append('\n');
        }

        curves(out, report);

        out.append("## Runs\n\n");
        out.append("| method | seed | state | model | reason |\n|---|---:|---|---|---|\n");
        for (Report.Row row : report.rows()) {
            for (Report.SeedRun r : row.runs()) {
                out.append("| ").append(escape(row.name())).append(" | ").append(r.seed()).append(" | ")
                        .append(escape(r.state())).append(" | ").append(escape(r.model().orElse("—")))
                        .append(" | ").append(escape(r.reason().orElse(""))).append(" |\n");
            }
        }
        out.append('\n');

        report.gallery().ifPresent(g -> out.append("## Gallery\n\n").append(g.images().size())
                .append(" models × ").append(g.prompts().size()).append(" prompts, same seeds: see report.html.\n\n"));

        out.append("## Notes\n\n");
        if (report.notes().isEmpty()) {
            out.append("None.\n");
        }
        for (String note : report.notes()) {
            out.append("- ").append(escape(note)).append('\n');
        }
        return out.toString();
    }

    /** The most steps of a curve shown in its table; longer curves show evenly spaced steps, the first and last among them. */
    static final int CURVE_POINTS = 11;

    /** One table per curve (rows × steps), after the columns; long curves thinned to {@value #CURVE_POINTS} steps. */
    private static void curves(StringBuilder out, Report report) {
        Map<String, SortedSet<Integer>> steps = new LinkedHashMap<>();
        report.rows().forEach(r -> r.curves().forEach((name, curve) -> steps.computeIfAbsent(name, k -> new TreeSet<>())
                .addAll(curve.keySet())));
        if (steps.isEmpty()) {
            return;
        }
        out.append("## Curves\n\n");
        steps.forEach((name, all) -> {
            List<Integer> shown = thinned(List.copyOf(all));
            out.append("### ").append(Format.curveTitle(name)).append(": ").append(escape(name)).append("\n\n");
            if (shown.size() < all.size()) {
                out.append(shown.size()).append(" of ").append(all.size())
                        .append(" steps shown, evenly spaced; every step is in report.json.\n\n");
            }
            out.append("| method |");
            shown.forEach(s -> out.append(' ').append(Format.curveSteps(name)).append(' ').append(s).append(" |"));
            out.append("\n|---|").append("---:|".repeat(shown.size())).append('\n');
            for (Report.Row row : report.rows()) {
                SortedMap<Integer, Report.Cell> curve = row.curves().get(name);
                if (curve == null || curve.isEmpty()) {
                    continue;
                }
                out.append("| ").append(escape(row.name())).append(" |");
                shown.forEach(s -> out.append(' ').append(curve.containsKey(s) ? escape(Format.cell(curve.get(s))) : "—")
                        .append(" |"));
                out.append('\n');
            }
            out.append('\n');
        });
    }

    /** At most {@value #CURVE_POINTS} of the steps, evenly spaced, the first and the last included. */
    static List<Integer> thinned(List<Integer> steps) {
        if (steps.size() <= CURVE_POINTS) {
            return steps;
        }
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < CURVE_POINTS; i++) {
            int at = (int) Math.round(i * (steps.size() - 1) / (double) (CURVE_POINTS - 1));
            if (out.isEmpty() || !out.get(out.size() - 1).equals(steps.get(at))) {
                out.add(steps.get(at));
            }
        }
        return out;
    }

    /**
     * Escapes text for a Markdown table cell or list item: Markdown punctuation is backslash-escaped,
     * line ends become spaces.
     *
     * @param text the text, may be {@code null}
     * @return the escaped text
     */
    public static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\', '`', '*', '_', '[', ']', '<', '>', '|', '#', '!' -> out.append('\\').append(c);
                case '&' -> out.append("&amp;");
                case '\r', '\n' -> out.append(' ');
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static String code(String text) {
        return text == null ? "" : text.replace("`", "'").replace('\n', ' ');
    }
}
