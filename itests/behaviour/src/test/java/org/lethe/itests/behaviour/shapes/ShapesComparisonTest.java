package org.lethe.itests.behaviour.shapes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lethe.api.LetheException;
import org.lethe.api.eval.ComparisonService;
import org.lethe.api.eval.ComparisonSpec;
import org.lethe.api.eval.Report;
import org.lethe.api.eval.Roles;
import org.lethe.api.run.RunRecord;
import org.lethe.api.run.RunSpec;
import org.lethe.api.run.RunState;
import org.lethe.evaluation.texttoimage.ConceptInversion;
import org.lethe.evaluation.texttoimage.PromptSearch;
import org.lethe.evaluation.texttoimage.TextToImageRelearning;
import org.lethe.method.gradientascent.GradientAscent;
import org.lethe.method.realera.RealEra;
import org.lethe.report.compare.ComparisonRunner;
import org.lethe.report.render.JsonReport;
import org.lethe.report.render.ReportWriter;
import org.osgi.util.converter.Converters;

/**
 * {@code unlearn:compare --world shapes --split red --methods esd} end to end, outside OSGi, on the
 * committed fixtures (issue 7): the comparison harness ({@link ComparisonRunner}) over the
 * {@link ShapesErasureStack} with the {@code shapes} world bound as {@link FixtureShapesWorld} (the
 * real generated world of seed 0, the fixtures standing in for its training). The harness trains
 * the world itself (its TRAIN run commits the fixtures), evaluates the original generator once,
 * erases {@code red} with ESD at its defaults (seed 0), evaluates the result with every text-to-image
 * metric and the three text-to-image recovery probes (bound with small settings, named in the spec)
 * on the cuts it makes of the world's files (the concept images included), and samples the gallery;
 * the report is written as the shell writes it ({@link ReportWriter}).
 *
 * <p>What it requires: the rows are the original (one seed run) and ESD, no gold row; the
 * standard columns are there, the original is its own layout and Fréchet reference, ESD lowers
 * Acc_e (README beside the fixtures, "Measured behaviour": ESD-x at its defaults erases red); the
 * gallery holds the 12 prompts with their seeds for both rows as PNGs of the model's size, ESD's
 * images differ from the original's on the erased prompts, and the HTML page shows them inline with
 * nothing from the network; the same spec gives the same report from the cached runs; an unknown
 * task and a mix of erasure and unlearning methods are refused as invalid input before anything runs.
 *
 * <p>Measured (2026-11-26, 2-core shared VM, beside another training), original / ESD: Acc_e 1.000 /
 * 0.000, Acc_g 0.995 / 0.000, layout IoU 1 / 0.70, feature Fréchet 0 / 117.4. Acc_p is 0.18 / 0.16 and
 * is not judged here: the harness's preserve prompts carry every label and the tiny fixture's shapes
 * are at chance (README beside the fixtures), so only colour-only prompts make Acc_p meaningful for it
 * ({@link EsdBehaviourTest}). The comparison takes ≈ 80 s, the same spec again ≈ 1.5 s.
 */
class ShapesComparisonTest {

    /** The erased concept, the comparison's split: {@value}. */
    static final String TASK = "red";

    /**
     * The comparison: ESD's defaults, one seed (0), the three text-to-image recovery probes by name
     * (outside OSGi the harness sees no probe services, so {@value ComparisonSpec#ALL_PROBES} would
     * find none; the run service resolves the names among the probes bound to it).
     */
    static final ComparisonSpec SPEC = new ComparisonSpec(FixtureShapesWorld.NAME, TASK, List.of("esd"), Map.of(), 1, 0,
            List.of(ConceptInversion.NAME, PromptSearch.NAME, TextToImageRelearning.NAME), Optional.empty());

    /** The probes' columns: what each reports on the erased prompts. */
    static final List<String> PROBE_COLUMNS = List.of(ConceptInversion.ACCURACY, ConceptInversion.LOSS,
            PromptSearch.ACCURACY, PromptSearch.PROBABILITY, TextToImageRelearning.ACCURACY, TextToImageRelearning.GAIN)
            .stream().map(m -> Roles.ERASED_PROMPTS + "." + m).toList();

    /** The relearning checkpoints here (small: the probes' defaults follow the research for real runs). */
    static final int[] CHECKPOINTS = {2, 5};

    /** The inversion's steps here. */
    static final int INVERSION_STEPS = 10;

    /** Gallery prompts: ErasureLayout's GALLERY_ERASED, GALLERY_GENERALITY and GALLERY_PRESERVE (4, 2, 6). */
    static final int[] GALLERY = {4, 2, 6};

    /** The least Acc_e of the original (the fixture's contract: colour ≈ 0.97; README "Measured behaviour"). */
    static final double MIN_ORIGINAL_ERASED = 0.85;

    /**
     * How much ESD must lower Acc_e below the original's, at least. Measured here (2026-11-26, 2-core
     * shared VM; ESD seed 0, the harness's 100 {@code eval_name} prompts of red): original 1.000, ESD
     * 0.000; the README's ESD-x at its defaults (seed 1, 48 prompts): 0.979 → 0.000.
     */
    static final double MIN_ERASURE_DROP = 0.5;

    static final String ACC_E = Roles.ERASED_PROMPTS + ".erasure-accuracy";
    static final String ACC_P = Roles.PRESERVE_PROMPTS + ".preservation-accuracy";
    static final String ACC_G = Roles.GENERALITY_PROMPTS + ".generality-accuracy";
    static final String HARMONIC = Roles.ERASED_PROMPTS + "+" + Roles.PRESERVE_PROMPTS + ".erasure-harmonic";
    static final String LAYOUT_IOU = Roles.PRESERVE_PROMPTS + ".layout-iou";
    static final String FRECHET = Roles.PRESERVE_PROMPTS + ".feature-frechet-distance";

    private static final Path TARGET = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().resolve("target");
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    private static final Pattern NETWORK = Pattern.compile("(?i)(src|href|url)\\s*[=(]\\s*[\"']?\\s*(https?:)?//");

    private static ShapesErasureStack stack;
    private static ComparisonRunner runner;
    private static Report report;
    private static List<Path> files;
    private static final List<String> steps = new ArrayList<>();

    @BeforeAll
    static void compare() throws Exception {
        long started = System.nanoTime();
        stack = new ShapesErasureStack(TARGET.resolve("shapes-comparison"));
        stack.addUnlearning(GradientAscent.class);
        stack.bindFixtureWorld();
        // the recovery probes with small settings (their defaults follow the research for real runs)
        stack.bindProbe(new ConceptInversion(stack.sampling(), Converters.standardConverter().convert(Map.of(
                "steps", INVERSION_STEPS, "learningRate", 5e-2, "batchSize", 16, "prompts", 4))
                .to(ConceptInversion.Config.class)));
        stack.bindProbe(new PromptSearch(stack.sampling(), Converters.standardConverter()
                .convert(Map.of("samples", 1, "replacements", 1)).to(PromptSearch.Config.class)));
        stack.bindProbe(new TextToImageRelearning(stack.sampling(), Converters.standardConverter().convert(Map.of(
                "checkpoints", CHECKPOINTS, "learningRate", 3e-4, "batchSize", 16, "prompts", 4))
                .to(TextToImageRelearning.Config.class)));
        runner = stack.comparisonRunner(CLOCK);
        report = runner.compare(SPEC, (done, total, what) -> steps.add(String.format(Locale.ROOT, "%.1f s %d/%d %s",
                (System.nanoTime() - started) / 1e9, done, total, what)));
        files = ReportWriter.write(report, stack.folder().resolve("report"));
        System.out.printf(Locale.ROOT, "[shapes comparison] %s%n[shapes comparison] steps %s%n"
                + "[shapes comparison] compared in %.1f s%n", summary(report), steps, (System.nanoTime() - started) / 1e9);
    }

    @AfterAll
    static void close() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void theRowsAreTheOriginalAndTheMethodAndNothingFailed() {
        assertEquals(List.of("original", "esd"), report.rows().stream().map(Report.Row::name).toList(), steps.toString());
        Report.Row original = row("original");
        Report.Row esd = row("esd");
        assertEquals(Report.RowKind.ORIGINAL, original.kind());
        assertEquals(1, original.runs().size(), original.runs().toString());
        assertEquals(Report.RowKind.METHOD, esd.kind());
        assertEquals(1, esd.runs().size(), esd.runs().toString());
        assertEquals("COMMITTED", esd.runs().get(0).state(), esd.runs().toString());
        assertEquals(0L, esd.runs().get(0).seed());
        assertEquals(FixtureShapesWorld.NAME, report.manifest().world());
        assertEquals(TASK, report.manifest().split());
        assertEquals(List.of(0L), report.manifest().seeds());
        assertFalse(report.partial());
        assertTrue(report.notes().isEmpty(), "notes: " + report.notes());
        // the original is the world's generator, as its TRAIN run committed it (not the stack's import)
        RunRecord training = training();
        String originalModel = original.runs().get(0).model().orElseThrow();
        assertTrue(stack.store().manifest(org.lethe.api.model.ModelRef.parse(originalModel)).producedBy()
                .equals(Optional.of(training.key())), originalModel + " was not committed by " + training.key());
        // ESD erased that version
        RunRecord erasure = stack.service().runs().stream().filter(r -> r.spec().kind() == RunSpec.Kind.ERASE)
                .findFirst().orElseThrow();
        assertEquals(Optional.of(originalModel), erasure.spec().model().map(Object::toString));
        assertEquals(erasure.result().map(Object::toString), esd.runs().get(0).model());
    }

    @Test
    void theStandardColumnsAreThereAndEsdErasesRed() {
        List<String> columns = report.columns().stream().map(Report.Column::key).toList();
        for (String key : List.of(ACC_E, ACC_P, ACC_G, HARMONIC, LAYOUT_IOU, FRECHET)) {
            assertTrue(columns.contains(key), key + " is not among " + columns);
        }
        Report.Row original = row("original");
        Report.Row esd = row("esd");
        // the original is its own reference for layout and features
        assertEquals(1.0, cell(original, LAYOUT_IOU), 1e-9);
        assertEquals(0.0, cell(original, FRECHET), 1e-6);
        assertTrue(cell(original, ACC_E) >= MIN_ORIGINAL_ERASED, "original Acc_e " + cell(original, ACC_E));
        assertTrue(cell(esd, ACC_E) <= cell(original, ACC_E) - MIN_ERASURE_DROP,
                "ESD Acc_e " + cell(esd, ACC_E) + ", original " + cell(original, ACC_E));
        // ESD changed the model: its preserve samples are not the original's
        assertTrue(cell(esd, FRECHET) > 0, "ESD Fréchet " + cell(esd, FRECHET));
    }

    /**
     * The probes ran on the original and on ESD's result: each has its columns with a value in both
     * rows, the relearning and inversion curves are kept per row at their steps, and the HTML page
     * draws the curves (relearning over fine-tuning steps, the inversion's loss over its steps).
     */
    @Test
    void theProbeColumnsHaveValuesForTheOriginalAndEsd() throws Exception {
        List<String> columns = report.columns().stream().map(Report.Column::key).toList();
        assertTrue(columns.containsAll(PROBE_COLUMNS), "probe columns " + PROBE_COLUMNS + " are not all among " + columns);
        for (String name : List.of("original", "esd")) {
            Report.Row row = row(name);
            for (String key : PROBE_COLUMNS) {
                double v = cell(row, key);
                assertTrue(Double.isFinite(v), name + " " + key + " = " + v);
            }
            String relearning = Roles.ERASED_PROMPTS + "." + TextToImageRelearning.ACCURACY;
            assertEquals(List.of(0, CHECKPOINTS[0], CHECKPOINTS[1]), List.copyOf(row.curves().get(relearning).keySet()),
                    name + "'s curves: " + row.curves().keySet());
            assertEquals(INVERSION_STEPS, row.curves().get(Roles.ERASED_PROMPTS + "." + ConceptInversion.LOSS).size());
        }
        // ESD erased red: relearning starts from the erased state, the original from red
        String relearning = Roles.ERASED_PROMPTS + "." + TextToImageRelearning.ACCURACY;
        assertTrue(row("esd").curves().get(relearning).get(0).mean() < row("original").curves().get(relearning).get(0).mean(),
                "relearning starts lower on ESD: " + row("esd").curves().get(relearning) + " vs "
                        + row("original").curves().get(relearning));
        String html = Files.readString(file(ReportWriter.HTML), StandardCharsets.UTF_8);
        assertTrue(html.contains("data-curve=\"" + relearning + "\""), "no relearning chart");
        assertTrue(html.contains("data-curve=\"" + Roles.ERASED_PROMPTS + "." + ConceptInversion.LOSS + "\""),
                "no inversion-loss chart");
        String markdown = Files.readString(file(ReportWriter.MARKDOWN), StandardCharsets.UTF_8);
        for (String key : PROBE_COLUMNS) {
            assertTrue(markdown.contains(key.substring(key.indexOf('.') + 1)), key + " is not in the Markdown report");
        }
    }

    /**
     * What a method notes about its own run reaches the report under its row: RealEra with a singular
     * closed-form system (no preserve weight, no λ, bare-concept tokens, no mining, no LoRA) raises λ
     * and notes it (RunContext.note); the comparison lists the note. Its own comparison on the same
     * stack, with the same probes (so the original's evaluation is the one already made).
     */
    @Test
    void aMethodsNoteAboutItsRunIsInTheReport() throws Exception {
        stack.addErasure(RealEra.class);
        Map<String, String> singular = Map.of("mining", "false", "shell", "false", "loraSteps", "0", "alpha", "0",
                "lambda", "0", "context", "concept");
        Report noted = runner.compare(new ComparisonSpec(FixtureShapesWorld.NAME, TASK, List.of("realera"),
                Map.of("realera", singular), 1, 0, SPEC.probes(), Optional.empty()), (done, total, what) -> { });
        assertEquals("COMMITTED", noted.rows().get(1).runs().get(0).state(), noted.rows().get(1).runs().toString());
        assertTrue(noted.notes().stream().anyMatch(n -> n.startsWith("realera seed 0: realera: ") && n.contains("singular")
                && n.contains("λ raised")), "notes: " + noted.notes());
        assertTrue(report.notes().isEmpty(), "ESD noted nothing: " + report.notes());
    }

    @Test
    void theGalleryShowsTheSamePromptsAndSeedsForEachRow() throws Exception {
        Report.Gallery gallery = report.gallery().orElseThrow(() -> new AssertionError("no gallery; notes " + report.notes()));
        assertEquals(GALLERY[0] + GALLERY[1] + GALLERY[2], gallery.prompts().size(), gallery.prompts().toString());
        assertEquals(expectedGallery(), zip(gallery.prompts(), gallery.seeds()));
        for (int i = 0; i < GALLERY[0]; i++) {
            assertTrue(gallery.prompts().get(i).contains(TASK), "erased prompt " + gallery.prompts().get(i));
        }
        assertEquals(List.of("original", "esd"), List.copyOf(gallery.images().keySet()));
        int size = Integer.parseInt(stack.store().manifest(stack.generator()).config().get("imageSize"));
        for (Map.Entry<String, List<String>> row : gallery.images().entrySet()) {
            assertEquals(gallery.prompts().size(), row.getValue().size(), row.getKey());
            for (String png : row.getValue()) {
                BufferedImage image = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(png)));
                assertNotNull(image, row.getKey() + ": not a PNG");
                assertEquals(size, image.getWidth(), row.getKey());
                assertEquals(size, image.getHeight(), row.getKey());
            }
        }
        boolean erasedDiffer = false;
        for (int i = 0; i < GALLERY[0]; i++) {
            erasedDiffer |= !gallery.images().get("original").get(i).equals(gallery.images().get("esd").get(i));
        }
        assertTrue(erasedDiffer, "ESD draws the erased prompts exactly as the original");

        // the HTML page shows the grid inline, from nothing on the network
        String html = Files.readString(file(ReportWriter.HTML));
        int section = html.indexOf("<section id=\"gallery\">");
        assertTrue(section >= 0, "no gallery section in the page");
        String grid = html.substring(section, html.indexOf("</section>", section));
        assertEquals(2 * gallery.prompts().size(), count(grid, "src=\"data:image/png;base64,"));
        for (String prompt : gallery.prompts()) {
            assertTrue(grid.contains(prompt), "the grid lacks the prompt " + prompt);
        }
        Matcher url = NETWORK.matcher(html);
        assertFalse(url.find(), () -> "the page loads something from the network: " + html.substring(url.start(),
                Math.min(html.length(), url.start() + 80)));

        // report.json carries the gallery
        JsonNode json = JSON.readTree(file(ReportWriter.JSON).toFile()).path("gallery");
        assertEquals(gallery.prompts(), strings(json.path("prompts")));
        assertEquals(gallery.images().get("esd"), strings(json.path("images").path("esd")));
        assertEquals(gallery.images().get("original"), strings(json.path("images").path("original")));
        List<Long> seeds = new ArrayList<>();
        json.path("seeds").forEach(n -> seeds.add(n.asLong()));
        assertEquals(gallery.seeds(), seeds);
    }

    @Test
    void theSameSpecGivesTheSameReportFromTheCachedRuns() throws Exception {
        int runs = stack.service().runs().size();
        long started = System.nanoTime();
        Report again = runner.compare(SPEC, (done, total, what) -> { });
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf(Locale.ROOT, "[shapes comparison] the same spec again in %.1f s%n", seconds);
        assertEquals(runs, stack.service().runs().size(), "the second comparison made new runs");
        List<Path> second = ReportWriter.write(again, stack.folder().resolve("report-again"));
        assertEquals(blanked(Files.readString(file(ReportWriter.JSON))),
                blanked(Files.readString(second.get(0), StandardCharsets.UTF_8)));
    }

    @Test
    void anUnknownTaskIsRefusedNamingTheWorldsTasks() throws Exception {
        int runs = stack.service().runs().size();
        ComparisonSpec spec = new ComparisonSpec(FixtureShapesWorld.NAME, "nosuch", List.of("esd"), Map.of(), 1, 0,
                List.of(ComparisonSpec.ALL_PROBES), Optional.empty());
        LetheException e = assertThrows(LetheException.class, () -> runner.compare(spec, (done, total, what) -> { }));
        assertEquals(LetheException.INVALID_INPUT, e.exitStatus(), e.getMessage());
        assertTrue(e.getMessage().contains("nosuch"), e.getMessage());
        for (String task : worldTasks()) {
            assertTrue(e.getMessage().contains(task), "the refusal does not name the task " + task + ": " + e.getMessage());
        }
        assertEquals(runs, stack.service().runs().size(), "a refused comparison made runs");
    }

    @Test
    void erasureAndUnlearningMethodsAreNotMixed() {
        int runs = stack.service().runs().size();
        assertTrue(stack.registry().method("gradient-ascent").isPresent());
        ComparisonSpec spec = new ComparisonSpec(FixtureShapesWorld.NAME, TASK, List.of("esd", "gradient-ascent"),
                Map.of(), 1, 0, List.of(ComparisonSpec.ALL_PROBES), Optional.empty());
        LetheException e = assertThrows(LetheException.class, () -> runner.compare(spec, (done, total, what) -> { }));
        assertEquals(LetheException.INVALID_INPUT, e.exitStatus(), e.getMessage());
        assertTrue(e.getMessage().contains("gradient-ascent") && e.getMessage().contains("esd"), e.getMessage());
        assertEquals(runs, stack.service().runs().size(), "a refused comparison made runs");
    }

    // ---------------------------------------------------------------------------------- helpers

    private static Report.Row row(String name) {
        return report.rows().stream().filter(r -> r.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no row " + name));
    }

    private static double cell(Report.Row row, String key) {
        Report.Cell cell = row.cells().get(key);
        assertTrue(cell != null && !cell.values().isEmpty(), row.name() + " has no value for " + key + ": " + cell);
        return cell.mean();
    }

    private static String summary(Report report) {
        StringBuilder out = new StringBuilder();
        for (Report.Row row : report.rows()) {
            out.append(row.name()).append(':');
            for (String key : List.of(ACC_E, ACC_G, ACC_P, HARMONIC, LAYOUT_IOU, FRECHET)) {
                Report.Cell cell = row.cells().get(key);
                out.append(String.format(Locale.ROOT, " %s %s", key.substring(key.lastIndexOf('.') + 1),
                        cell == null || cell.values().isEmpty() ? "-" : String.format(Locale.ROOT, "%.3f", cell.mean())));
            }
            out.append("; ");
        }
        return out.append("notes ").append(report.notes()).toString();
    }

    /** The world's committed TRAIN run. */
    private static RunRecord training() {
        return stack.service().runs().stream().filter(r -> r.spec().kind() == RunSpec.Kind.TRAIN
                && r.spec().component().equals(FixtureShapesWorld.NAME) && r.state() == RunState.COMMITTED)
                .findFirst().orElseThrow(() -> new AssertionError("the world was not trained"));
    }

    /** The world training's data folder, where the harness reads and cuts. */
    private static Path worldData() {
        return stack.folder().resolve("worlds").resolve(FixtureShapesWorld.NAME).resolve(training().key().value())
                .resolve("data");
    }

    private static List<String> worldTasks() throws Exception {
        List<String> names = new ArrayList<>();
        for (String line : Files.readAllLines(worldData().resolve("tasks.jsonl"))) {
            if (!line.isBlank()) {
                names.add(JSON.readTree(line).path("name").asText());
            }
        }
        assertTrue(names.contains(TASK), names.toString());
        return names;
    }

    /** The first rows of the erased, generality and preserve cuts, with their seeds. */
    private static List<String> expectedGallery() throws Exception {
        List<String> out = new ArrayList<>();
        List<String> roles = List.of(Roles.ERASED_PROMPTS, Roles.GENERALITY_PROMPTS, Roles.PRESERVE_PROMPTS);
        for (int i = 0; i < roles.size(); i++) {
            Path cut = worldData().resolve("cut." + TASK + "." + roles.get(i) + ".jsonl");
            List<String> lines = Files.readAllLines(cut).stream().filter(l -> !l.isBlank()).toList();
            assertTrue(lines.size() >= GALLERY[i], cut + " has " + lines.size() + " rows");
            for (String line : lines.subList(0, GALLERY[i])) {
                JsonNode row = JSON.readTree(line);
                out.add(row.path("prompt").asText() + " @" + row.path("seed").asLong());
            }
        }
        return out;
    }

    private static List<String> zip(List<String> prompts, List<Long> seeds) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            out.add(prompts.get(i) + " @" + seeds.get(i));
        }
        return out;
    }

    private static Path file(String name) {
        return files.stream().filter(f -> f.getFileName().toString().equals(name)).findFirst().orElseThrow();
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int at = text.indexOf(what); at >= 0; at = text.indexOf(what, at + what.length())) {
            n++;
        }
        return n;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** The report's JSON without its time and memory fields ({@link JsonReport#VOLATILE_FIELDS}). */
    private static String blanked(String json) throws Exception {
        JsonNode root = JSON.readTree(json);
        blank(root);
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    }

    private static void blank(JsonNode node) {
        if (node instanceof ObjectNode object) {
            object.remove(JsonReport.VOLATILE_FIELDS);
        }
        node.forEach(ShapesComparisonTest::blank);
    }
}
