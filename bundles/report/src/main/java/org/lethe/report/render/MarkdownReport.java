package org.lethe.report.render;

import java.util.stream.Collectors;

import org.lethe.api.eval.Report;

/**
 * A report as Markdown: a title, the manifest's summary, the main table (reference rows, then the
 * methods; one column per metric column, with {@code mean ± std} over seeds and failures in their
 * cells, then unlearning time and peak memory), the per-seed runs with their states and reasons,
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
