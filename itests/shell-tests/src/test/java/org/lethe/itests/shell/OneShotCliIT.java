package org.lethe.itests.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code bin/lethe unlearn:...} as a process: exit statuses, output on stdout, errors on stderr, and
 * that bad input changes nothing. One home for the class: the ascent fixture in {@code deploy/}, the
 * tiny test model imported once (through {@code unlearn:import}), a preset in {@code etc/}.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class OneShotCliIT {

    private static final Pattern RUN_LINE = Pattern.compile("(?m)^run ([0-9a-f]{32}): unlearn ascent on (tiny:\\d+), seed (\\d+)$");

    private static LetheHome home;

    @BeforeAll
    static void homeWithTheFixtureAndTheTinyModel() throws Exception {
        home = LetheHome.create("cli");
        Path fixture = LetheHome.ascentFixture();
        Files.copy(fixture, home.deploy().resolve(fixture.getFileName()));
        Files.writeString(home.home.resolve("etc/org.lethe.preset-quick.cfg"), "method=ascent\ndescription=three steps\nsteps=3\n");
        Files.writeString(home.home.resolve("etc/org.lethe.preset-other.cfg"), "method=gradient-ascent\nsteps=2\n");
        Files.writeString(home.home.resolve("forget.jsonl"), TinyModel.FORGET);
        Files.writeString(home.home.resolve("retain.jsonl"), TinyModel.RETAIN);
        Files.writeString(home.home.resolve("broken.jsonl"), "{\"question\": \"where was alice born ?\", \"answer\": \"paris\"}\n"
                + "{\"question\": \"where was bob born ?\"}\n");
        Path model = TinyModel.write(home.home.resolve("tiny-model"));
        home.lethe("unlearn:import", model.toString(), "--id", "tiny").assertStatus(0).assertOut("imported tiny:1");
        Files.writeString(home.home.resolve("empty.jsonl"), "");
        Files.writeString(home.home.resolve("red.jsonl"), "{\"name\":\"red\",\"attribute\":\"colour\"}\n");
        home.lethe("unlearn:import", LetheHome.shapesFixtures().resolve("shapes-t2i").toString(), "--id", "shapes-t2i")
                .assertStatus(0).assertOut("imported shapes-t2i:1");
    }

    /**
     * Issue 7's bad input for erasure, through the process: a concept the text-to-image model does not
     * know fails its run as invalid input (exit 3) naming the words the model knows, and no version is
     * made; the run is recorded (it ran), which is why this is not among the cases that change nothing.
     */
    @Test
    void anUnknownConceptExits3NamingTheKnownOnes() throws Exception {
        LetheHome.Run refused = home.lethe("unlearn:erase", "esd", "--model", "shapes-t2i", "--concept", "vermilion")
                .assertStatus(3).assertErr("invalid input: esd: the model does not know the concept 'vermilion'")
                .assertErr("red, crimson, scarlet, green");
        assertFalse(refused.err().contains("\tat "), "no stack trace: " + refused.describe());
        home.lethe("unlearn:model", "shapes-t2i").assertStatus(0).assertOut("shapes-t2i:1");
        LetheHome.Run versions = home.lethe("unlearn:models").assertStatus(0);
        assertFalse(versions.out().contains("shapes-t2i:2"), "no version was made: " + versions.describe());
    }

    @Test
    void listsShowTheFixtureMethodThePresetsAndTheWorlds() throws Exception {
        LetheHome.Run lists = home.lethe("unlearn:methods; unlearn:presets; unlearn:worlds").assertStatus(0)
                .assertOut("ascent ").assertOut("org.lethe.itests.fixture.ascent").assertOut("gradient-ascent").assertOut("active");
        assertTrue(lists.out().matches("(?s).*quick\\s+ascent\\s+steps=3\\s+ok.*"), lists.describe());
        assertTrue(lists.out().matches("(?s).*other\\s+gradient-ascent\\s+steps=2\\s+ok.*"), lists.describe());
        assertTrue(lists.out().contains("No world is installed") || lists.out().matches("(?s).*NAME\\s+BUNDLE\\s+VERSION\\s+MODELS.*"),
                lists.describe());
    }

    /** The exit status of the process, per kind of outcome; errors on standard error, without a stack trace. */
    @Test
    void theProcessExitsWithTheStatusOfTheOutcome() throws Exception {
        LetheHome.Run help = home.lethe("unlearn:run", "--help").assertStatus(0);
        assertTrue(help.out().startsWith("unlearn:run - "), help.describe());
        help.assertOut("Usage: unlearn:run <method> --model <ref> --forget <file> [options]").assertOut("Exit status:");

        LetheHome.Run option = home.lethe("unlearn:run", "ascent", "--model", "tiny", "--forgt", "forget.jsonl").assertStatus(2)
                .assertErr("unlearn:run: unknown option --forgt (did you mean --forget?) (see unlearn:run --help)");
        LetheHome.Run method = home.lethe("unlearn:run", "acsent", "--model", "tiny", "--forget", "forget.jsonl").assertStatus(3)
                .assertErr("unknown unlearning method 'acsent'; did you mean 'ascent'?");
        LetheHome.Run file = home.lethe("unlearn:run", "ascent", "--model", "tiny", "--forget", "broken.jsonl").assertStatus(3)
                .assertErr(home.home.resolve("broken.jsonl") + ":2:").assertErr("answer");
        for (LetheHome.Run error : List.of(option, method, file)) {
            assertFalse(error.out().contains("unlearn:run:"), "errors go to standard error: " + error.describe());
            assertFalse(error.err().contains("\tat "), "no stack trace: " + error.describe());
        }
    }

    /**
     * Every kind of bad input, in one container (each command's error caught in the command line, its exit
     * status read from it: the status the launcher exits with, as the test above shows per kind), and the
     * data folder unchanged after all of them.
     */
    @Test
    void badInputIsRefusedNamingWhatIsWrongAndChangesNothing() throws Exception {
        Map<String, String> before = home.dataSnapshot();
        Map<String, String[]> cases = new LinkedHashMap<>();
        cases.put("unlearn:model", new String[] {"2", "missing <ref>"});
        cases.put("unlearn:runs extra", new String[] {"2", "takes no arguments, but got 'extra'"});
        cases.put("unlearn:run ascent -m tiny -f forget.jsonl --detach", new String[] {"2", "--detach needs the interactive shell"});
        cases.put("unlearn:run ascent -m tiny -f forget.jsonl --set steps", new String[] {"2", "--set 'steps': expected key=value"});
        cases.put("unlearn:method gradient-acent", new String[] {"3", "did you mean 'gradient-ascent'?"});
        cases.put("unlearn:run ascent -m tiyn -f forget.jsonl", new String[] {"3", "unknown model 'tiyn'; did you mean 'tiny'?"});
        cases.put("unlearn:run ascent -m tiny:9 -f forget.jsonl", new String[] {"3", "model tiny has no version 9"});
        cases.put("unlearn:run ascent -m tiny -f forget.jsonl -p quik", new String[] {"3", "unknown preset 'quik'; did you mean 'quick'?"});
        cases.put("unlearn:run ascent -m tiny -f forget.jsonl -p other", new String[] {"3", "preset 'other' is for method 'gradient-ascent', not 'ascent'"});
        cases.put("unlearn:run ascent -m tiny -f missing.jsonl", new String[] {"3", "--forget missing.jsonl: no such file"});
        cases.put("unlearn:run ascent -m tiny -f forget.jsonl -r tiny-model", new String[] {"3", "--retain tiny-model: is a folder"});
        cases.put("unlearn:run ascent -m tiny -f forget.jsonl --set lr=0.1", new String[] {"3",
            "unknown setting 'lr' for method 'ascent'; did you mean 'learningRate'? (its settings: steps (Integer),"
                    + " learningRate (Float), batchSize (Integer))"});
        cases.put("unlearn:run ascent -m tiny -f forget.jsonl --set steps=2.5", new String[] {"3", "setting 'steps' of"
                + " org.lethe.itests.fixture.ascent: '2.5' is not an Integer"});
        cases.put("unlearn:run ascent -m tiny -f forget.jsonl --set steps=0", new String[] {"3", "setting 'steps'"});
        cases.put("unlearn:run ascent -m tiny -f forget.jsonl --budget soon", new String[] {"3", "--budget 'soon' is not a positive duration"});
        cases.put("unlearn:erase ascent -m tiny -c red", new String[] {"3", "'ascent' is an unlearning method: use unlearn:run"});
        cases.put("unlearn:erase esd -m shapes-t2i --concepts red.jsonl --keep-concepts empty.jsonl", new String[] {"3",
            "empty.jsonl: no items (the file is empty or has only blank lines)"});
        cases.put("unlearn:train nowhere", new String[] {"3", "unknown world 'nowhere'"});
        cases.put("unlearn:report ffff", new String[] {"3", "unknown run 'ffff'"});
        cases.put("unlearn:report last --format pdf", new String[] {"3", "--format 'pdf' is not one of md, json, csv, html"});
        cases.put("unlearn:import tiny-model --id tiny", new String[] {"3", "model 'tiny' exists already"});
        cases.put("unlearn:export tiny forget.jsonl", new String[] {"3", "forget.jsonl: exists already"});
        cases.put("unlearn:compare --methods nope", new String[] {"3", "unknown method 'nope'"});
        cases.put("unlearn:compare --seeds 0", new String[] {"3", "seeds must be at least 1, not 0"});
        cases.put("unlearn:compare --methods ascent --probes nosuch", new String[] {"3", "unknown probe 'nosuch'"});
        cases.put("unlearn:compare --set flat", new String[] {"3", "--set 'flat': write method.key=value"});
        cases.put("unlearn:eval -m tiny", new String[] {"3", "world 'facts' has not been trained here yet"});
        StringBuilder line = new StringBuilder();
        int n = 0;
        for (String command : cases.keySet()) {
            line.append("echo 'case ").append(n++).append("'; try { ").append(command)
                    .append(" } { echo 'status' ($exception exitStatus) ($exception message) }; ");
        }
        LetheHome.Run all = home.lethe(line.toString()).assertStatus(0);
        String[] parts = all.out().split("(?m)^case \\d+\\R");
        assertEquals(cases.size() + 1, parts.length, all.describe());
        n = 1;
        for (Map.Entry<String, String[]> c : cases.entrySet()) {
            String part = parts[n++];
            String command = c.getKey();
            String function = command.substring(0, command.indexOf(' ') < 0 ? command.length() : command.indexOf(' '));
            assertTrue(part.startsWith("status " + c.getValue()[0] + " " + function + ": "), command + " -> " + part);
            assertTrue(part.contains(c.getValue()[1]), command + " -> " + part);
        }
        assertEquals(before, home.dataSnapshot(), "bad input leaves the data folder as it was");
    }

    @Test
    void aDryRunRunsEveryCheckAndLeavesTheDataFolderByteIdentical() throws Exception {
        Map<String, String> before = home.dataSnapshot();
        assertTrue(before.keySet().stream().anyMatch(p -> p.startsWith("models/tiny/1/")), "the model is there: " + before);
        LetheHome.Run dry = home.lethe("unlearn:run", "ascent", "--model", "tiny", "--forget", "forget.jsonl", "--retain",
                "retain.jsonl", "--preset", "quick", "--set", "learningRate=0.05", "--dry-run").assertStatus(0)
                .assertOut("steps=3 (preset quick), learningRate=0.05 (--set), batchSize=2 (default)")
                .assertOut("model     tiny:1").assertOut("dry run: every check passed; nothing was started or changed");
        assertTrue(dry.out().matches("(?s).*run key   [0-9a-f]{32}.*"), dry.describe());
        assertEquals(before, home.dataSnapshot(), "a dry run leaves the data folder byte-identical");
    }

    @Test
    void aRunCommitsANewVersionThatTheModelAndTheReportShow() throws Exception {
        LetheHome.Run run = home.lethe("unlearn:run", "ascent", "--model", "tiny", "--forget", "forget.jsonl", "--set",
                "steps=8", "--seed", "5").assertStatus(0);
        Matcher line = RUN_LINE.matcher(run.out());
        assertTrue(line.find(), run.describe());
        String key = line.group(1);
        Matcher committed = Pattern.compile("(?m)^committed (tiny:\\d+) \\(run " + key.substring(0, 12) + ", 8 steps, loss ")
                .matcher(run.out());
        assertTrue(committed.find(), run.describe());
        assertTrue(Pattern.compile("(?m)^run " + key.substring(0, 12) + " (queued|running)").matcher(run.out()).find(),
                "plain progress lines: " + run.describe());
        assertFalse(run.out().contains("\r") || run.out().contains("\u001b"), "no terminal control off a terminal: " + run.describe());
        String result = committed.group(1);

        Path report = home.home.resolve("report-" + key.substring(0, 8) + ".json");
        home.lethe("unlearn:model " + result + "; unlearn:runs --state committed; unlearn:report " + key.substring(0, 8)
                + " --format json --out " + report).assertStatus(0)
                .assertOut("parent    tiny:1").assertOut("run       " + key).assertOut(key.substring(0, 12) + "  committed")
                .assertOut("wrote " + report);
        String json = Files.readString(report);
        assertTrue(json.contains("\"result\" : \"" + result + "\""), json);
        assertTrue(json.contains("\"seed\" : 5"), json);
        assertTrue(json.contains("\"steps\" : \"8\""), json);

        // the same spec again is the same run: nothing runs again
        home.lethe("unlearn:run", "ascent", "--model", "tiny", "--forget", "forget.jsonl", "--set", "steps=8", "--seed", "5")
                .assertStatus(0).assertOut("this run was already committed").assertOut("committed " + result);
    }

    @Test
    void aShellScriptDrivesTheCliByExitStatus() throws Exception {
        Path script = home.home.resolve("cli-script.sh");
        try (InputStream in = OneShotCliIT.class.getResourceAsStream("/cli-script.sh")) {
            Files.copy(in, script);
        }
        ProcessBuilder builder = new ProcessBuilder("sh", script.toString(), home.home.toString()).redirectErrorStream(true);
        Map<String, String> env = home.environment(builder.environment());
        builder.environment().clear();
        builder.environment().putAll(env);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(LetheHome.DEADLINE.toSeconds(), TimeUnit.SECONDS), output);
        assertEquals(0, process.exitValue(), output);
        assertTrue(output.matches("(?s).*OK tiny:\\d+\\s*"), output);
    }

    @Test
    void diagnosisNamesWhatInDeployDidNotComeUpAndWhy() throws Exception {
        LetheHome broken = LetheHome.create("diag");
        Jars.junk(broken.deploy().resolve("junk.jar"));
        Jars.missingImport(broken.deploy().resolve("needy.jar"));
        Jars.unsatisfiedMethod(broken.deploy().resolve("stuck.jar"));
        // dropped a while ago: the deploy-folder check does not judge files still young enough to be being copied
        try (var files = Files.list(broken.deploy())) {
            for (Path file : files.toList()) {
                Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(60)));
            }
        }
        LetheHome.Run diag = broken.lethe("unlearn:diag; echo '=== methods'; unlearn:methods").assertStatus(0);
        diag.assertOut("WARN     junk.jar: not a readable jar").assertOut("WARN     needy.jar: bundle org.example.needy 1.0.0 is"
                + " installed but not resolved").assertOut("WARN     stuck.jar");
        diag.assertOut("org.example.needy 1.0.0").assertOut("missing: Import-Package").assertOut("org.example.nowhere");
        diag.assertOut("org.example.Stuck").assertOut("reference 'helper' needs a org.example.Helper service");
        diag.assertOut("PyTorch engine").assertOut("device   cpu").assertOut("libtorch intra-op threads 1");
        assertTrue(diag.out().matches("(?s).*Data folder\\n  .*GiB free of .*"), diag.describe());
        LetheHome.Run methods = new LetheHome.Run(diag.args(), diag.status(), diag.out().substring(diag.out().indexOf("=== methods")),
                diag.err());
        assertTrue(methods.out().matches("(?s).*stuck\\s+unlearning\\s+language\\s+org.example.stuck\\s+1.0.0\\s+unsatisfied.*"),
                methods.describe());
        methods.assertOut("Not up:").assertOut("org.example.Helper");
    }

    /** Every command of the issue's list is there and answers {@code --help} (one container, one command line). */
    @Test
    void everyCommandAnswersItsHelp() throws Exception {
        List<String> commands = List.of("methods", "method", "models", "model", "import", "export", "worlds", "train", "run",
                "erase", "runs", "watch", "cancel", "report", "presets", "diag", "eval", "compare");
        StringBuilder line = new StringBuilder();
        commands.forEach(c -> line.append("unlearn:").append(c).append(" --help; "));
        LetheHome.Run all = home.lethe(line.toString()).assertStatus(0);
        for (String command : commands) {
            assertTrue(all.out().contains("Usage: unlearn:" + command + " "), command + ": " + all.describe());
        }
    }
}
