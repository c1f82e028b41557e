package org.lethe.core.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.function.Executable;
import org.lethe.api.LetheException;

/** Test helpers: write a file, expect an invalid-input error. */
final class Files2 {

    private Files2() {
    }

    /**
     * @param dir the folder
     * @param name the file name
     * @param lines the lines, joined with {@code \n} and ended with one
     * @return the file
     */
    static Path lines(Path dir, String name, String... lines) {
        return bytes(dir, name, (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * @param dir the folder
     * @param name the file name
     * @param bytes the content
     * @return the file
     */
    static Path bytes(Path dir, String name, byte[] bytes) {
        try {
            return Files.write(dir.resolve(name), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @param call what should fail
     * @return the error's message, after checking it is invalid input (exit status 3)
     */
    static String invalid(Executable call) {
        LetheException e = assertThrows(LetheException.class, call);
        assertEquals(LetheException.INVALID_INPUT, e.exitStatus(), e.getMessage());
        return e.getMessage();
    }
}
