package org.lethe.bench;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cold starts, each in a fresh process, interleaved round by round so that the machine's load
 * falls on all three alike:
 * <ul>
 * <li>the bare JVM: a trivial class, start to its first line;</li>
 * <li>Felix with no bundles: start to "framework active";</li>
 * <li>{@code bin/lethe} (interactive, standard input a pipe) with {@code echo LETHE-READY} written at
 * once: start to that line (the shell bundle starts last, so the shell then accepts commands);
 * then standard input is closed (Gogo stops the framework at its end) and the exit is timed.</li>
 * </ul>
 * Each Lethe start logs "PyTorch engine ... ready in N ms"; N is collected from the log file.
 */
final class ColdStart {

    static final String READY_WORD = "LETHE-READY";

    private static final Pattern ENGINE_READY = Pattern.compile("PyTorch engine \\S+ ready in (\\d+) ms");

    final Stats jvm = new Stats("JVM baseline: trivial class, start → first line");
    final Stats felix;
    final Stats lethe = new Stats("`bin/lethe`: start → shell answers `echo LETHE-READY`");
    final Stats letheExit = new Stats("`bin/lethe`: end of stdin → process exit");
    final Stats engine = new Stats("Engine init: \"PyTorch engine 2.7.1 ready in N ms\" (lethe.log)");

    private final ScratchHome home;
    private final Path work;
    private final List<String> java;
    private final String ownClasspath;
    private final Path felixJar;
    private final PrintStream progress;

    ColdStart(ScratchHome home, Path work, List<String> java, String ownClasspath, Path felixJar, String felixVersion,
            PrintStream progress) {
        this.felix = new Stats("Felix " + felixVersion + " baseline, no bundles: start → framework active");
        this.home = home;
        this.work = work;
        this.java = java;
        this.ownClasspath = ownClasspath;
        this.felixJar = felixJar;
        this.progress = progress;
    }

    void run(int reps, int warmup) throws IOException, InterruptedException {
        Files.createDirectories(work.resolve("logs"));
        for (int round = -warmup; round < reps; round++) {
            boolean measured = round >= 0;
            // rotate the order, so that no kind always follows the same one
            int shift = Math.floorMod(round, 3);
            double[] times = new double[3];
            for (int k = 0; k < 3; k++) {
                int kind = (k + shift) % 3;
                switch (kind) {
                    case 0 -> times[0] = startJvm();
                    case 1 -> times[1] = startFelix();
                    default -> times[2] = startLethe(measured);
                }
            }
            if (measured) {
                jvm.add(times[0]);
                felix.add(times[1]);
                lethe.add(times[2]);
            }
            progress.printf("cold start %s %d/%d: jvm %.0f ms, felix %.0f ms, lethe %.0f ms%n",
                    measured ? "round" : "warm-up", measured ? round + 1 : round + warmup + 1, measured ? reps : warmup,
                    times[0], times[1], times[2]);
        }
    }

    private double startJvm() throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(java);
        command.addAll(List.of("-cp", ownClasspath, Noop.class.getName()));
        return Processes.time(command, work, "", "READY"::equals, work.resolve("logs/jvm.stderr.log")).readyMillis();
    }

    private double startFelix() throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(java);
        command.addAll(List.of("-cp", felixJar + File.pathSeparator + ownClasspath, BareFelix.class.getName(),
                work.resolve("felix-bare-cache").toString()));
        return Processes.time(command, work, "", "READY"::equals, work.resolve("logs/felix.stderr.log")).readyMillis();
    }

    private double startLethe(boolean measured) throws IOException, InterruptedException {
        Path log = home.data().resolve("log").resolve("lethe.log");
        long offset = Files.exists(log) ? Files.size(log) : 0;
        Processes.Timing timing = Processes.time(List.of(home.root().resolve("bin/lethe").toString()), work,
                "echo " + READY_WORD + "\n",
                // the prompt may precede the answer on its line; the typed command itself is not echoed
                line -> line.strip().endsWith(READY_WORD) && !line.contains("echo"),
                work.resolve("logs/lethe.stderr.log"));
        List<Integer> engineMillis = engineReady(log, offset);
        if (engineMillis.size() != 1) {
            throw new IllegalStateException("expected one engine-ready line in " + log + " for this start, found "
                    + engineMillis.size());
        }
        if (measured) {
            letheExit.add(timing.exitMillis());
            engine.add(engineMillis.get(0));
        }
        return timing.readyMillis();
    }

    /** The N of every "ready in N ms" line written to the log after {@code offset}. */
    private static List<Integer> engineReady(Path log, long offset) throws IOException {
        List<Integer> found = new ArrayList<>();
        if (!Files.exists(log)) {
            return found;
        }
        String text;
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            long from = file.length() >= offset ? offset : 0; // rotated: the new file is all this start's
            byte[] bytes = new byte[(int) (file.length() - from)];
            file.seek(from);
            file.readFully(bytes);
            text = new String(bytes, StandardCharsets.UTF_8);
        }
        Matcher m = ENGINE_READY.matcher(text);
        while (m.find()) {
            found.add(Integer.parseInt(m.group(1)));
        }
        return found;
    }
}
