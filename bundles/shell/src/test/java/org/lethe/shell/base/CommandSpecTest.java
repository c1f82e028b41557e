package org.lethe.shell.base;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CommandSpecTest {

    @Test
    void helpShowsUsageArgumentsOptionsExamplesAndExitStatuses() {
        String help = ArgumentParserTest.SPEC.help();
        assertTrue(help.startsWith("unlearn:run - Run a method\n\nUsage: unlearn:run <method> --model <ref> [options]\n"), help);
        assertTrue(help.contains("\nArguments:\n  <method>"), help);
        assertTrue(help.contains("  -m, --model <ref>"), help);
        assertTrue(help.contains("      --seed <n>"), help);
        assertTrue(help.contains("The model. Required."), help);
        assertTrue(help.contains("A setting. May be repeated."), help);
        assertTrue(help.contains("One of: md, json."), help);
        assertTrue(help.contains("  -h, --help"), help);
        assertTrue(help.contains("Exit status: 0 success"), help);
        for (String line : help.split("\n")) {
            assertTrue(line.length() <= 80, "help lines fit 80 columns: " + line);
        }
    }

    @Test
    void everyCommandHasHelpAndAnOptionCannotBeDeclaredTwice() {
        CommandSpec spec = CommandSpec.command("unlearn", "x", "X").build();
        assertEquals(CommandSpec.HELP, spec.option("-h").orElseThrow());
        assertEquals("unlearn:x [options]", spec.usage());
        assertThrows(IllegalArgumentException.class, () -> CommandSpec.command("unlearn", "x", "X")
                .option(Option.flag('h', "hold", "Hold.")).build());
        assertThrows(IllegalArgumentException.class, () -> CommandSpec.command("unlearn", "x", "X")
                .operand(Operand.optional("a", "A.", Completion.NONE)).operand(Operand.required("b", "B.", Completion.NONE)).build());
    }
}
