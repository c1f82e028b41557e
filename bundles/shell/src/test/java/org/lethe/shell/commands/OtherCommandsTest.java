package org.lethe.shell.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OtherCommandsTest {

    @TempDir
    Path dir;

    private World world;

    @BeforeEach
    void setUp() throws IOException {
        world = new World(dir);
        Files.writeString(dir.resolve("forget.jsonl"), "{\"question\":\"q\",\"answer\":\"a\"}\n");
    }

    private void oneRun() {
        assertEquals(0, world.call(new RunCommand(world.services, Clock.systemUTC()), "ascent", "-m", "tiny", "-f",
                "forget.jsonl").status());
    }

    @Test
    void reportsGoToStandardOutputOrToANewFileWrittenWhole() throws IOException {
        oneRun();
        ReportCommand report = new ReportCommand(world.services);
        World.Outcome md = world.call(report, "last");
        assertEquals(0, md.status(), md.message());
        assertTrue(md.out().startsWith("# Run 3fa9c1d2e4f5: ascent on tiny:1"), md.out());
        World.Outcome byPrefix = world.call(report, "3fa9", "--format", "json");
        assertTrue(byPrefix.out().contains("\"run\" : \"3fa9c1d2e4f5a6b7c8d9e0f1a2b3c4d5\""), byPrefix.out());

        assertEquals(0, world.call(report, "last", "-f", "html", "-o", "run.html").status());
        assertTrue(Files.readString(dir.resolve("run.html")).startsWith("<!DOCTYPE html>"));
        World.Outcome again = world.call(report, "last", "-o", "run.html");
        assertEquals(3, again.status());
        assertTrue(again.message().contains("exists already (--force replaces it)"), again.message());
        assertEquals(0, world.call(report, "last", "-o", "run.html", "--force").status());
        assertTrue(Files.readString(dir.resolve("run.html")).startsWith("# Run"));
        try (var files = Files.list(dir)) {
            assertFalse(files.anyMatch(f -> f.getFileName().toString().endsWith(".tmp")), "no temporary file left");
        }
        assertEquals(3, world.call(report, "last", "-o", "no/such/folder/run.md").status());
    }

    @Test
    void unknownRunsAndEndedRuns() {
        assertEquals("unlearn:report: there is no run yet (unlearn:run starts one)",
                world.call(new ReportCommand(world.services), "last").message());
        oneRun();
        World.Outcome unknown = world.call(new WatchCommand(world.services), "ffff");
        assertEquals(3, unknown.status());
        assertEquals("unlearn:watch: unknown run 'ffff' (known: 3fa9c1d2e4f5; see unlearn:runs)", unknown.message());
        assertTrue(world.call(new WatchCommand(world.services), "3f").message().contains("at least 4 digits"));
        World.Outcome ended = world.call(new CancelCommand(world.services), "last");
        assertEquals(3, ended.status());
        assertEquals("unlearn:cancel: run 3fa9c1d2e4f5 already ended: committed", ended.message());
        World.Outcome watched = world.call(new WatchCommand(world.services), "last");
        assertEquals(0, watched.status(), watched.message());
        assertTrue(watched.out().startsWith("committed tiny:2"), watched.out());
    }

    @Test
    void eraseTakesErasureMethodsAndConcepts() {
        EraseCommand erase = new EraseCommand(world.services, Clock.systemUTC());
        assertEquals(2, world.call(erase, "esd", "-m", "tiny").status(), "no concept");
        assertEquals("unlearn:erase: 'ascent' is an unlearning method: use unlearn:run",
                world.call(erase, "ascent", "-m", "tiny", "-c", "red").message());
        World.Outcome dry = world.call(erase, "esd", "-m", "tiny", "-c", "red circle", "-k", "blue", "--dry-run");
        assertEquals(0, dry.status(), dry.message());
        assertTrue(dry.out().contains("  erase     "), dry.out());
        assertTrue(dry.out().contains("  keep      "), dry.out());
        assertFalse(Files.exists(dir.resolve("data").resolve(EraseCommand.INPUTS)), "a dry run writes nothing");
        assertEquals(0, world.call(erase, "esd", "-m", "tiny", "-c", "red circle").status());
        String source = world.submitted.get(0).data().get("erase").source();
        assertTrue(source.startsWith(dir.resolve("data").resolve("inputs").toString()), source);
    }

    @Test
    void oneConceptOfAWorldTrainedModelIsTheWorldsTaskUnlessTheUserSaysOtherwise() throws IOException {
        World.Outcome task = eraseOnShapes("red", "-c", "red");
        assertEquals(0, task.status(), task.message());
        assertTrue(task.out().contains("concept 'red' as its world defines it"), task.out());
        assertEquals(java.util.Map.of("erase", "world:shapes/cut.red.erase", "keep", "world:shapes/cut.red.keep"),
                submitted("red"), "the task's erase and keep files, nothing else of the evaluation");
        // no such task: the name alone, as for an imported model
        assertEquals(0, eraseOnShapes("magenta", "-c", "magenta").status());
        assertTrue(submitted("magenta").get("erase").contains("inputs"), submitted("magenta").toString());
        assertFalse(submitted("magenta").containsKey("keep"));
        // --keep given: the user decides, the world is not asked
        assertEquals(0, eraseOnShapes("keep", "-c", "red", "-k", "blue").status());
        assertTrue(submitted("keep").get("erase").contains("inputs") && submitted("keep").get("keep").contains("inputs"),
                submitted("keep").toString());
        // two concepts: their names alone
        assertEquals(0, eraseOnShapes("two", "-c", "red", "-c", "green").status());
        assertFalse(submitted("two").containsKey("keep"), submitted("two").toString());
    }

    @Test
    void oneConceptOfAVisualQuestionWorldAlsoGivesItsQuestionsToForgetAndRetain() throws IOException {
        World.Outcome task = eraseOn("shapes-vqa", "vqa-red", "-c", "red");
        assertEquals(0, task.status(), task.message());
        assertTrue(task.out().contains("concept 'red' as its world defines it: erase world:shapes-vqa/cut.red.erase, keep"
                + " world:shapes-vqa/cut.red.keep, forget world:shapes-vqa/cut.red.forget, retain"
                + " world:shapes-vqa/cut.red.retain"), task.out());
        assertEquals(java.util.Map.of("erase", "world:shapes-vqa/cut.red.erase", "keep", "world:shapes-vqa/cut.red.keep",
                "forget", "world:shapes-vqa/cut.red.forget", "retain", "world:shapes-vqa/cut.red.retain"),
                submitted("vqa-red"), "the task's concepts and training questions, none of its evaluation roles");
        // a name that is no task of the world: the name alone
        assertEquals(0, eraseOn("shapes-vqa", "vqa-magenta", "-c", "magenta").status());
        assertEquals(java.util.Set.of("erase"), submitted("vqa-magenta").keySet());
    }

    @Test
    void aVisionLanguageComparisonPrintsTheVqaColumns() {
        List<String> keys = List.of("forget.vqa-accuracy", "vqa_utility.vqa-accuracy", "vqa_forget.unlearning-quality",
                "vqa_forget.vqa-pgd-unlearning-quality");
        List<org.lethe.api.eval.Report.Column> columns = keys.stream().map(k -> new org.lethe.api.eval.Report.Column(k,
                k.substring(k.indexOf('.') + 1), "1", k.substring(0, k.indexOf('.')),
                org.lethe.api.eval.MetricResult.Direction.HIGHER_IS_BETTER)).toList();
        java.util.Map<String, org.lethe.api.eval.Report.Cell> cells = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            cells.put(keys.get(i), new org.lethe.api.eval.Report.Cell(0.25 * i, 0, List.of(0.25 * i), java.util.Optional.empty()));
        }
        org.lethe.api.eval.Report.Row row = new org.lethe.api.eval.Report.Row("sauce", org.lethe.api.eval.Report.RowKind.METHOD,
                "0.1.0", cells, java.util.Map.of(), List.of());
        org.lethe.api.eval.Report report = new org.lethe.api.eval.Report(org.lethe.api.eval.Report.SCHEMA,
                java.time.Instant.EPOCH, false, new org.lethe.api.eval.Report.Manifest("shapes-vqa", "red", List.of(0L),
                        java.util.Map.of(), java.util.Map.of(), java.util.Map.of(), "", java.util.Map.of(), java.util.Map.of(),
                        "", "", "", ""), List.of(row), columns, List.of());
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        CompareCommand.print(report, new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8));
        String header = bytes.toString(java.nio.charset.StandardCharsets.UTF_8).lines().findFirst().orElseThrow();
        assertTrue(header.matches("row\\s+vqa_forget\\.unlearning-quality\\s+vqa_utility\\.vqa-accuracy\\s+"
                + "vqa_forget\\.vqa-pgd-unlearning-quality\\s+time s\\s*"), header);
    }

    private final java.util.Map<String, World> shapesWorlds = new java.util.HashMap<>();

    /** An erasure of tiny, made by the shapes world's training, in a fresh container of its own. */
    private World.Outcome eraseOnShapes(String name, String... options) throws IOException {
        return eraseOn("shapes", name, options);
    }

    /** An erasure of tiny, made by a world's training, in a fresh container of its own. */
    private World.Outcome eraseOn(String trainedBy, String name, String... options) throws IOException {
        World shapes = new World(Files.createDirectories(dir.resolve(name)));
        shapes.trainedBy = trainedBy;
        shapesWorlds.put(name, shapes);
        String[] args = new String[options.length + 3];
        args[0] = "esd";
        args[1] = "-m";
        args[2] = "tiny";
        System.arraycopy(options, 0, args, 3, options.length);
        return shapes.call(new EraseCommand(shapes.services, Clock.systemUTC()), args);
    }

    private java.util.Map<String, String> submitted(String name) {
        return sources(shapesWorlds.get(name).submitted.get(0));
    }

    private static java.util.Map<String, String> sources(org.lethe.api.run.RunSpec spec) {
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        spec.data().forEach((role, ref) -> out.put(role, ref.source()));
        return out;
    }

    @Test
    void trainingNeedsAnInstalledWorld() {
        World.Outcome train = world.call(new TrainCommand(world.services), "facts", "--seed", "1");
        assertEquals(3, train.status());
        assertTrue(train.message().startsWith("unlearn:train: unknown world 'facts': no world is installed"), train.message());
        World.Outcome worlds = world.call(new WorldsCommand(world.services));
        assertEquals(0, worlds.status());
        assertTrue(worlds.out().startsWith("No world is installed"), worlds.out());
    }

    @Test
    void importChecksTheFolderAndTheIdBeforeTouchingTheStore() throws IOException {
        ImportCommand command = new ImportCommand(world.services);
        assertTrue(world.call(command, "nowhere").message().contains("nowhere: no such folder"));
        Path folder = Files.createDirectories(dir.resolve("model"));
        assertTrue(world.call(command, "model").message().contains("no manifest.json"));
        Files.writeString(folder.resolve("manifest.json"), "{\"kind\":\"LANGUAGE\",\"architecture\":\"tiny-lm\"}");
        assertEquals("unlearn:import: model 'tiny' exists already (1 version(s)); choose another --id, or see unlearn:model tiny",
                world.call(command, "model", "--id", "tiny").message());
        World.Outcome dry = world.call(command, "model", "--dry-run");
        assertEquals(0, dry.status(), dry.message());
        assertTrue(dry.out().contains("architecture  tiny-lm"), dry.out());
        assertTrue(dry.out().endsWith("dry run: nothing was imported\n"), dry.out());
    }
}
