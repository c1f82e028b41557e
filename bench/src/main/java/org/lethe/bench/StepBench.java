package org.lethe.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * What the Lethe-against-PyTorch step benchmarks ({@link DiffusionSteps}, {@link VlmSteps}) share: the
 * Lethe side's JSON lines and its loop of timed calls, and the driver's rounds of child processes in a
 * rotating order, its report header and its table rows. The protocol: each child prints one JSON line
 * per workload ({@code {"side", "workload", "warmup", "steps": [{"cpu": {phase: ns}, "wall": {...}}]}}),
 * a Python child first a {@code {"check": ...}} line, and every child a closing {@code {"done": true}}
 * line.
 */
final class StepBench {

    private StepBench() {
    }

    /** A mode of a step benchmark's entry point. */
    @FunctionalInterface
    interface Mode {
        void run(Path root, Path work, Map<String, String> options) throws Exception;
    }

    /**
     * A step benchmark's entry point: reads the {@code --key value} options (prints {@code usage} for
     * {@code -h}), resolves {@code --root} (the working folder) and {@code --work} (default
     * {@code bench/target/bench-work/<tag>}), and runs {@code --mode bench} (the default), {@code export} or
     * {@code lethe}.
     */
    static void main(String[] args, String usage, String tag, Mode bench, Mode export, Mode lethe) throws Exception {
        Map<String, String> o = MethodsBench.options(args, usage);
        if (o == null) {
            return;
        }
        Path root = Path.of(o.getOrDefault("root", ".")).toAbsolutePath().normalize();
        Path work = Path.of(o.getOrDefault("work", root.resolve("bench/target/bench-work/" + tag).toString()));
        Mode mode = switch (o.getOrDefault("mode", "bench")) {
            case "bench" -> bench;
            case "export" -> export;
            case "lethe" -> lethe;
            default -> throw new IllegalArgumentException("--mode bench|export|lethe, not " + o.get("mode"));
        };
        mode.run(root, work, o);
    }

    // ---------------------------------------------------------------- the Lethe side

    /**
     * The Lethe side's step options.
     *
     * @param warmup {@code --warmup}, default 10
     * @param measured {@code --steps}, default 30
     * @param warmupSeconds {@code --warmup-seconds}, default 2
     * @param only {@code --only a,b}, default every workload
     */
    record Counts(int warmup, int measured, double warmupSeconds, List<String> only) {

        static Counts of(Map<String, String> o, List<String> workloads) {
            return new Counts(Integer.parseInt(o.getOrDefault("warmup", "10")), Integer.parseInt(o.getOrDefault("steps", "30")),
                    Double.parseDouble(o.getOrDefault("warmup-seconds", "2")),
                    o.containsKey("only") ? List.of(o.get("only").split(",")) : workloads);
        }
    }

    /** Steps of the core's optimisation loop, timed per phase. */
    @FunctionalInterface
    interface Loop {
        void run(StepTimer timer, int steps);
    }

    /**
     * Warm-up calls of the loop, {@code warmup} steps each, until both the steps and the seconds are
     * reached, then one measured call of {@code measured} steps.
     *
     * @return the measured call's timer
     */
    static StepTimer optimised(int warmup, int measured, double warmupSeconds, Loop loop) {
        StepTimer ignored = new StepTimer();
        long start = System.nanoTime();
        int done = 0;
        while (done < warmup || (System.nanoTime() - start) / 1e9 < warmupSeconds) {
            loop.run(ignored, warmup);
            done += warmup;
        }
        StepTimer timer = new StepTimer();
        loop.run(timer, measured);
        return timer;
    }

    /** An array as the check file holds it: shape and values. */
    static Map<String, Object> host(NDArray array) {
        return Map.of("shape", array.getShape().getShape(), "values", array.toFloatArray());
    }

    /**
     * Times {@code call} as one step in the phase {@code forward}: at least {@code warmup} calls and
     * {@code warmupSeconds}, then {@code measured} counted calls.
     *
     * @return the timer; its last {@code measured} steps are the counted ones
     */
    static StepTimer repeat(int warmup, int measured, double warmupSeconds, Runnable call) {
        StepTimer timer = new StepTimer();
        long start = System.nanoTime();
        int counted = 0;
        for (int i = 0; counted < measured; i++) {
            if (i >= warmup && (System.nanoTime() - start) / 1e9 >= warmupSeconds) {
                counted++;
            }
            timer.startStep("forward");
            call.run();
            timer.endStep();
        }
        return timer;
    }

    /** Prints a workload's JSON line: its last {@code measured} steps. */
    static void workloadLine(PrintStream out, String workload, int warmup, StepTimer timer, int measured)
            throws IOException {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("side", "lethe");
        line.put("workload", workload);
        line.put("warmup", warmup);
        line.put("steps", timer.rows(timer.count() - measured));
        out.println(new ObjectMapper().writeValueAsString(line));
        out.flush();
    }

    /** Prints the closing JSON line: the engine, seconds since {@code begin} (nanoTime), peak RSS, thread CPU. */
    static void doneLine(PrintStream out, long begin) throws IOException {
        Map<String, Object> done = new LinkedHashMap<>();
        done.put("side", "lethe");
        done.put("done", true);
        done.put("engine", Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion());
        done.put("seconds", (System.nanoTime() - begin) / 1e9);
        done.put("peakRssKiB", MethodSteps.peakRssKiB());
        done.put("threadCpuSeconds", ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() / 1e9);
        out.println(new ObjectMapper().writeValueAsString(done));
    }

    // ---------------------------------------------------------------- the driver

    /**
     * What the rounds collected.
     *
     * @param rows side → workload → round → step rows
     * @param checks side → its first process's check line
     * @param versions side → its engine and threads
     * @param rounds how many rounds ran
     */
    record Rounds(Map<String, Map<String, List<List<JsonNode>>>> rows, Map<String, JsonNode> checks,
            Map<String, String> versions, int rounds) {

        /** One table row: CPU p50, p95, min, max, wall p50, the speed ratio against {@code pytorch} and the paired one. */
        String row(String label, String side, String workload) {
            Stats pt = MethodsBench.total(rows, "pytorch", workload, "cpu", -1);
            Stats cpu = MethodsBench.total(rows, side, workload, "cpu", -1);
            Stats wall = MethodsBench.total(rows, side, workload, "wall", -1);
            boolean baseline = side.equals("pytorch");
            String ratio = baseline ? "baseline" : pt.count() == 0 ? "–" : Stats.ratio(pt.p50() / cpu.p50());
            String paired = baseline || pt.count() == 0 ? "" : Stats.ratio(MethodsBench.paired(rows, side, workload, rounds));
            return String.format(Locale.ROOT, "| %s | %s | %d | %s | %s | %s | %s | %s | %s | %s |%n", label, side,
                    cpu.count(), MethodsBench.f2(cpu.p50()), MethodsBench.f2(cpu.p95()), MethodsBench.f2(cpu.min()),
                    MethodsBench.f2(cpu.max()), MethodsBench.f2(wall.p50()), ratio, paired);
        }

        /** One row of the phase table: the p50 of each phase's thread CPU ms ("–" for none), then of the total. */
        String phaseRow(String side, String workload) {
            StringBuilder row = new StringBuilder("| ").append(workload).append(" | ").append(side).append(" | ");
            for (String phase : StepTimer.PHASES) {
                Stats s = MethodsBench.phase(rows, side, workload, phase);
                row.append(s.count() == 0 ? "–" : MethodsBench.f2(s.p50())).append(" | ");
            }
            return row.append(MethodsBench.f2(MethodsBench.total(rows, side, workload, "cpu", -1).p50())).append(" |\n")
                    .toString();
        }

        /** @return whether the side timed the workload */
        boolean has(String side, String workload) {
            return MethodsBench.total(rows, side, workload, "cpu", -1).count() > 0;
        }
    }

    /**
     * A driver's set-up, made by {@link #setup}: its options, the wait for a quiet machine, the load
     * before, and the export's check file.
     *
     * @param model the check file's {@code model} object
     */
    record Setup(Path root, Path work, String[] args, Class<?> main, String tag, int rounds, String python,
            List<String> sides, Path out, String quiet, List<String> stepArgs, Instant started, String loadBefore,
            Path check, JsonNode model) {

        /** A Lethe child: {@code prefix} (an environment), this JVM's java and class path, mode lethe, the step options. */
        List<String> lethe(List<String> prefix) {
            List<String> command = new ArrayList<>(prefix);
            command.addAll(MethodsBench.java(main));
            command.addAll(List.of("--mode", "lethe", "--work", work.toString()));
            command.addAll(stepArgs);
            return command;
        }

        /** A Python child: {@code bench/python/<script>} on the check file, {@code extra}, the step options. */
        List<String> python(String script, List<String> extra) {
            List<String> command = new ArrayList<>(List.of(python, root.resolve("bench/python/" + script).toString(),
                    check.toString()));
            command.addAll(extra);
            command.addAll(stepArgs);
            return command;
        }

        /** Runs the rounds ({@link StepBench#rounds}). */
        Rounds run(Function<String, List<String>> commandOf) throws Exception {
            return StepBench.rounds(root, work, sides, rounds, commandOf, System.err, "lethe-bench " + tag);
        }

        /** The report's header ({@link StepBench#header}). */
        String header(Rounds r) {
            return StepBench.header(root, started, main, args, python, r, quiet, loadBefore);
        }
    }

    /**
     * Reads a driver's options ({@code --rounds 3}, {@code --python /usr/bin/python3}, {@code --sides
     * lethe,pytorch}, {@code --out bench/target/bench-<tag>.md}, {@code --wait-load} and {@code --wait-max-s
     * 1200}, and the step options {@code --warmup 10}, {@code --steps 30}, {@code --warmup-seconds 2}), waits
     * for a quiet machine if asked, and runs {@code main}'s {@code export} mode, which writes {@code check}.
     *
     * @param script the Python side's script under {@code bench/python/}
     * @param tag the progress lines' and the report file's name
     */
    static Setup setup(Path root, Path work, Map<String, String> o, String[] args, Class<?> main, String script,
            String tag, String check) throws Exception {
        if (!Files.isRegularFile(root.resolve("bench/python/" + script))) {
            throw new IllegalArgumentException("run from the Lethe source tree (no bench/python/" + script + " under " + root
                    + ")");
        }
        PrintStream progress = System.err;
        String who = "lethe-bench " + tag;
        Files.createDirectories(work);
        int rounds = Integer.parseInt(o.getOrDefault("rounds", "3"));
        String python = o.getOrDefault("python", "/usr/bin/python3");
        List<String> sides = List.of(o.getOrDefault("sides", "lethe,pytorch").split(","));
        Path out = Path.of(o.getOrDefault("out", root.resolve("bench/target/bench-" + tag + ".md").toString()));
        String quiet = o.containsKey("wait-load") ? MethodsBench.waitForQuiet(Double.parseDouble(o.get("wait-load")),
                Long.parseLong(o.getOrDefault("wait-max-s", "1200")), progress, who) : "";
        List<String> stepArgs = List.of("--warmup", o.getOrDefault("warmup", "10"), "--steps", o.getOrDefault("steps", "30"),
                "--warmup-seconds", o.getOrDefault("warmup-seconds", "2"));
        Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String loadBefore = Machine.load();
        progress.println(who + ": exporting the weights and the check file");
        List<String> export = new ArrayList<>(MethodsBench.java(main));
        export.addAll(List.of("--mode", "export", "--work", work.toString()));
        MethodsBench.run(export, root, work.resolve("export.err"), line -> { });
        JsonNode model = new ObjectMapper().readTree(work.resolve(check).toFile()).get("model");
        return new Setup(root, work, args, main, tag, rounds, python, sides, out, quiet, stepArgs, started, loadBefore,
                work.resolve(check), model);
    }

    /** Writes the report to the set-up's file and prints it. */
    static void report(Setup s, String md) throws IOException {
        Files.createDirectories(s.out().toAbsolutePath().getParent());
        Files.writeString(s.out(), md, StandardCharsets.UTF_8);
        System.out.println(md);
    }

    /**
     * Runs {@code rounds} rounds of one child process per side, in an order that rotates from round
     * to round, and collects their lines.
     *
     * @param commandOf side → the child's command line
     * @param who the progress lines' prefix
     */
    static Rounds rounds(Path root, Path work, List<String> sides, int rounds, Function<String, List<String>> commandOf,
            PrintStream progress, String who) throws Exception {
        Map<String, Map<String, List<List<JsonNode>>>> rows = new LinkedHashMap<>();
        Map<String, JsonNode> checks = new LinkedHashMap<>();
        Map<String, String> versions = new LinkedHashMap<>();
        ObjectMapper json = new ObjectMapper();
        for (int round = 0; round < rounds; round++) {
            List<String> order = new ArrayList<>(sides);
            Collections.rotate(order, round);
            for (String side : order) {
                progress.printf("%s: round %d/%d, %s (load %s)%n", who, round + 1, rounds, side, Machine.load());
                int r = round;
                MethodsBench.run(commandOf.apply(side), root, work.resolve(side + "-" + round + ".err"), line -> {
                    try {
                        JsonNode node = json.readTree(line);
                        if (MethodsBench.collect(rows, side, r, node)) {
                            if (node.has("torch")) {
                                versions.put(side, "torch " + node.get("torch").asText() + ", " + node.get("threads").asInt()
                                        + " intra-op / " + node.get("interopThreads").asInt() + " inter-op threads");
                            }
                        } else if (node.has("check")) {
                            checks.putIfAbsent(side, node);
                        } else if (node.has("engine")) {
                            versions.put(side, node.get("engine").asText());
                        }
                    } catch (IOException e) {
                        throw new IllegalStateException("not a JSON line: " + line, e);
                    }
                });
            }
        }
        return new Rounds(rows, checks, versions, rounds);
    }

    /**
     * The report's heading and its list: command, machine, engines, source tree, the wait for a quiet
     * machine, and the load before and after.
     */
    static String header(Path root, Instant started, Class<?> main, String[] args, String python, Rounds r, String quiet,
            String loadBefore) {
        StringBuilder md = new StringBuilder();
        md.append("#### Result (").append(started).append(")\n\n");
        md.append("- Command: `java -cp bench/target/lethe-bench.jar ").append(main.getName()).append(' ')
                .append(String.join(" ", args)).append("` (after `mvn -B -o -q -Pbench -pl bench package -DskipTests`;"
                + " every child runs with OMP_NUM_THREADS=1, and the JVMs with one intra-op and one inter-op thread).\n");
        md.append(MethodsBench.machineLine(root, python));
        List<String> v = new ArrayList<>();
        r.versions().forEach((side, text) -> v.add(side + ": " + text));
        md.append("- Engines: ").append(String.join("; ", v)).append(".\n");
        md.append("- Source tree: commit ").append(Machine.commit(root)).append(".\n");
        if (!quiet.isEmpty()) {
            md.append("- ").append(quiet).append('\n');
        }
        md.append("- Load average (1/5/15 min): before ").append(loadBefore).append("; after ").append(Machine.load())
                .append(".\n\n");
        return md.toString();
    }

    /** The heading of the phase table (the columns of {@link Rounds#phaseRow}). */
    static final String PHASE_TABLE = "| workload | side | data | forward | loss | backward | optimiser | loop | total |\n"
            + "|---|---|---|---|---|---|---|---|---|\n";

    /** The table's heading (the columns of {@link Rounds#row}). */
    static final String TABLE = "| workload | side | n | CPU p50 ms | p95 | min | max | wall p50 ms |"
            + " speed ratio vs PyTorch (p50/p50) | paired |\n|---|---|---|---|---|---|---|---|---|---|\n";
}
