package org.lethe.shell.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lethe.shell.base.Completion;
import org.lethe.shell.completion.Completer;

/** {@code unlearn:eval --intervention on|off}: the switch goes into the evaluation run's settings. */
class EvalCommandTest {

    @TempDir
    Path dir;

    /** A fresh container (no run yet) whose model a shapes world trained. */
    private World world(String name) throws IOException {
        World world = new World(Files.createDirectories(dir.resolve(name)));
        world.trainedBy = "shapes";
        // the runs end committed: no results are kept for them here
        world.services.withEvaluation(run -> Optional.empty(), world.services.comparisons());
        return world;
    }

    /** The settings of the evaluation run that {@code unlearn:eval -m tiny --split red <options>} submits. */
    private Map<String, String> settings(String name, String... options) throws IOException {
        World world = world(name);
        String[] args = new String[options.length + 4];
        args[0] = "-m";
        args[1] = "tiny";
        args[2] = "--split";
        args[3] = "red";
        System.arraycopy(options, 0, args, 4, options.length);
        World.Outcome outcome = world.call(new EvalCommand(world.services), args);
        assertEquals(0, outcome.status(), outcome.message());
        assertEquals(1, world.submitted.size());
        return world.submitted.get(0).config();
    }

    @Test
    void theInterventionSwitchIsAnEvaluationSetting() throws IOException {
        assertEquals(Map.of("intervention", "off"), settings("off", "--intervention", "off"));
        assertEquals(Map.of(), settings("on", "-i", "on"), "on is the default: the same run as without it");
        assertEquals(Map.of(), settings("default"));

        World world = world("bad");
        World.Outcome bad = world.call(new EvalCommand(world.services), "-m", "tiny", "--split", "red", "--intervention",
                "maybe");
        assertEquals(3, bad.status(), "a value outside the choice is invalid input");
        assertTrue(bad.message().contains("--intervention 'maybe' is not one of on, off"), bad.message());
        assertTrue(world.submitted.isEmpty(), "nothing submitted");
    }

    @Test
    void helpAndCompletionOfferTheSwitch() {
        String help = EvalCommand.SPEC.help();
        assertTrue(help.contains("-i, --intervention <on|off>"), help);
        assertTrue(help.contains("--intervention off"), help);
        Completer.Target target = Completer.target(EvalCommand.SPEC, List.of("unlearn:eval", "--intervention", ""), 2);
        assertEquals(Completion.CHOICE, target.kind());
        assertEquals(List.of("on", "off"), target.choices());
    }
}
