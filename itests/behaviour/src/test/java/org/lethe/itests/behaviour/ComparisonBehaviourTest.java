package org.lethe.itests.behaviour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.lethe.api.eval.ComparisonService;
import org.lethe.api.eval.ComparisonSpec;
import org.lethe.api.eval.Report;

/**
 * The comparison harness end to end on the facts world (forget10, one seed, two methods): every row
 * is there, the reference rows are what the research says they are, the same seed gives the same
 * report, a diverging method fails its cell only, and a cancelled comparison reports what finished.
 */
class ComparisonBehaviourTest {

    private static final Path TARGET = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().resolve("target");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final ComparisonSpec SPEC = new ComparisonSpec("facts", FactsFixture.FORGET,
            List.of("gradient-ascent", "flat"), Map.of(), 1, 0, List.of("relearning", "prompt-attacks"), Optional.empty());

    private static final ComparisonService.Listener QUIET = (done, total, what) -> { };

    @Test
    void theSameSeedGivesTheSameReportAndEveryRowIsThere() throws Exception {
        Report first;
        Report second;
        List<Path> files;
        try (ComparisonFixture a = new ComparisonFixture(TARGET.resolve("comparison-a"))) {
            first = a.runner().compare(SPEC, QUIET);
            files = a.runner().write(first, a.folder().resolve("report"));
        }
        try (ComparisonFixture b = new ComparisonFixture(TARGET.resolve("comparison-b"))) {
            second = b.runner().compare(SPEC, QUIET);
        }
        assertFalse(first.partial());
        assertEquals(List.of("original", "gold", "gradient-ascent", "flat"), first.rows().stream().map(Report.Row::name).toList());
        Report.Row original = row(first, "original");
        Report.Row gold = row(first, "gold");
        // methods-llm.md §3.5: the original knows every trained fact; the gold model does not know the
        // forget facts (measured 0.02) but keeps retain and world facts
        assertEquals(1.0, cell(original, "forget.exact-match"), 1e-9);
        assertTrue(cell(gold, "forget.exact-match") <= 0.1, "gold forget EM " + cell(gold, "forget.exact-match"));
        assertTrue(cell(gold, "world.exact-match") >= 0.9, "gold world EM " + cell(gold, "world.exact-match"));
        // forget quality: the original is far from the gold models (measured 7.6e-26 in the research)
        assertTrue(cell(original, "forget.forget-quality") < 1e-5, "original FQ " + cell(original, "forget.forget-quality"));
        for (String method : List.of("gradient-ascent", "flat")) {
            Report.Row row = row(first, method);
            assertEquals("COMMITTED", row.runs().get(0).state(), row.runs().toString());
            assertTrue(cell(row, "forget.exact-match") < cell(original, "forget.exact-match"),
                    method + " forgot nothing: " + cell(row, "forget.exact-match"));
            assertFalse(row.curves().isEmpty(), method + " has no relearning curve");
        }

        // same seed, same numbers: the JSON is byte-identical apart from the time and memory fields
        String a = blanked(new String(Files.readAllBytes(files.get(0)), java.nio.charset.StandardCharsets.UTF_8));
        List<Path> secondFiles = org.lethe.report.render.ReportWriter.write(second,
                TARGET.resolve("comparison-b").resolve("report"));
        String b = blanked(new String(Files.readAllBytes(secondFiles.get(0)), java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(a, b);

        // the HTML page opens offline and marks every row once in the trade-off chart
        String html = Files.readString(files.stream().filter(f -> f.toString().endsWith(".html")).findFirst().orElseThrow());
        Matcher url = Pattern.compile("(?i)(src|href)\\s*=\\s*[\"']?\\s*https?:").matcher(html);
        assertFalse(url.find(), "the page loads something from the network");
        for (Report.Row row : first.rows()) {
            assertTrue(html.contains("data-row=\"" + row.name() + "\""), "no mark for " + row.name());
        }
    }

    @Test
    void aDivergingMethodFailsItsCellsAndTheRestIsComplete() throws Exception {
        ComparisonSpec spec = new ComparisonSpec("facts", FactsFixture.FORGET, List.of("gradient-ascent", "flat"),
                Map.of("gradient-ascent", Map.of("learningRate", "1e9")), 1, 0, List.of(), Optional.empty());
        try (ComparisonFixture f = new ComparisonFixture(TARGET.resolve("comparison-diverging"))) {
            Report report = f.runner().compare(spec, QUIET);
            assertFalse(report.partial());
            Report.Row ga = row(report, "gradient-ascent");
            assertEquals("FAILED", ga.runs().get(0).state());
            assertTrue(ga.runs().get(0).reason().orElseThrow().contains("diverged"), ga.runs().get(0).reason().toString());
            Report.Cell failed = ga.cells().get("forget.exact-match");
            assertTrue(failed.values().isEmpty() && failed.failure().orElseThrow().contains("diverged"), failed.toString());
            assertTrue(cell(row(report, "flat"), "forget.exact-match") < 1.0);
            assertTrue(report.notes().stream().anyMatch(n -> n.contains("gradient-ascent") && n.contains("diverged")),
                    report.notes().toString());
        }
    }

    @Test
    void aCancelledComparisonReportsWhatFinishedAsPartial() throws Exception {
        AtomicInteger steps = new AtomicInteger();
        List<String> seen = new ArrayList<>();
        ComparisonService.Listener cancelAfterReferences = new ComparisonService.Listener() {
            @Override
            public void step(int done, int total, String what) {
                seen.add(what);
                steps.incrementAndGet();
            }

            @Override
            public boolean cancelled() {
                return seen.stream().anyMatch(s -> s.startsWith("original"));
            }
        };
        ComparisonSpec spec = new ComparisonSpec("facts", FactsFixture.FORGET, List.of("gradient-ascent", "flat"),
                Map.of(), 1, 0, List.of(), Optional.empty());
        try (ComparisonFixture f = new ComparisonFixture(TARGET.resolve("comparison-cancelled"))) {
            Report report = f.runner().compare(spec, cancelAfterReferences);
            assertTrue(report.partial());
            assertEquals(4, report.rows().size());
            assertTrue(row(report, "gold").cells().get("forget.exact-match").values().size() == 1, "the gold row finished");
            for (String method : List.of("gradient-ascent", "flat")) {
                Report.Row row = row(report, method);
                assertTrue(row.runs().stream().noneMatch(r -> r.state().equals("COMMITTED")), row.runs().toString());
                assertTrue(row.cells().get("forget.exact-match").failure().isPresent());
            }
        }
    }

    @Test
    void sequentialRequestsReportUtilityAndForgettingAfterEachRequest() throws Exception {
        ComparisonSpec spec = new ComparisonSpec("facts", FactsFixture.FORGET, List.of("flat"), Map.of(), 1, 0,
                List.of(org.lethe.report.compare.ComparisonRunner.SEQUENTIAL), Optional.empty());
        try (ComparisonFixture f = new ComparisonFixture(TARGET.resolve("comparison-sequential"))) {
            Report report = f.runner().compare(spec, QUIET);
            Report.Row flat = row(report, "flat");
            // forget01, then the rest of forget05, then the rest of forget10: three requests
            assertEquals(List.of(1, 2, 3), List.copyOf(flat.curves().get("sequential.forget-exact-match").keySet()));
            assertEquals(List.of(1, 2, 3), List.copyOf(flat.curves().get("sequential.model-utility").keySet()));
            // after the last request the model has forgotten forget10 (the original knows all of it) and
            // is compared with forget10's gold model; the fixture trains no gold model for the smaller splits
            assertTrue(flat.curves().get("sequential.forget-exact-match").get(3).mean() < 1.0);
            assertEquals(List.of(3), List.copyOf(flat.curves().get("sequential.forget-quality").keySet()));
            // each request starts from the previous one's model: utility does not come back
            double first = flat.curves().get("sequential.model-utility").get(1).mean();
            double last = flat.curves().get("sequential.model-utility").get(3).mean();
            assertTrue(last <= first + 0.05, "utility after request 1 " + first + ", after request 3 " + last);
        }
    }

    private static Report.Row row(Report report, String name) {
        return report.rows().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }

    private static double cell(Report.Row row, String key) {
        Report.Cell cell = row.cells().get(key);
        assertTrue(cell != null && !cell.values().isEmpty(), row.name() + " has no value for " + key + ": " + cell);
        return cell.mean();
    }

    /** The report's JSON with its time and memory fields removed. */
    private static String blanked(String json) throws Exception {
        JsonNode root = JSON.readTree(json);
        blank(root);
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    }

    private static void blank(JsonNode node) {
        if (node instanceof ObjectNode object) {
            object.remove(List.of("created", "unlearningSeconds", "peakMemoryMb"));
        }
        node.forEach(ComparisonBehaviourTest::blank);
    }
}
