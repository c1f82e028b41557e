package org.lethe.itests.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A Lethe home of its own under {@code lethe.test.work}: {@code bin}, {@code lib}, {@code bundle} and
 * {@code native} link to the built distribution, {@code etc} is a copy, {@code deploy} and {@code data}
 * are fresh. The distribution is never written to.
 */
final class LetheHome {

    /** Far above the ~2 s a one-shot command takes; nothing asserts on time. */
    static final Duration DEADLINE = Duration.ofMinutes(2);

    private static final AtomicInteger RUNS = new AtomicInteger();

    final Path home;

    private LetheHome(Path home) {
        this.home = home;
    }

    static Path dist() {
        Path dist = Path.of(required("lethe.dist")).toAbsolutePath().normalize();
        assertTrue(Files.isExecutable(dist.resolve("bin/lethe")), "no built distribution at " + dist
                + " (mvn -pl distribution -am package)");
        return dist;
    }

    static Path ascentFixture() {
        Path jar = Path.of(required("lethe.fixture.ascent")).toAbsolutePath().normalize();
        assertTrue(Files.isRegularFile(jar), "no ascent fixture at " + jar + " (build itests/fixtures/ascent-fixture)");
        return jar;
    }

    /** @return the committed shapes fixtures: exported versions {@code shapes-t2i/} and {@code shapes-clf/} */
    static Path shapesFixtures() {
        Path folder = Path.of(required("lethe.fixture.shapes")).toAbsolutePath().normalize();
        assertTrue(Files.isDirectory(folder.resolve("shapes-t2i")), "no shapes fixtures at " + folder);
        return folder;
    }

    static String required(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("system property " + property + " is not set (run through Maven failsafe)");
        }
        return value;
    }

    static LetheHome create(String name) throws IOException {
        Path dist = dist();
        Path work = Files.createDirectories(Path.of(required("lethe.test.work")).toAbsolutePath().normalize());
        Path home = Files.createTempDirectory(work, name + "-");
        for (String part : List.of("bin", "lib", "bundle", "native")) {
            Files.createSymbolicLink(home.resolve(part), dist.resolve(part));
        }
        Path etc = Files.createDirectories(home.resolve("etc"));
        try (Stream<Path> files = Files.list(dist.resolve("etc"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.copy(file, etc.resolve(file.getFileName()));
            }
        }
        Files.createDirectories(home.resolve("deploy"));
        Files.createDirectories(home.resolve("data"));
        return new LetheHome(home);
    }

    Path deploy() {
        return home.resolve("deploy");
    }

    Path data() {
        return home.resolve("data");
    }

    /** The environment of {@code bin/lethe}: this JVM as its Java, nothing inherited that changes it. */
    Map<String, String> environment(Map<String, String> base) {
        Map<String, String> env = new TreeMap<>(base);
        for (String inherited : List.of("LETHE_DATA", "LETHE_DEPLOY", "LETHE_THREADS", "JAVA_OPTS", "JAVA_TOOL_OPTIONS",
                "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS")) {
            env.remove(inherited);
        }
        env.put("JAVA_HOME", System.getProperty("java.home"));
        return env;
    }

    /** What one {@code bin/lethe} process did. */
    record Run(List<String> args, int status, String out, String err) {

        String describe() {
            return "bin/lethe " + String.join(" ", args) + " -> " + status + "\n--- stdout:\n" + out + "--- stderr:\n" + err;
        }

        Run assertStatus(int expected) {
            assertEquals(expected, status, describe());
            return this;
        }

        Run assertOut(String fragment) {
            assertTrue(out.contains(fragment), "stdout should contain '" + fragment + "': " + describe());
            return this;
        }

        Run assertErr(String fragment) {
            assertTrue(err.contains(fragment), "stderr should contain '" + fragment + "': " + describe());
            return this;
        }
    }

    /** Runs {@code bin/lethe args} in the home folder, with no standard input, to its end. */
    Run lethe(String... args) throws IOException, InterruptedException {
        int n = RUNS.incrementAndGet();
        Path out = home.resolve("run-" + n + ".out");
        Path err = home.resolve("run-" + n + ".err");
        List<String> command = new ArrayList<>();
        command.add(home.resolve("bin/lethe").toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(home.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        Map<String, String> env = environment(builder.environment());
        builder.environment().clear();
        builder.environment().putAll(env);
        Process process = builder.start();
        if (!process.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("bin/lethe " + String.join(" ", args) + " did not end within " + DEADLINE.toSeconds() + " s: "
                    + read(out) + read(err));
        }
        return new Run(List.of(args), process.exitValue(), read(out), read(err));
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The data folder as path to SHA-256 of content, without what the container itself keeps there while
     * it runs: its lock file, its Felix cache and its log (a fresh container writes them on every start).
     */
    Map<String, String> dataSnapshot() throws IOException {
        Map<String, String> files = new TreeMap<>();
        Path data = data();
        try (Stream<Path> walk = Files.walk(data)) {
            for (Path path : walk.sorted().toList()) {
                Path relative = data.relativize(path);
                String name = relative.toString();
                if (name.equals(".lock") || name.startsWith("cache") || name.startsWith("log")) {
                    continue;
                }
                files.put(name + (Files.isDirectory(path) ? "/" : ""), Files.isRegularFile(path) ? sha256(path) : "");
            }
        }
        return files;
    }

    private static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
