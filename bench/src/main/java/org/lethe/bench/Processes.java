package org.lethe.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/** Starts a process and times it: from just before the start to a given stdout line, and to its exit. */
final class Processes {

    /** How long one start may take before the benchmark gives up on it. */
    static final long TIMEOUT_SECONDS = 120;

    /** Environment variables that would change what is measured; removed for every child. */
    private static final List<String> UNSET = List.of("JAVA_OPTS", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS",
            "LETHE_DATA", "LETHE_DEPLOY", "LETHE_THREADS");

    /**
     * @param readyMillis from just before the process start to the ready line
     * @param exitMillis from closing its standard input (after the ready line) to its exit
     */
    record Timing(double readyMillis, double exitMillis) {
    }

    private Processes() {
    }

    /**
     * Starts {@code command}, writes {@code input} to its standard input at once, waits for a stdout
     * line matching {@code ready}, then closes standard input and waits for the exit (status 0).
     */
    static Timing time(List<String> command, Path workDir, String input, Predicate<String> ready, Path stderrLog)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectError(ProcessBuilder.Redirect.appendTo(stderrLog.toFile()));
        Map<String, String> env = builder.environment();
        UNSET.forEach(env::remove);

        CompletableFuture<Long> readyAt = new CompletableFuture<>();
        Deque<String> tail = new ArrayDeque<>();
        long start = System.nanoTime();
        Process process = builder.start();
        Thread reader = new Thread(() -> readLines(process, ready, readyAt, tail), "bench-stdout-" + process.pid());
        reader.setDaemon(true);
        reader.start();
        try (OutputStream stdin = process.getOutputStream()) {
            if (!input.isEmpty()) {
                stdin.write(input.getBytes(StandardCharsets.UTF_8));
                stdin.flush();
            }
            long readyNanos;
            try {
                readyNanos = readyAt.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException(command.get(0) + " gave no ready line within " + TIMEOUT_SECONDS
                        + " s; its last output:\n" + String.join("\n", snapshot(tail)) + "\n(stderr: " + stderrLog + ")");
            }
            stdin.close();
            long closed = System.nanoTime();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException(command.get(0) + " did not exit within " + TIMEOUT_SECONDS
                        + " s of the end of its input");
            }
            long exited = System.nanoTime();
            reader.join(5_000);
            if (process.exitValue() != 0) {
                throw new IllegalStateException(command.get(0) + " exited with status " + process.exitValue()
                        + "; its last output:\n" + String.join("\n", snapshot(tail)) + "\n(stderr: " + stderrLog + ")");
            }
            return new Timing((readyNanos - start) / 1e6, (exited - closed) / 1e6);
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Runs a short command and returns its standard output (empty when it cannot run). */
    static String output(Path workDir, String... command) {
        try {
            Process process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
            process.getOutputStream().close();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor(30, TimeUnit.SECONDS);
            return out.strip();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private static void readLines(Process process, Predicate<String> ready, CompletableFuture<Long> readyAt,
            Deque<String> tail) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                long now = System.nanoTime();
                if (!readyAt.isDone() && ready.test(line)) {
                    readyAt.complete(now);
                }
                synchronized (tail) {
                    tail.addLast(line);
                    if (tail.size() > 40) {
                        tail.removeFirst();
                    }
                }
            }
        } catch (IOException e) {
            // the process went away; the waiting side reports it
        }
        readyAt.completeExceptionally(new IllegalStateException("end of output"));
    }

    private static List<String> snapshot(Deque<String> tail) {
        synchronized (tail) {
            return List.copyOf(tail);
        }
    }
}
