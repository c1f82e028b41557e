package org.lethe.shell.base;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.lethe.api.LetheException;

class TextTest {

    @Test
    void durationsInShortAndIsoForms() {
        assertEquals(Duration.ofSeconds(90), Text.duration("90s", "--budget"));
        assertEquals(Duration.ofMinutes(5), Text.duration("5m", "--budget"));
        assertEquals(Duration.ofMinutes(90), Text.duration("1h30m", "--budget"));
        assertEquals(Duration.ofMillis(250), Text.duration("250ms", "--budget"));
        assertEquals(Duration.ofMinutes(5), Text.duration("PT5M", "--budget"));
        for (String bad : List.of("", "5", "5x", "0s", "-5s", "s5", "5m3", "PTxM")) {
            LetheException e = assertThrows(LetheException.class, () -> Text.duration(bad, "--budget"), bad);
            assertEquals(LetheException.INVALID_INPUT, e.exitStatus());
            assertEquals(true, e.getMessage().startsWith("--budget '" + bad + "' is not a positive duration"), e.getMessage());
        }
    }

    @Test
    void clocksAndHumanDurations() {
        assertEquals("0:07", Text.clock(Duration.ofSeconds(7)));
        assertEquals("12:30", Text.clock(Duration.ofSeconds(750)));
        assertEquals("1:02:03", Text.clock(Duration.ofSeconds(3723)));
        assertEquals("850 ms", Text.human(Duration.ofMillis(850)));
        assertEquals("12.3 s", Text.human(Duration.ofMillis(12_345)));
        assertEquals("4 min 05 s", Text.human(Duration.ofSeconds(245)));
        assertEquals("1 h 02 min", Text.human(Duration.ofMinutes(62)));
    }

    @Test
    void printableEscapesControlCharactersSoNothingRewritesTheTerminal() {
        assertEquals("a\\u001b[2Jb\\u000a", Text.printable("a\u001b[2Jb\n"));
        assertEquals("", Text.printable(null));
        assertEquals("héllo ✓", Text.printable("héllo ✓"));
    }

    @Test
    void wrapFitAndLoss() {
        assertEquals(List.of("one two", "  three"), Text.wrap("one two three", 8, "  "));
        assertEquals(List.of(""), Text.wrap("", 10, ""));
        assertEquals("abcd...", Text.fit("abcdefghij", 7));
        assertEquals("abc", Text.fit("abc", 7));
        assertEquals("1.2346", Text.loss(1.23456));
        assertEquals("-", Text.loss(Double.NaN));
        assertEquals("1.235e-05", Text.loss(1.2345e-5));
    }
}
