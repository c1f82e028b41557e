package org.lethe.shell.base;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TableTest {

    @Test
    void columnsAlignAndCellsAreMadeSafe() {
        String table = Table.of("NAME", "STATE").row("ascent", "active").row("gradient-ascent", null)
                .row("evil\u001b[31m", "x").render();
        assertEquals(String.format("%-17s%s%n%-17s%s%n%s%n%-17s%s%n", "NAME", "STATE", "ascent", "active",
                "gradient-ascent", "evil\\u001b[31m", "x").replace(System.lineSeparator(), "\n"), table);
        assertThrows(IllegalArgumentException.class, () -> Table.of("A").row("1", "2"));
    }
}
