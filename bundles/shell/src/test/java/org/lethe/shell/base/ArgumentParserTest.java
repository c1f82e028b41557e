package org.lethe.shell.base;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.lethe.api.LetheException;

class ArgumentParserTest {

    static final CommandSpec SPEC = CommandSpec.command("unlearn", "run", "Run a method")
            .operand(Operand.required("method", "The method.", Completion.METHOD))
            .option(Option.value('m', "model", "ref", "The model.", Completion.MODEL).mandatory())
            .option(Option.value('s', "set", "key=value", "A setting.", Completion.SETTING).many())
            .option(Option.value((char) 0, "seed", "n", "The seed.", Completion.NONE))
            .option(Option.flag('q', "quiet", "Quiet."))
            .option(Option.flag('n', "dry-run", "Dry run."))
            .option(Option.choice('f', "format", "format", "The format.", List.of("md", "json")))
            .build();

    private static Arguments parse(String... args) {
        return ArgumentParser.parse(SPEC, List.of(args));
    }

    private static LetheException refused(int status, String... args) {
        LetheException e = assertThrows(LetheException.class, () -> parse(args));
        assertEquals(status, e.exitStatus(), e.getMessage());
        return e;
    }

    @Test
    void shortAndLongOptionsWithSeparateOrAttachedValues() {
        for (List<String> line : List.of(
                List.of("ascent", "--model", "tiny"),
                List.of("ascent", "--model=tiny"),
                List.of("ascent", "-m", "tiny"),
                List.of("ascent", "-mtiny"),
                List.of("--model", "tiny", "ascent"))) {
            Arguments a = ArgumentParser.parse(SPEC, line);
            assertEquals(List.of("ascent"), a.operands(), line.toString());
            assertEquals(Optional.of("tiny"), a.value("model"), line.toString());
        }
    }

    @Test
    void repeatableOptionsKeepEveryValueInOrder() {
        Arguments a = parse("ascent", "-m", "tiny", "--set", "steps=5", "-s", "learningRate=0.1", "--set=batchSize=2");
        assertEquals(List.of("steps=5", "learningRate=0.1", "batchSize=2"), a.values("set"));
    }

    @Test
    void clusteredFlagsAndAValueThatStartsWithADash() {
        Arguments a = parse("ascent", "-qn", "-m", "tiny", "--seed", "-1");
        assertTrue(a.flag("quiet"));
        assertTrue(a.flag("dry-run"));
        assertEquals(Optional.of("-1"), a.value("seed"));
        Arguments b = parse("ascent", "-m", "tiny", "-q", "-q");
        assertTrue(b.flag("quiet"), "a flag said twice is still the flag");
    }

    @Test
    void doubleDashEndsTheOptions() {
        Arguments a = ArgumentParser.parse(CommandSpec.command("unlearn", "x", "x")
                .operand(new Operand("names", false, true, "Names.", Completion.NONE)).build(), List.of("--", "-q", "--help"));
        assertEquals(List.of("-q", "--help"), a.operands());
        assertFalse(a.help());
    }

    @Test
    void helpWinsOverEveryOtherProblem() {
        assertTrue(parse("--bogus", "-h").help());
        assertTrue(parse("--help").help());
    }

    @Test
    void anUnknownOptionIsAUsageErrorThatSuggestsTheClosest() {
        LetheException e = refused(LetheException.USAGE, "ascent", "-m", "tiny", "--modle", "x");
        assertEquals("unknown option --modle (did you mean --model?)", e.getMessage());
        assertEquals("unknown option -x", refused(LetheException.USAGE, "ascent", "-m", "tiny", "-x").getMessage());
        assertTrue(refused(LetheException.USAGE, "ascent", "-m", "tiny", "--dryrun").getMessage().contains("--dry-run"));
    }

    @Test
    void missingValuesOperandsAndRequiredOptionsAreUsageErrors() {
        assertEquals("--model needs a value: --model <ref>", refused(LetheException.USAGE, "ascent", "--model").getMessage());
        assertEquals("-m needs a value: --model <ref>", refused(LetheException.USAGE, "ascent", "-m").getMessage());
        assertEquals("missing --model <ref>", refused(LetheException.USAGE, "ascent").getMessage());
        assertTrue(refused(LetheException.USAGE, "-m", "tiny").getMessage().startsWith("missing <method>"));
        assertTrue(refused(LetheException.USAGE, "a", "b", "-m", "tiny").getMessage().startsWith("unexpected argument 'b'"));
        assertEquals("--quiet takes no value", refused(LetheException.USAGE, "a", "-m", "t", "--quiet=yes").getMessage());
        assertEquals("--model given twice", refused(LetheException.USAGE, "a", "-m", "t", "--model", "u").getMessage());
    }

    @Test
    void aValueOutsideAChoiceIsInvalidInput() {
        LetheException e = refused(LetheException.INVALID_INPUT, "a", "-m", "t", "--format", "jsn");
        assertEquals("--format 'jsn' is not one of md, json (did you mean json?)", e.getMessage());
        assertEquals(Optional.of("json"), parse("a", "-m", "t", "-f", "json").value("format"));
    }

    @Test
    void controlCharactersInAnUnknownOptionAreShownEscaped() {
        LetheException e = refused(LetheException.USAGE, "a", "-m", "t", "--\u001b[2J");
        assertFalse(e.getMessage().contains("\u001b"), e.getMessage());
        assertTrue(e.getMessage().contains("\\u001b"), e.getMessage());
    }

    @Test
    void askingForAnUndeclaredOptionIsAProgrammingError() {
        Arguments a = parse("a", "-m", "t");
        assertThrows(IllegalArgumentException.class, () -> a.value("nope"));
    }
}
