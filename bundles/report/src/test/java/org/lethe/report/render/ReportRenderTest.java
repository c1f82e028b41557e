package org.lethe.report.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lethe.api.eval.MetricResult.Direction;
import org.lethe.api.eval.Report;
import org.lethe.api.eval.Report.Cell;
import org.lethe.api.eval.Report.Column;
import org.lethe.api.eval.Report.Row;
import org.lethe.api.eval.Report.RowKind;
import org.lethe.api.eval.Report.SeedRun;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

class ReportRenderTest {

    static final String COMMA_QUOTE = "flat, \"tuned\"";
    static final String SCRIPT = "<script>";
    static final String FAILURE = "loss diverged to NaN at step 7";
    static final String CURVE = "forget-heldout.relearning-exact-match";
    static final List<String> NAMES = List.of("original", "gold", "gradient-ascent", COMMA_QUOTE, SCRIPT);

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Two reference rows, three methods, one failed cell, one curve per row. */
    static Report report(Instant created, double seconds, double memory) {
        List<Column> columns = List.of(
                new Column("forget.exact-match", "exact-match", "1", "forget", Direction.LOWER_IS_BETTER),
                new Column("retain+world.model-utility", "model-utility", "1", "retain+world",
                        Direction.HIGHER_IS_BETTER),
                new Column("forget.truth-ratio", "truth-ratio", "2", "forget", Direction.CLOSER_IS_BETTER),
                new Column("corrupted.recovery-rate", "recovery-rate", "1", "corrupted", Direction.HIGHER_IS_BETTER));
        List<Row> rows = new ArrayList<>();
        double[][] values = {{0.95, 0.62, 0.41, 0.0}, {0.10, 0.60, 0.66, 1.0}, {0.05, 0.31, 0.0, 0.35},
            {0.15, 0.55, 0.62, 0.7}, {0.40, 0.58, 0.5, 0.2}};
        for (int r = 0; r < NAMES.size(); r++) {
            RowKind kind = r == 0 ? RowKind.ORIGINAL : r == 1 ? RowKind.GOLD : RowKind.METHOD;
            Map<String, Cell> cells = new LinkedHashMap<>();
            for (int c = 0; c < columns.size(); c++) {
                double v = values[r][c];
                if (r == 2 && c == 2) {
                    cells.put(columns.get(c).key(), new Cell(Double.NaN, Double.NaN, List.of(), Optional.of(FAILURE)));
                } else if (kind == RowKind.METHOD) {
                    cells.put(columns.get(c).key(), new Cell(v, 0.02, List.of(v - 0.02, v, v + 0.02), Optional.empty()));
                } else {
                    cells.put(columns.get(c).key(), new Cell(v, 0, List.of(v), Optional.empty()));
                }
            }
            TreeMap<Integer, Cell> curve = new TreeMap<>();
            for (int step = 0; step <= 10; step += 5) {
                double v = Math.min(1, values[r][0] + step * 0.03);
                curve.put(step, new Cell(v, kind == RowKind.METHOD ? 0.01 : 0, List.of(v), Optional.empty()));
            }
            List<SeedRun> runs = new ArrayList<>();
            for (long seed = 0; seed < (kind == RowKind.METHOD ? 3 : 1); seed++) {
                boolean ok = kind != RowKind.METHOD || r != 2 || seed != 1;
                runs.add(new SeedRun(seed, ok ? "COMMITTED" : "FAILED", ok ? Optional.empty() : Optional.of(FAILURE),
                        Optional.of("facts-lm:" + (r * 3 + seed + 2)), Map.of("unlearn", "run-" + r + "-" + seed),
                        kind == RowKind.METHOD ? seconds + seed : 0, kind == RowKind.METHOD ? memory + r : 0));
            }
            rows.add(new Row(NAMES.get(r), kind, kind == RowKind.METHOD ? "0.1.0" : "", cells, Map.of(CURVE, curve),
                    runs));
        }
        Report.Manifest manifest = new Report.Manifest("facts", "forget05", List.of(0L, 1L, 2L),
                Map.of("org.lethe.report", "0.1.0"), Map.of("exact-match", "1"),
                Map.of("gradient-ascent", Map.of("learningRate", "1e-5")), "abc123", Map.of("original", "facts-lm:1"),
                Map.of("forget", "sha256:00ff"), "0.36.0", "PyTorch 2.7.1", "cpu() x1", "17.0.12");
        return new Report(Report.SCHEMA, created, false, manifest, rows, columns,
                List.of("gradient-ascent failed in seed 1: " + FAILURE, "a <b>bold</b> note & more"));
    }

    static Report report() {
        return report(Instant.parse("2025-01-02T03:04:05Z"), 12.5, 300);
    }

    // --------------------------------------------------------------------------------------- JSON

    @Test
    void jsonIsDeterministicAndParses() throws IOException {
        String a = new JsonReport().render(report());
        String b = new JsonReport().render(report());
        assertEquals(a, b);
        assertFalse(a.contains("\r"), "line ends are \\n");
        JsonNode tree = JSON.readTree(a);
        assertEquals(Report.SCHEMA, tree.get("schema").asText());
        assertEquals(5, tree.get("rows").size());
        assertEquals(4, tree.get("columns").size());
        JsonNode failed = tree.get("rows").get(2).get("cells").get("forget.truth-ratio");
        assertTrue(failed.get("mean").isNull());
        assertEquals(FAILURE, failed.get("failure").asText());
        assertEquals(3, tree.get("rows").get(2).get("curves").get(CURVE).size());
    }

    @Test
    void jsonDiffersOnlyInTimeAndMemoryFields() throws IOException {
        String a = new JsonReport().render(report(Instant.parse("2025-01-02T03:04:05Z"), 12.5, 300));
        String b = new JsonReport().render(report(Instant.parse("2026-06-07T08:09:10Z"), 99.25, 512));
        assertNotEquals(a, b);
        assertEquals(blank(a), blank(b));
    }

    private static String blank(String json) throws IOException {
        JsonNode tree = JSON.readTree(json);
        blank(tree);
        return JSON.writeValueAsString(tree);
    }

    private static void blank(JsonNode node) {
        if (node instanceof ObjectNode o) {
            for (String field : JsonReport.VOLATILE_FIELDS) {
                if (o.has(field)) {
                    o.putNull(field);
                }
            }
        }
        node.forEach(ReportRenderTest::blank);
    }

    // ----------------------------------------------------------------------------------- Markdown

    @Test
    void markdownHasEveryRowAndTheFailure() {
        String md = new MarkdownReport().render(report());
        for (String name : NAMES) {
            assertTrue(md.contains("| " + MarkdownReport.escape(name) + " |"), name);
        }
        assertTrue(md.contains("failed: " + FAILURE));
        assertTrue(md.contains("0.310 ± 0.020"), "mean ± std with three decimals");
        assertTrue(md.contains("abc123"));
        assertFalse(md.contains("<script>"), "HTML in names is escaped");
        assertFalse(md.contains("**partial**"));
        Report r = report();
        Report partial = new Report(r.schema(), r.created(), true, r.manifest(), r.rows(), r.columns(), r.notes());
        assertTrue(new MarkdownReport().render(partial).contains("**partial**"));
    }

    // ---------------------------------------------------------------------------------------- CSV

    @Test
    void csvParsesBack() {
        String csv = new CsvReport().render(report());
        List<List<String>> records = parseCsv(csv);
        assertEquals(1 + 5 * 4, records.size());
        assertEquals(CsvReport.HEADER, records.get(0));
        for (List<String> record : records) {
            assertEquals(CsvReport.HEADER.size(), record.size());
        }
        assertTrue(csv.contains("\"flat, \"\"tuned\"\"\""), "quoted, quotes doubled");
        List<String> tricky = records.stream().filter(r -> r.get(0).equals(COMMA_QUOTE)).findFirst().orElseThrow();
        assertEquals("METHOD", tricky.get(1));
        List<String> failed = records.stream()
                .filter(r -> r.get(0).equals("gradient-ascent") && r.get(2).equals("forget.truth-ratio")).findFirst()
                .orElseThrow();
        assertEquals("", failed.get(7));
        assertEquals("0", failed.get(9));
        assertEquals(FAILURE, failed.get(11));
        List<String> ok = records.stream()
                .filter(r -> r.get(0).equals("gradient-ascent") && r.get(2).equals("forget.exact-match")).findFirst()
                .orElseThrow();
        assertEquals(3, ok.get(10).split(";").length);
    }

    /** A strict RFC 4180 reader: CRLF records, quoted fields with doubled quotes. */
    static List<List<String>> parseCsv(String text) {
        List<List<String>> records = new ArrayList<>();
        List<String> record = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                record.add(field.toString());
                field.setLength(0);
            } else if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                record.add(field.toString());
                field.setLength(0);
                records.add(record);
                record = new ArrayList<>();
                i++;
            } else {
                assertNotEquals('\n', c, "a bare LF at " + i);
                field.append(c);
            }
        }
        assertFalse(quoted, "an unterminated quote");
        assertEquals(0, field.length() + record.size(), "the last record ends with CRLF");
        return records;
    }

    // --------------------------------------------------------------------------------------- HTML

    @Test
    void htmlHasNoExternalUrls() {
        String html = new HtmlReport().render(report());
        Matcher m = Pattern.compile("(?i)\\b(?:src|href)\\s*=\\s*[\"']?\\s*https?:").matcher(html);
        assertFalse(m.find(), () -> "external URL at " + m.start());
        assertFalse(html.contains("http://") || html.contains("https://"), "no URL anywhere");
        assertFalse(html.contains("<script"), "no script");
        assertFalse(html.contains("<link"), "no stylesheet link");
    }

    @Test
    void htmlHasOneMarkPerRowInTheScatterAndOneSeriesPerRowInTheCurves() {
        String html = new HtmlReport().render(report());
        String scatter = chart(html, "tradeoff").get(0);
        for (String name : NAMES) {
            assertEquals(1, count(scatter, "class=\"mark\" data-row=\"" + HtmlReport.esc(name) + "\""), name);
        }
        assertEquals(NAMES.size(), count(scatter, "class=\"mark\""));
        List<String> curves = chart(html, "curve");
        assertEquals(1, curves.size());
        for (String name : NAMES) {
            assertEquals(1, count(curves.get(0), "<g class=\"series\" data-row=\"" + HtmlReport.esc(name) + "\""), name);
        }
        assertEquals(NAMES.size() * 3, count(curves.get(0), "class=\"mark\""), "one mark per step per row");
        List<String> bars = chart(html, "recovery");
        assertEquals(1, bars.size());
        for (String name : NAMES) {
            assertEquals(1, count(bars.get(0), "class=\"mark\" data-row=\"" + HtmlReport.esc(name) + "\""), name);
        }
        assertTrue(scatter.contains("class=\"errbar\""), "error bars where std > 0");
    }

    /** A vision-language comparison's report: the original VLM and three methods, VQA columns only. */
    static Report vqaReport() {
        List<Column> columns = List.of(
                new Column("vqa_forget.unlearning-quality", "unlearning-quality", "1", "vqa_forget", Direction.HIGHER_IS_BETTER),
                new Column("vqa_forget.concept-answer-rate", "concept-answer-rate", "1", "vqa_forget", Direction.LOWER_IS_BETTER),
                new Column("vqa_selectivity.vqa-accuracy", "vqa-accuracy", "1", "vqa_selectivity", Direction.HIGHER_IS_BETTER),
                new Column("vqa_utility.vqa-accuracy", "vqa-accuracy", "1", "vqa_utility", Direction.HIGHER_IS_BETTER));
        List<String> names = List.of("original", "sauce", "gradient-ascent", "graddiff");
        double[][] values = {{0.01, 0.99, 0.98, 0.99}, {0.9, 0.05, 0.95, 0.97}, {0.95, 0.0, 0.2, 0.3}, {0.8, 0.1, 0.7, 0.8}};
        List<Row> rows = new ArrayList<>();
        for (int r = 0; r < names.size(); r++) {
            RowKind kind = r == 0 ? RowKind.ORIGINAL : RowKind.METHOD;
            Map<String, Cell> cells = new LinkedHashMap<>();
            for (int c = 0; c < columns.size(); c++) {
                cells.put(columns.get(c).key(), new Cell(values[r][c], 0, List.of(values[r][c]), Optional.empty()));
            }
            rows.add(new Row(names.get(r), kind, kind == RowKind.METHOD ? "0.1.0" : "", cells, Map.of(),
                    List.of(new SeedRun(0, "COMMITTED", Optional.empty(), Optional.of("shapes-vlm:" + (r + 1)), Map.of(),
                            1.0, 10.0))));
        }
        Report.Manifest manifest = new Report.Manifest("shapes-vqa", "red", List.of(0L), Map.of(), Map.of(), Map.of(), "abc",
                Map.of("original", "shapes-vlm:1"), Map.of(), "0.36.0", "PyTorch 2.7.1", "cpu() x1", "17.0.12");
        return new Report(Report.SCHEMA, Instant.parse("2025-01-02T03:04:05Z"), false, manifest, rows, columns, List.of());
    }

    @Test
    void aVisionLanguageReportPlotsUnlearningQualityAgainstUtility() {
        String html = new HtmlReport().render(vqaReport());
        String scatter = chart(html, "tradeoff").get(0);
        assertTrue(scatter.contains("vqa_forget.unlearning-quality") && scatter.contains("vqa_utility.vqa-accuracy"), scatter);
        assertEquals(4, count(scatter, "class=\"mark\""), scatter);
        assertTrue(scatter.contains("sauce: efficacy 0.900, utility 0.970"), scatter);
        String markdown = new MarkdownReport().render(vqaReport());
        assertTrue(markdown.contains("| vqa\\_forget.unlearning-quality |"), markdown);
        assertTrue(markdown.contains("| sauce | method | 0.900 | 0.050 | 0.950 | 0.970 |"), markdown);
    }

    @Test
    void htmlEscapesTextAndIsBalanced() {
        String html = new HtmlReport().render(report());
        assertFalse(html.contains("<script>"));
        assertTrue(html.contains("&lt;script&gt;"));
        assertFalse(html.contains("<b>bold</b>"));
        assertTrue(html.contains("failed: " + FAILURE));
        assertEquals(count(html, "<svg"), count(html, "</svg>"));
        assertEquals(3, count(html, "<svg"));
        for (String tag : List.of("figure", "g", "section", "table", "tr", "text", "title", "ul", "details")) {
            assertEquals(count(html, "<" + tag + ">") + count(html, "<" + tag + " "), count(html, "</" + tag + ">"),
                    tag);
        }
        assertTrue(html.startsWith("<!DOCTYPE html>"));
        assertTrue(html.trim().endsWith("</html>"));
        assertEquals(html, new HtmlReport().render(report()), "deterministic");
    }

    @Test
    void htmlSaysWhenAChartHasNoData() {
        Report r = report();
        List<Row> rows = r.rows().stream().map(row -> new Row(row.name(), row.kind(), row.version(),
                Map.of("forget.exact-match", row.cells().get("forget.exact-match")), Map.of(), row.runs())).toList();
        Report bare = new Report(r.schema(), r.created(), false, r.manifest(), rows, r.columns().subList(0, 1),
                r.notes());
        String html = new HtmlReport().render(bare);
        assertEquals(0, count(html, "<svg"));
        assertEquals(3, count(html, "class=\"empty\""));
        assertEquals(0, count(html, "class=\"mark\""));
    }

    /** The report with a long second curve (a probe's loss over 300 steps) beside the relearning curve. */
    private static Report withLossCurve() {
        Report r = report();
        List<Row> rows = r.rows().stream().map(row -> {
            TreeMap<Integer, Cell> loss = new TreeMap<>();
            for (int step = 1; step <= 300; step++) {
                loss.put(step, new Cell(1.0 / step, 0, List.of(1.0 / step), Optional.empty()));
            }
            Map<String, java.util.SortedMap<Integer, Cell>> curves = new java.util.LinkedHashMap<>(row.curves());
            curves.put(LOSS_CURVE, loss);
            return new Row(row.name(), row.kind(), row.version(), row.cells(), curves, row.runs());
        }).toList();
        return new Report(r.schema(), r.created(), false, r.manifest(), rows, r.columns(), r.notes());
    }

    static final String LOSS_CURVE = "erased_prompts.concept-inversion-loss";

    @Test
    void markdownHasOneTablePerCurveWithLongCurvesThinned() {
        String md = new MarkdownReport().render(withLossCurve());
        assertTrue(md.contains("### Relearning curve: " + MarkdownReport.escape(CURVE) + "\n\n| method | relearning step 0"
                + " | relearning step 5 | relearning step 10 |"), md);
        assertTrue(md.contains("### Curve over the probe's steps: " + MarkdownReport.escape(LOSS_CURVE) + "\n\n11 of 300 steps"
                + " shown"), md);
        assertTrue(md.contains("| step 1 | step 31 |") && md.contains("| step 300 |"), md);
        for (String name : NAMES) {
            assertEquals(2, count(md.substring(md.indexOf("## Curves"), md.indexOf("## Runs")),
                    "| " + MarkdownReport.escape(name) + " |"), name + ": one line per curve");
        }
        assertEquals(List.of(1, 2, 3), MarkdownReport.thinned(List.of(1, 2, 3)));
        assertFalse(new MarkdownReport().render(withoutCurves()).contains("## Curves"));
    }

    private static Report withoutCurves() {
        Report r = report();
        List<Row> rows = r.rows().stream().map(row -> new Row(row.name(), row.kind(), row.version(), row.cells(), Map.of(),
                row.runs())).toList();
        return new Report(r.schema(), r.created(), false, r.manifest(), rows, r.columns(), r.notes());
    }

    @Test
    void htmlNamesWhatACurvesStepsCount() {
        String html = new HtmlReport().render(withLossCurve());
        List<String> curves = chart(html, "curve");
        assertEquals(2, curves.size());
        assertTrue(curves.get(0).contains("<figcaption>Relearning curve: " + HtmlReport.esc(CURVE)), curves.get(0));
        assertTrue(curves.get(0).contains("relearning step →"), "the relearning chart's x axis");
        assertTrue(curves.get(1).contains("<figcaption>Curve over the probe&#39;s steps: " + HtmlReport.esc(LOSS_CURVE))
                || curves.get(1).contains("<figcaption>Curve over the probe's steps: " + HtmlReport.esc(LOSS_CURVE)),
                curves.get(1).substring(0, 300));
        assertFalse(curves.get(1).contains("relearning step"), "the loss curve is not over relearning steps");
    }

    // --------------------------------------------------------------------------------------- files

    @Test
    void writerWritesFourFiles(@TempDir Path dir) throws IOException {
        Path folder = dir.resolve("out");
        List<Path> files = ReportWriter.write(report(), folder);
        assertEquals(List.of(folder.resolve("report.json"), folder.resolve("report.md"), folder.resolve("report.csv"),
                folder.resolve("report.html")), files);
        for (Path f : files) {
            assertTrue(Files.size(f) > 0, f.toString());
        }
        assertEquals(new JsonReport().render(report()), Files.readString(folder.resolve("report.json")));
        ReportWriter.write(report(), folder);
        try (var listing = Files.list(folder)) {
            assertEquals(4, listing.count(), "no temporary file left behind");
        }
    }

    private static List<String> chart(String html, String kind) {
        Matcher m = Pattern.compile("<figure class=\"chart\" data-chart=\"" + kind + "\".*?</figure>", Pattern.DOTALL)
                .matcher(html);
        List<String> found = new ArrayList<>();
        while (m.find()) {
            found.add(m.group());
        }
        assertFalse(found.isEmpty(), "no " + kind + " chart");
        return found;
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length())) {
            n++;
        }
        return n;
    }
}
