package org.lethe.report.render;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Objects;

import org.lethe.api.eval.Report;

/**
 * Writes a report to a folder in every format: {@value #JSON}, {@value #MARKDOWN}, {@value #CSV} and
 * {@value #HTML}. Each file is written to a temporary file in the same folder and then moved over
 * its name, so a reader never sees a half-written file.
 */
public final class ReportWriter {

    /** The JSON file's name: {@value}. */
    public static final String JSON = "report.json";
    /** The Markdown file's name: {@value}. */
    public static final String MARKDOWN = "report.md";
    /** The CSV file's name: {@value}. */
    public static final String CSV = "report.csv";
    /** The HTML file's name: {@value}. */
    public static final String HTML = "report.html";

    private ReportWriter() {
    }

    /**
     * Writes a report's four files into a folder, creating the folder if needed and replacing files of
     * the same names.
     *
     * @param report the report
     * @param folder the folder
     * @return the files written, in the order JSON, Markdown, CSV, HTML
     * @throws IOException if a file cannot be written (a temporary file left behind is deleted)
     */
    public static List<Path> write(Report report, Path folder) throws IOException {
        Objects.requireNonNull(report, "report");
        Files.createDirectories(folder);
        // render everything first: a rendering error leaves the folder as it was
        String json = new JsonReport().render(report);
        String markdown = new MarkdownReport().render(report);
        String csv = new CsvReport().render(report);
        String html = new HtmlReport().render(report);
        return List.of(atomically(folder.resolve(JSON), json), atomically(folder.resolve(MARKDOWN), markdown),
                atomically(folder.resolve(CSV), csv), atomically(folder.resolve(HTML), html));
    }

    private static Path atomically(Path target, String text) throws IOException {
        Path temp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
        try {
            Files.writeString(temp, text, StandardCharsets.UTF_8);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            return target;
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
