package org.lethe.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogFileTest {

    private static final String INFO = "2026-01-02T03:04:05.678+01:00 [main] [INFO] ai.djl.pytorch.engine.PtEngine - Number of inter-op threads is 1";
    private static final String DEBUG = "2026-01-02T03:04:05.678Z [pool-1 thread 2] [DEBUG] x.Y - detail";
    private static final String TRACE = "2026-01-02T03:04:05.678Z [t] [TRACE] x.Y - finer";
    private static final String WARN = "2026-01-02T03:04:05.678Z [main] [WARN] ai.djl.util.Platform - odd";
    private static final String ERROR = "2026-01-02T03:04:05.678Z [main] [ERROR] org.lethe.djl.internal.Activator - no natives";

    @TempDir
    Path dir;

    @Test
    void linesAreAppendedAndSurviveAReopen() throws Exception {
        Path file = dir.resolve("log/lethe.log");
        try (LogFile log = LogFile.open(file)) {
            log.accept("one");
            log.accept("two");
            // flushed line by line: readable while open
            assertEquals(List.of("one", "two"), Files.readAllLines(file));
        }
        try (LogFile log = LogFile.open(file)) {
            log.accept("three – ünïcode");
        }
        assertEquals(List.of("one", "two", "three – ünïcode"), Files.readAllLines(file, StandardCharsets.UTF_8));
    }

    @Test
    void aLargeFileIsRotatedOnceAtOpen() throws Exception {
        Path file = dir.resolve("lethe.log");
        Files.write(file, new byte[(16 << 20) + 1]);
        Files.writeString(dir.resolve("lethe.log.1"), "older");
        try (LogFile log = LogFile.open(file)) {
            log.accept("fresh");
        }
        assertEquals(List.of("fresh"), Files.readAllLines(file));
        assertEquals((16 << 20) + 1, Files.size(dir.resolve("lethe.log.1")), "the previous file is kept as .1");
    }

    @Test
    void aSmallFileIsNotRotated() throws Exception {
        Path file = dir.resolve("lethe.log");
        Files.writeString(file, "before\n");
        try (LogFile log = LogFile.open(file)) {
            log.accept("after");
        }
        assertEquals(List.of("before", "after"), Files.readAllLines(file));
        assertFalse(Files.exists(dir.resolve("lethe.log.1")));
    }

    @Test
    void theStderrTeeKeepsSlf4jLinesBelowWarnInTheFileOnly() throws Exception {
        Path file = dir.resolve("lethe.log");
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try (LogFile log = LogFile.open(file)) {
            PrintStream err = log.teeTo(new PrintStream(console, true, StandardCharsets.UTF_8));
            err.println(INFO);
            err.println(DEBUG);
            err.println(TRACE);
            err.println(WARN);
            err.println(ERROR);
            err.println("WARN bundle org.x did not start: boom");
            err.println("lethe: Command not found: nosuch:command");
        }
        assertEquals(List.of(INFO, DEBUG, TRACE, WARN, ERROR, "WARN bundle org.x did not start: boom",
                "lethe: Command not found: nosuch:command"), Files.readAllLines(file));
        assertEquals(List.of(WARN, ERROR, "WARN bundle org.x did not start: boom",
                "lethe: Command not found: nosuch:command"), lines(console));
    }

    @Test
    void aStackTraceFollowsTheFateOfTheLineThatStartedIt() throws Exception {
        Path file = dir.resolve("lethe.log");
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try (LogFile log = LogFile.open(file)) {
            PrintStream err = log.teeTo(new PrintStream(console, true, StandardCharsets.UTF_8));
            err.println(WARN);
            new IllegalStateException("loud", new RuntimeException("root")).printStackTrace(err);
            err.println(INFO);
            new IllegalStateException("quiet").printStackTrace(err);
            err.println("\tat a.B.c(B.java:1)");
        }
        List<String> shown = lines(console);
        List<String> written = Files.readAllLines(file);
        // everything is in the file
        assertTrue(written.contains(INFO));
        assertTrue(written.stream().anyMatch(l -> l.contains("IllegalStateException: quiet")));
        assertTrue(written.stream().anyMatch(l -> l.startsWith("Caused by: java.lang.RuntimeException: root")));
        // the console has the WARN line's trace, cause included, but not the INFO line's
        assertEquals(WARN, shown.get(0));
        assertTrue(shown.stream().anyMatch(l -> l.equals("java.lang.IllegalStateException: loud")), shown.toString());
        assertTrue(shown.stream().anyMatch(l -> l.startsWith("\tat org.lethe.runtime.LogFileTest")), shown.toString());
        assertTrue(shown.stream().anyMatch(l -> l.startsWith("Caused by: java.lang.RuntimeException: root")), shown.toString());
        assertFalse(shown.contains(INFO), shown.toString());
        assertFalse(shown.stream().anyMatch(l -> l.contains("quiet")), shown.toString());
        assertFalse(shown.contains("\tat a.B.c(B.java:1)"), shown.toString());
    }

    @Test
    void anSlf4jInfoLineWithAnExceptionKeepsItsWholeTraceInTheFile() throws Exception {
        // SLF4J Simple prints the log line, then Throwable.printStackTrace: the trace's first line
        // (class name and message) is not indented
        Path file = dir.resolve("lethe.log");
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try (LogFile log = LogFile.open(file)) {
            PrintStream err = log.teeTo(new PrintStream(console, true, StandardCharsets.UTF_8));
            err.println(INFO);
            new org.lethe.runtime.other.EngineException("quiet", new IllegalStateException()).printStackTrace(err);
            err.println(DEBUG);
            err.println("java.lang.IllegalStateException");
            err.println("\tat a.B.c(B.java:1)");
            err.println("lethe: Command not found: x");
            err.println("java.lang.Exception: printed after an ordinary line");
            err.println("\tat a.B.c(B.java:2)");
        }
        assertEquals(List.of("lethe: Command not found: x", "java.lang.Exception: printed after an ordinary line",
                "\tat a.B.c(B.java:2)"), lines(console));
        List<String> written = Files.readAllLines(file);
        assertTrue(written.contains("org.lethe.runtime.other.EngineException: quiet"), written.toString());
        assertTrue(written.contains("Caused by: java.lang.IllegalStateException"), written.toString());
        assertTrue(written.contains("java.lang.IllegalStateException"), written.toString());
    }

    @Test
    void linesWrittenInPiecesAndMultiByteCharactersArriveWhole() throws Exception {
        Path file = dir.resolve("lethe.log");
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try (LogFile log = LogFile.open(file)) {
            PrintStream err = log.teeTo(new PrintStream(console, true, StandardCharsets.UTF_8));
            err.print("héllo ");
            err.print("wörld");
            err.println();
            byte[] info = (INFO + "\n").getBytes(StandardCharsets.UTF_8);
            for (byte b : info) {
                err.write(b);
            }
            err.flush();
        }
        assertEquals(List.of("héllo wörld", INFO), Files.readAllLines(file, StandardCharsets.UTF_8));
        assertEquals(List.of("héllo wörld"), lines(console));
    }

    @Test
    void quietLinesAreExactlySlf4jSimpleLinesBelowWarn() {
        assertTrue(LogFile.quietOnConsole(INFO));
        assertTrue(LogFile.quietOnConsole(DEBUG));
        assertTrue(LogFile.quietOnConsole(TRACE));
        assertFalse(LogFile.quietOnConsole(WARN));
        assertFalse(LogFile.quietOnConsole(ERROR));
        assertFalse(LogFile.quietOnConsole("[INFO] not an SLF4J line"));
        assertFalse(LogFile.quietOnConsole("INFO plain"));
        assertFalse(LogFile.quietOnConsole("2026-01-02T03:04:05Z INFO  [org.lethe.container] an OSGi log line"));
    }

    private static List<String> lines(ByteArrayOutputStream out) {
        return out.toString(StandardCharsets.UTF_8).lines().toList();
    }
}
