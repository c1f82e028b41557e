package org.lethe.shell.base;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.lethe.api.LetheException;

class NamesTest {

    static final List<String> METHODS = List.of("ascent", "graddiff", "gradient-ascent");

    @Test
    void suggestsTheClosestNameForATypoAPrefixOrInitials() {
        assertEquals(Optional.of("ascent"), Names.closest("ascnt", METHODS));
        assertEquals(Optional.of("graddiff"), Names.closest("gradif", METHODS));
        assertEquals(Optional.of("gradient-ascent"), Names.closest("gradient", METHODS));
        assertEquals(Optional.of("learningRate"), Names.closest("lr", List.of("steps", "learningRate", "batchSize")));
        assertEquals(Optional.of("tiny"), Names.closest("tniy", List.of("tiny")), "a swap is one edit");
        assertEquals(Optional.empty(), Names.closest("flat", METHODS));
        assertEquals(Optional.empty(), Names.closest("x", List.of()));
    }

    @Test
    void theUnknownNameErrorIsInvalidInputWithSuggestionAndList() {
        LetheException e = Names.unknown("method", "ascnt", METHODS, "unlearn:methods");
        assertEquals(LetheException.INVALID_INPUT, e.exitStatus());
        assertEquals("unknown method 'ascnt'; did you mean 'ascent'? (known: ascent, graddiff, gradient-ascent;"
                + " see unlearn:methods)", e.getMessage());
        assertEquals("unknown model 'x' (none is installed; see unlearn:models)",
                Names.unknown("model", "x", List.of(), "unlearn:models").getMessage());
    }
}
