package org.lethe.shell.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lethe.api.LetheException;
import org.lethe.api.run.RunRecord;
import org.lethe.api.run.RunState;

class RunCommandTest {

    @TempDir
    Path dir;

    private World world;
    private RunCommand run;

    @BeforeEach
    void setUp() throws IOException {
        world = new World(dir);
        run = new RunCommand(world.services, Clock.systemUTC());
        Files.writeString(dir.resolve("forget.jsonl"), "{\"question\":\"q\",\"answer\":\"a\"}\n");
        Files.writeString(dir.resolve("broken.jsonl"), "{\"question\":\"q\",\"answer\":\"a\"}\n{\"question\":\"q\"}\n");
        Files.createDirectories(dir.resolve("folder"));
    }

    private World.Outcome refused(int status, String... args) {
        World.Outcome outcome = world.call(run, args);
        assertEquals(status, outcome.status(), outcome.message());
        assertTrue(outcome.message().startsWith("unlearn:run: "), outcome.message());
        assertFalse(world.calls.contains("submit"), "nothing was started: " + world.calls);
        return outcome;
    }

    @Test
    void aForegroundRunIsFollowedToItsCommit() {
        World.Outcome outcome = world.call(run, "ascent", "--model", "tiny", "--forget", "forget.jsonl", "--set", "steps=20",
                "--seed", "3", "--budget", "5m");
        assertEquals(0, outcome.status(), outcome.message());
        assertTrue(outcome.out().contains("committed tiny:2 (run 3fa9c1d2e4f5"), outcome.out());
        var spec = world.submitted.get(0);
        assertEquals("ascent", spec.component());
        assertEquals(Map.of("steps", "20"), spec.config());
        assertEquals("tiny:1", spec.model().orElseThrow().toString());
        assertEquals(dir.resolve("forget.jsonl").toString(), spec.data().get("forget").source());
        assertEquals(3, spec.seed());
        assertEquals(java.time.Duration.ofMinutes(5), spec.budget().orElseThrow());
    }

    @Test
    void aFailedOrCancelledRunGivesItsExitStatus() {
        world.outcome = RunState.FAILED;
        World.Outcome failed = world.call(run, "ascent", "-m", "tiny", "-f", "forget.jsonl");
        assertEquals(LetheException.FAILED, failed.status());
        assertEquals("unlearn:run: failed: diverged (run 3fa9c1d2e4f5, after 10.0 s; the base model is untouched)",
                failed.message());
        world.outcome = RunState.CANCELLED;
        assertEquals(LetheException.CANCELLED, world.call(run, "ascent", "-m", "tiny", "-f", "forget.jsonl").status());
        world.outcome = RunState.FAILED;
        world.failure = RunRecord.INVALID_INPUT + "ascent: the model does not know 'x'";
        World.Outcome refused = world.call(run, "ascent", "-m", "tiny", "-f", "forget.jsonl");
        assertEquals(LetheException.INVALID_INPUT, refused.status(), "a run that refused its input is invalid input");
        assertTrue(refused.message().contains("invalid input: ascent: the model does not know 'x'"), refused.message());
    }

    @Test
    void aDryRunPlansAndShowsTheRunButStartsNothing() {
        World.Outcome outcome = world.call(run, "ascent", "-m", "tiny", "-f", "forget.jsonl", "-s", "steps=20", "--dry-run");
        assertEquals(0, outcome.status(), outcome.message());
        assertEquals(List.of("plan"), world.calls);
        assertTrue(outcome.out().contains("settings  steps=20 (--set), learningRate=0.01 (default)"), outcome.out());
        assertTrue(outcome.out().contains("run key   " + org.lethe.shell.testing.Records.KEY.value()), outcome.out());
        assertTrue(outcome.out().endsWith("dry run: every check passed; nothing was started or changed\n"), outcome.out());
    }

    @Test
    void unknownNamesAreInvalidInputWithTheClosestSuggested() {
        assertEquals("unlearn:run: unknown unlearning method 'ascnt'; did you mean 'ascent'? (known: ascent;"
                + " see unlearn:methods)", refused(3, "ascnt", "-m", "tiny", "-f", "forget.jsonl").message());
        assertEquals("unlearn:run: 'esd' is an erasure method: use unlearn:erase",
                refused(3, "esd", "-m", "tiny", "-f", "forget.jsonl").message());
        assertEquals("unlearn:run: unknown model 'tny'; did you mean 'tiny'? (known: tiny; see unlearn:models)",
                refused(3, "ascent", "-m", "tny", "-f", "forget.jsonl").message());
        assertTrue(refused(3, "ascent", "-m", "tiny:4", "-f", "forget.jsonl").message()
                .contains("model tiny has no version 4 (versions: 1;"));
        assertTrue(refused(3, "ascent", "-m", "Tiny!", "-f", "forget.jsonl").message().contains("invalid model id"));
    }

    @Test
    void missingOrUnreadableFilesAreInvalidInput() throws IOException {
        assertTrue(refused(3, "ascent", "-m", "tiny", "-f", "nope.jsonl").message()
                .contains("--forget nope.jsonl: no such file"));
        assertTrue(refused(3, "ascent", "-m", "tiny", "-f", "folder").message().contains("--forget folder: is a folder"));
        assertTrue(refused(3, "ascent", "-m", "tiny", "-f", "forget.jsonl", "-r", "gone.jsonl").message()
                .contains("--retain gone.jsonl: no such file"));
        Path locked = Files.writeString(dir.resolve("locked.jsonl"), "{}\n");
        locked.toFile().setReadable(false, false);
        if (!Files.isReadable(locked)) { // not as root, which reads everything
            assertTrue(refused(3, "ascent", "-m", "tiny", "-f", "locked.jsonl").message().contains("cannot be read"));
        }
        assertFalse(world.calls.contains("plan"), "files are checked before the run is planned");
    }

    @Test
    void aForgetFileWithErrorsIsRefusedWithFileLineAndField() {
        World.Outcome outcome = refused(3, "ascent", "-m", "tiny", "-f", "broken.jsonl");
        assertEquals("unlearn:run: " + dir.resolve("broken.jsonl") + ":2: field 'answer' is missing", outcome.message());
    }

    @Test
    void settingsAreCheckedWithTheKeyAndItsType() {
        assertEquals("unlearn:run: --set unknown setting 'lr' for method 'ascent'; did you mean 'learningRate'?"
                + " (its settings: steps (Integer), learningRate (Float))",
                refused(3, "ascent", "-m", "tiny", "-f", "forget.jsonl", "--set", "lr=0.1").message());
        assertEquals("unlearn:run: setting 'steps' of test.ascent: 'many' is not an Integer",
                refused(3, "ascent", "-m", "tiny", "-f", "forget.jsonl", "--set", "steps=many").message());
        assertEquals("unlearn:run: --set 'steps': expected key=value (see unlearn:run --help)",
                refused(2, "ascent", "-m", "tiny", "-f", "forget.jsonl", "--set", "steps").message());
        assertEquals("unlearn:run: --set steps given twice (see unlearn:run --help)",
                refused(2, "ascent", "-m", "tiny", "-f", "forget.jsonl", "-s", "steps=1", "-s", "steps=2").message());
        assertTrue(refused(3, "ascent", "-m", "tiny", "-f", "forget.jsonl", "--seed", "x").message().contains("--seed 'x'"));
        assertTrue(refused(3, "ascent", "-m", "tiny", "-f", "forget.jsonl", "--budget", "soon").message()
                .contains("--budget 'soon' is not a positive duration"));
    }

    @Test
    void usageErrorsPointAtHelpAndHelpPrintsIt() {
        assertEquals("unlearn:run: unknown option --modle (did you mean --model?) (see unlearn:run --help)",
                refused(2, "ascent", "--modle", "tiny", "-f", "forget.jsonl").message());
        assertEquals("unlearn:run: missing --forget <file> (see unlearn:run --help)", refused(2, "ascent", "-m", "tiny").message());
        World.Outcome help = world.call(run, "-h");
        assertEquals(0, help.status());
        assertTrue(help.out().startsWith("unlearn:run - "), help.out());
    }
}
