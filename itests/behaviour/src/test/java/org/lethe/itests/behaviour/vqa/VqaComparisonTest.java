package org.lethe.itests.behaviour.vqa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lethe.api.LetheException;
import org.lethe.api.eval.ComparisonSpec;
import org.lethe.api.eval.Report;
import org.lethe.api.eval.Roles;
import org.lethe.api.method.Task;
import org.lethe.api.run.RunRecord;
import org.lethe.api.run.RunSpec;
import org.lethe.evaluation.vision.InterventionRemoved;
import org.lethe.evaluation.vision.VqaPgd;
import org.lethe.evaluation.vision.VqaRelearning;
import org.lethe.evaluation.vision.VqaSoftPrompt;
import org.lethe.method.esd.Esd;
import org.lethe.method.gradientascent.GradDiff;
import org.lethe.method.gradientascent.GradientAscent;
import org.lethe.method.sauce.SaeFeatureEdit;
import org.lethe.method.sauce.Sauce;
import org.lethe.report.compare.ComparisonRunner;
import org.lethe.report.render.ReportWriter;
import org.osgi.util.converter.Converters;

/**
 * {@code unlearn:compare --world shapes-vqa --methods sauce,gradient-ascent,graddiff} end to end,
 * outside OSGi, on the committed tiny VLM fixture: the comparison harness ({@link ComparisonRunner})
 * over the {@link VqaComparisonStack} with the {@code shapes-vqa} world bound as
 * {@link FixtureVqaWorld} (the real generated world, the fixture standing in for its training). The
 * harness trains the world itself (its TRAIN run commits the fixture as {@code shapes-vlm}), cuts the
 * task {@code red} from the world's files, evaluates the original VLM, runs SAUCE as an erasure (an
 * ERASE run on the erased and kept concepts and the forget and retain questions) and gradient ascent
 * and GradDiff as unlearning runs (UNLEARN on the forget and retain questions), each at small
 * settings with seed 0, evaluates every result with the vision-language metrics and the four
 * vision-language probes (small settings), and the report is written as the shell writes it.
 *
 * <p>What it requires: the rows are the original and the three methods, each committed, each method
 * submitted with its own run kind and data roles; the VQA columns are there; the original answers its
 * forget questions (low unlearning quality) and every method raises unlearning quality above it; the
 * intervention-removed probe gives SAUCE back the original's answers; Markdown and HTML carry the
 * columns; the same spec again gives the same report from the cached runs; an unknown task and an
 * erasure method of another modality are refused before anything runs.
 */
class VqaComparisonTest {

    /** The unlearned concept, the comparison's split: {@value}. */
    static final String TASK = "red";

    /** Small settings of the methods (their defaults follow the research for real runs). */
    static final Map<String, Map<String, String>> SETTINGS = Map.of(
            "sauce", Map.of("epochs", "1", "minSteps", "1", "maxInputs", "1024", "evalInputs", "128", "conceptInputs", "32",
                    "contrastInputs", "128"),
            "gradient-ascent", Map.of("steps", "20", "batchSize", "32", "learningRate", "1e-3"),
            "graddiff", Map.of("steps", "20", "batchSize", "32", "learningRate", "1e-3"));

    /** The four vision-language probes and the harness's multi-concept protocol (the 1/3/6-concept table). */
    static final List<String> PROBES = List.of(VqaSoftPrompt.NAME, VqaPgd.NAME, VqaRelearning.NAME, InterventionRemoved.NAME,
            ComparisonRunner.MULTI_CONCEPT);

    static final ComparisonSpec SPEC = new ComparisonSpec(FixtureVqaWorld.NAME, TASK,
            List.of("sauce", "gradient-ascent", "graddiff"), SETTINGS, 1, 0, PROBES, Optional.empty());

    static final String UQ = Roles.VQA_FORGET + ".unlearning-quality";
    static final String CONCEPT_RATE = Roles.VQA_FORGET + ".concept-answer-rate";
    static final String SELECTIVITY = Roles.VQA_SELECTIVITY + ".vqa-accuracy";
    static final String UTILITY = Roles.VQA_UTILITY + ".vqa-accuracy";
    static final String PARAPHRASE = Roles.VQA_PARAPHRASE + ".unlearning-quality";
    static final String YES_NO = Roles.VQA_YES_NO + ".unlearning-quality";
    static final String REMOVED = Roles.VQA_FORGET + "." + InterventionRemoved.NAME + "-unlearning-quality";

    /** Images per combination of the world written (1: 216 a split, 36 of them red). */
    static final int PER_COMBINATION = 1;

    /** The most unlearning quality the original may have (the fixture answers ≥ 90% of template questions). */
    static final double MAX_ORIGINAL_UQ = 0.15;

    private static final Path TARGET = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().resolve("target");
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

    private static VqaComparisonStack stack;
    private static ComparisonRunner runner;
    private static Report report;
    private static List<Path> files;
    private static final List<String> steps = new ArrayList<>();

    @BeforeAll
    static void compare() throws Exception {
        long started = System.nanoTime();
        stack = new VqaComparisonStack(TARGET.resolve("vqa-comparison"));
        stack.install(GradientAscent.class);
        stack.install(GradDiff.class);
        stack.install(Sauce.class);
        stack.install(Esd.class); // installed, never compared here: a text-to-image erasure method is refused
        stack.bindIntervention(new SaeFeatureEdit());
        stack.bindWorld(new FixtureVqaWorld(PER_COMBINATION), FixtureVqaWorld.NAME);
        stack.bindProbe(new VqaSoftPrompt(Converters.standardConverter().convert(Map.of("steps", 10, "batchSize", 32))
                .to(VqaSoftPrompt.Config.class)));
        stack.bindProbe(new VqaPgd(Converters.standardConverter().convert(Map.of("steps", 3, "batchSize", 32))
                .to(VqaPgd.Config.class)));
        stack.bindProbe(new VqaRelearning(Converters.standardConverter().convert(Map.of("checkpoints", new int[] {2, 5},
                "batchSize", 32)).to(VqaRelearning.Config.class)));
        stack.bindProbe(new InterventionRemoved());
        runner = stack.comparisonRunner(CLOCK);
        report = runner.compare(SPEC, (done, total, what) -> steps.add(String.format(Locale.ROOT, "%.1f s %d/%d %s",
                (System.nanoTime() - started) / 1e9, done, total, what)));
        files = ReportWriter.write(report, stack.folder().resolve("report"));
        System.out.printf(Locale.ROOT, "[vqa comparison] %s%n[vqa comparison] steps %s%n[vqa comparison] compared in %.1f s%n",
                summary(), steps, (System.nanoTime() - started) / 1e9);
    }

    @AfterAll
    static void close() {
        if (stack != null) {
            stack.close();
        }
    }

    private static String summary() {
        StringBuilder out = new StringBuilder();
        for (Report.Row row : report.rows()) {
            out.append(row.name()).append(':');
            for (String key : List.of(UQ, CONCEPT_RATE, SELECTIVITY, UTILITY, PARAPHRASE, YES_NO, REMOVED)) {
                Report.Cell cell = row.cells().get(key);
                out.append(' ').append(key).append('=').append(cell == null ? "—" : cell.failure().isPresent()
                        ? "failed" : String.format(Locale.ROOT, "%.3f", cell.mean()));
            }
            out.append("; ");
        }
        return out + "notes " + report.notes();
    }

    private static Report.Row row(String name) {
        return report.rows().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow(() ->
                new AssertionError("no row " + name + " in " + report.rows().stream().map(Report.Row::name).toList()));
    }

    private static double cell(Report.Row row, String key) {
        Report.Cell cell = row.cells().get(key);
        assertTrue(cell != null && cell.failure().isEmpty() && !cell.values().isEmpty(), row.name() + " " + key + ": " + cell);
        return cell.mean();
    }

    @Test
    void theRowsAreTheOriginalAndTheThreeMethodsAndEachRanWithItsOwnKindAndData() {
        assertEquals(List.of("original", "sauce", "gradient-ascent", "graddiff"),
                report.rows().stream().map(Report.Row::name).toList(), steps.toString());
        for (Report.Row row : report.rows()) {
            assertEquals(1, row.runs().size(), row.name());
            assertEquals("COMMITTED", row.runs().get(0).state(), row.name() + ": " + row.runs());
        }
        assertFalse(report.partial());
        // the main rows' runs: those on the task's own cut (the multi-concept protocol's are on multi3 and multi6)
        List<RunRecord> runs = stack.service().runs().stream().filter(r -> r.spec().data().containsKey(Task.FORGET)
                && r.spec().data().get(Task.FORGET).source().equals("world:shapes-vqa/cut.red.forget")).toList();
        RunRecord sauce = runs.stream().filter(r -> r.spec().component().equals("sauce")).findFirst().orElseThrow();
        assertEquals(RunSpec.Kind.ERASE, sauce.spec().kind());
        assertEquals(Set.of(Task.ERASE, Task.KEEP, Task.FORGET, Task.RETAIN), sauce.spec().data().keySet());
        for (String name : List.of("gradient-ascent", "graddiff")) {
            RunRecord run = runs.stream().filter(r -> r.spec().component().equals(name)).findFirst().orElseThrow();
            assertEquals(RunSpec.Kind.UNLEARN, run.spec().kind(), name);
            assertEquals(Set.of(Task.FORGET, Task.RETAIN), run.spec().data().keySet(), name);
            assertEquals("world:shapes-vqa/cut.red.forget", run.spec().data().get(Task.FORGET).source());
        }
        // every method started from the world's VLM, as the world's training committed it
        String original = row("original").runs().get(0).model().orElseThrow();
        runs.stream().filter(r -> r.spec().kind() == RunSpec.Kind.ERASE || r.spec().kind() == RunSpec.Kind.UNLEARN)
                .forEach(r -> assertEquals(Optional.of(original), r.spec().model().map(Object::toString), r.spec().component()));
    }

    @Test
    void theVqaColumnsAreThereAndEveryMethodUnlearnsRed() {
        List<String> columns = report.columns().stream().map(Report.Column::key).toList();
        for (String key : List.of(UQ, CONCEPT_RATE, SELECTIVITY, UTILITY, PARAPHRASE, YES_NO, REMOVED,
                Roles.VQA_FORGET + "." + VqaSoftPrompt.NAME + "-unlearning-quality",
                Roles.VQA_FORGET + "." + VqaPgd.NAME + "-unlearning-quality",
                Roles.VQA_FORGET + "." + VqaRelearning.NAME + "-unlearning-quality")) {
            assertTrue(columns.contains(key), key + " is not among " + columns);
        }
        double original = cell(row("original"), UQ);
        assertTrue(original <= MAX_ORIGINAL_UQ, "the original already fails red: " + summary());
        for (String method : List.of("sauce", "gradient-ascent", "graddiff")) {
            assertTrue(cell(row(method), UQ) > original, method + " did not raise unlearning quality: " + summary());
        }
        // SAUCE changes no weight: with its intervention removed, the original's answers come back
        assertEquals(original, cell(row("sauce"), REMOVED), 1e-9, summary());
    }

    @Test
    void theMultiConceptProtocolGivesTheThreeAndSixConceptColumnsOfEveryRow() {
        List<String> columns = report.columns().stream().map(Report.Column::key).toList();
        double original1 = cell(row("original"), UQ);
        for (String task : List.of("multi3", "multi6")) {
            for (String key : List.of(task + ":" + UQ, task + ":" + UTILITY, task + ":" + SELECTIVITY)) {
                assertTrue(columns.contains(key), key + " is not among " + columns);
            }
            double original = cell(row("original"), task + ":" + UQ);
            assertTrue(original <= MAX_ORIGINAL_UQ, task + ": the original already fails: " + original);
            for (String method : List.of("sauce", "gradient-ascent", "graddiff")) {
                assertTrue(cell(row(method), task + ":" + UQ) > original, method + " on " + task + ": "
                        + cell(row(method), task + ":" + UQ) + " vs the original's " + original);
            }
        }
        assertTrue(original1 <= MAX_ORIGINAL_UQ);
        // each multi-concept run was its own run of the method on that task's cut, with the main rows' kind
        List<RunRecord> sauceRuns = stack.service().runs().stream().filter(r -> r.spec().component().equals("sauce")).toList();
        assertEquals(Set.of("world:shapes-vqa/cut.red.erase", "world:shapes-vqa/cut.multi3.erase",
                "world:shapes-vqa/cut.multi6.erase"), sauceRuns.stream().map(r -> r.spec().data().get(Task.ERASE).source())
                        .collect(java.util.stream.Collectors.toSet()));
        sauceRuns.forEach(r -> assertEquals(RunSpec.Kind.ERASE, r.spec().kind()));
    }

    @Test
    void theReportFilesCarryTheVqaColumns() throws Exception {
        String markdown = Files.readString(stack.folder().resolve("report").resolve("report.md"), StandardCharsets.UTF_8);
        String html = Files.readString(stack.folder().resolve("report").resolve("report.html"), StandardCharsets.UTF_8);
        for (String key : List.of(UQ, SELECTIVITY, UTILITY)) {
            assertTrue(markdown.contains(key.replace("_", "\\_")), key);
            assertTrue(html.contains(key), key);
        }
        assertTrue(html.contains("Trade-off: unlearning quality"), "the trade-off plots UQ against utility");
        assertFalse(files.isEmpty());
    }

    @Test
    void theSameSpecAgainIsServedFromTheRunsAlreadyMade() throws Exception {
        int before = stack.service().runs().size();
        Report again = runner.compare(SPEC, (done, total, what) -> { });
        assertEquals(before, stack.service().runs().size(), "no run was made again");
        assertEquals(report.columns(), again.columns());
        assertEquals(report.rows().stream().map(r -> r.cells().get(UQ).mean()).toList(),
                again.rows().stream().map(r -> r.cells().get(UQ).mean()).toList());
    }

    @Test
    void theEvaluationOfATaskIsItsCutAsEraseAndEvalReadIt() {
        // unlearn:erase takes erase, keep, forget and retain from it; unlearn:eval evaluates on all of it
        RunSpec spec = runner.evaluation(FixtureVqaWorld.NAME, TASK,
                org.lethe.api.model.ModelRef.parse(row("original").runs().get(0).model().orElseThrow()), List.of(), 0);
        assertEquals(Set.of(Task.ERASE, Task.KEEP, Task.FORGET, Task.RETAIN, Roles.VQA_FORGET, Roles.VQA_SELECTIVITY,
                Roles.VQA_UTILITY, Roles.VQA_PARAPHRASE, Roles.VQA_YES_NO), spec.data().keySet());
        spec.data().forEach((role, ref) -> assertEquals("world:shapes-vqa/cut.red." + role, ref.source(), role));
        assertEquals(RunSpec.Kind.EVALUATE, spec.kind());
    }

    @Test
    void anUnknownTaskIsRefusedBeforeAnythingRuns() {
        int before = stack.service().runs().size();
        LetheException e = assertThrows(LetheException.class, () -> runner.compare(new ComparisonSpec(FixtureVqaWorld.NAME,
                "magenta", SPEC.methods(), Map.of(), 1, 0, List.of(), Optional.empty()), (d, t, w) -> { }));
        assertTrue(e.getMessage().contains("'magenta' is not a task of world 'shapes-vqa'"), e.getMessage());
        assertTrue(e.getMessage().contains("multi3") && e.getMessage().contains("multi6"), e.getMessage());
        assertEquals(before, stack.service().runs().size());
    }

    @Test
    void anErasureMethodOfAnotherModalityIsRefusedBeforeAnythingRuns() {
        int before = stack.service().runs().size();
        LetheException e = assertThrows(LetheException.class, () -> runner.compare(new ComparisonSpec(FixtureVqaWorld.NAME,
                TASK, List.of("sauce", "esd"), Map.of(), 1, 0, List.of(), Optional.empty()), (d, t, w) -> { }));
        assertTrue(e.getMessage().contains("'esd' erases concepts from text-to-image models"), e.getMessage());
        assertEquals(before, stack.service().runs().size());
    }
}
