package org.lethe.itests.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The interactive shell in a real terminal (tmux): commands typed and their output read off the
 * screen, Tab completion of method, model, file, setting and preset names, the live progress line of a
 * foreground run, Ctrl-C cancelling that run while the container stays up, Ctrl-C while watching a
 * detached run, and exit. Skipped (not failed) where tmux is not installed: CI installs nothing by hand.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class TerminalIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String PROMPT = "lethe> ";

    @Test
    void aPersonAtTheTerminal() throws Exception {
        assumeTrue(Tmux.available(), "tmux is not installed: the terminal test is skipped");
        LetheHome home = LetheHome.create("terminal");
        Path fixture = LetheHome.ascentFixture();
        Files.copy(fixture, home.deploy().resolve(fixture.getFileName()));
        Files.writeString(home.home.resolve("etc/org.lethe.preset-quick.cfg"), "method=ascent\nsteps=3\n");
        Files.writeString(home.home.resolve("forget.jsonl"), TinyModel.FORGET);
        Path model = TinyModel.write(home.home.resolve("tiny-model"));

        Map<String, String> env = home.environment(new HashMap<>(Map.of("PATH", System.getenv().getOrDefault("PATH",
                "/usr/bin:/bin"), "HOME", home.home.toString())));
        try (Tmux terminal = Tmux.start(home.home, env, home.home.resolve("bin/lethe").toString())) {
            terminal.await("the prompt", WAIT, s -> s.contains(PROMPT));

            // a command typed, its output on the screen
            terminal.type("unlearn:import " + model + " --id tiny");
            terminal.press("Enter");
            terminal.await("imported tiny:1", WAIT);

            // completion: a method name, a model name, a setting key, a preset name
            terminal.type("unlearn:run asc");
            terminal.press("Tab");
            terminal.await("the method completed", WAIT, s -> s.contains(PROMPT + "unlearn:run ascent"));
            terminal.type("--model ");
            terminal.press("Tab");
            String models = terminal.await("the model candidates", WAIT, s -> s.contains("tiny:1") && s.contains("--model tiny"));
            assertTrue(models.contains("base version"), models);
            terminal.type(" -f forg");
            terminal.press("Tab");
            terminal.await("the file completed", WAIT, s -> s.contains("--model tiny -f forget.jsonl"));
            terminal.type(" --set ");
            terminal.press("Tab");
            String keys = terminal.await("the setting keys", WAIT, s -> s.contains("learningRate=") && s.contains("batchSize="));
            assertTrue(keys.contains("Integer, default 10"), keys);
            terminal.type("steps=1000000 -p ");
            terminal.press("Tab");
            terminal.await("the preset completed", WAIT, s -> s.contains("-p quick "));
            terminal.press("C-u");

            // a foreground run shows a live progress line; Ctrl-C cancels the run, not the container
            terminal.type("unlearn:run ascent --model tiny --forget forget.jsonl --set steps=1000000");
            terminal.press("Enter");
            String progress = terminal.await("the live progress line", WAIT,
                    s -> Pattern.compile("ascent  \\[[=> ]{20}\\]  \\d+/1000000 .* loss -?\\d.* elapsed \\d+:\\d\\d  eta \\d")
                            .matcher(s).find());
            assertFalse(progress.contains("run ") && progress.contains(" running  step "), "live, not plain lines: " + progress);
            terminal.press("C-c");
            String cancelled = terminal.await("the cancellation", WAIT,
                    s -> s.contains("unlearn:run: cancelled: cancelled from the shell (Ctrl-C)"));
            assertTrue(cancelled.contains("nothing was committed"), cancelled);
            assertFalse(cancelled.contains("InterruptedException"), cancelled);
            terminal.type("unlearn:runs");
            terminal.press("Enter");
            String runs = terminal.await("the cancelled run listed", WAIT,
                    s -> s.contains("cancelled  unlearn  ascent  tiny:1"));
            assertTrue(runs.contains("cancelled from the shell (Ctrl-C)"), runs);

            // a detached run: watched, Ctrl-C stops watching only, then unlearn:cancel cancels it
            terminal.type("unlearn:run ascent -m tiny -f forget.jsonl -s steps=1000001 --detach");
            terminal.press("Enter");
            terminal.await("queued; follow it with", WAIT);
            terminal.type("unlearn:watch last");
            terminal.press("Enter");
            terminal.await("the watched run's progress", WAIT, s -> s.contains("/1000001"));
            terminal.press("C-c");
            terminal.await("unlearn:watch: stopped watching run", WAIT);
            terminal.type("unlearn:cancel last");
            terminal.press("Enter");
            terminal.await("the detached run cancelled", WAIT, s -> s.contains("cancelled: cancelled from the shell (run "));

            // a completed run, for the record, then exit stops the container cleanly
            terminal.type("unlearn:run ascent -m tiny -f forget.jsonl -p quick");
            terminal.press("Enter");
            terminal.await("committed tiny:2", WAIT);
            terminal.type("exit");
            terminal.press("Enter");
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (terminal.alive() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertFalse(terminal.alive(), "exit stops the container");
        }
        assertEquals(0, LetheHome.read(home.data().resolve("log/lethe.log")).lines()
                .filter(l -> l.contains("Exception") && l.contains("org.lethe.shell")).count(), "no exception from the shell");
    }
}
