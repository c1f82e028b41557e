package org.lethe.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The language-model methods' benchmark (issue 5, deliverable 5). Prints a Markdown section for
 * BENCHMARKS.md and writes it to {@code bench/target/bench-methods.md}.
 *
 * <ol>
 * <li><b>Step against PyTorch.</b> {@link MethodSteps} exports the facts model's initial weights
 *     and the token batches of each workload's steps (train, gradient ascent, GradDiff, FLAT, IAU on
 *     forget05); then, pair after pair, three processes run every workload: Lethe's loop
 *     ({@code lethe}), the loop as it was before issue 5's tuning ({@code trainer}: DJL's
 *     {@code Trainer}) and {@code bench/python/lm_step.py} ({@code pytorch}, Debian's python3 with
 *     python3-torch and OpenBLAS), in an order that rotates from pair to pair. All three use one
 *     intra-op and one inter-op thread. Each step is timed per phase in the thread's CPU time.</li>
 * <li><b>Unlearning against retraining.</b> {@link MethodsEndToEnd} runs each method on forget05
 *     through the embedded run service, interleaved with retraining the forget05 gold model.</li>
 * </ol>
 *
 * <pre>
 * java -cp bench/target/lethe-bench.jar org.lethe.bench.MethodsBench [--pairs 5] [--warmup 10] [--steps 30]
 *     [--iau-warmup 3] [--iau-steps 20] [--reps 20] [--gold-reps 20] [--only all|steps|e2e]
 *     [--python /usr/bin/python3] [--wait-load 1.5 [--wait-max-s 1200]] [--out FILE] [--tree TEXT]
 *     [--sides lethe,trainer,pytorch] [--before-cp CLASSPATH]
 * </pre>
 *
 * <p>{@code --sides} picks the processes of a pair among {@code lethe}, {@code trainer},
 * {@code pytorch} and {@code before}: the {@code lethe} loop of another build (its
 * {@code lethe-bench.jar} given by {@code --before-cp}, for example the tree before a change), run on
 * the same exported batches and interleaved with the others, for a before/after comparison under the
 * same load.
 */
public final class MethodsBench {

    /** Issue 5's step target: Lethe at least as fast as PyTorch (speed ratio PyTorch time / Lethe time). */
    static final double STEP_TARGET = 1.0;
    /** Issue 5's unlearning target: a method's unlearning time over the gold model's retraining time. */
    static final double UNLEARN_TARGET = 0.02;

    private static final List<String> SIDES = List.of("lethe", "trainer", "pytorch");
    private static final List<String> SIDES_KNOWN = List.of("lethe", "trainer", "pytorch", "before");
    /** The sides this run measures ({@code --sides}); {@code before} is Lethe's loop from {@code --before-cp}. */
    private static List<String> sides = SIDES;

    private MethodsBench() {
    }

    /**
     * Entry point.
     *
     * @param args see the class description
     * @throws Exception when a process fails
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> o = options(args, "java -cp bench/target/lethe-bench.jar org.lethe.bench.MethodsBench [--pairs 5]"
                + " [--warmup 10] [--steps 30] [--iau-warmup 3] [--iau-steps 20] [--reps 20] [--gold-reps 20]"
                + " [--only all|steps|e2e] [--python /usr/bin/python3] [--wait-load 1.5 [--wait-max-s 1200]] [--out FILE]"
                + " [--tree TEXT] [--sides lethe,trainer,pytorch] [--before-cp CLASSPATH]");
        if (o == null) {
            return;
        }
        PrintStream progress = System.err;
        Path root = Path.of(o.getOrDefault("root", ".")).toAbsolutePath().normalize();
        if (!Files.isRegularFile(root.resolve("bench/python/lm_step.py"))) {
            throw new IllegalArgumentException("run from the Lethe source tree (no bench/python/lm_step.py under " + root + ")");
        }
        Path work = root.resolve("bench/target/bench-work/methods");
        Files.createDirectories(work);
        String only = o.getOrDefault("only", "all");
        int pairs = Integer.parseInt(o.getOrDefault("pairs", "5"));
        String python = o.getOrDefault("python", "/usr/bin/python3");
        Path out = Path.of(o.getOrDefault("out", root.resolve("bench/target/bench-methods.md").toString()));
        String quiet = "";
        if (o.containsKey("wait-load")) {
            quiet = waitForQuiet(Double.parseDouble(o.get("wait-load")), Long.parseLong(o.getOrDefault("wait-max-s", "1200")),
                    progress, "lethe-bench methods");
        }
        Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String loadBefore = Machine.load();
        StringBuilder md = new StringBuilder();
        md.append("### Result (").append(started).append(")\n\n");
        md.append("- Command: `java -cp bench/target/lethe-bench.jar org.lethe.bench.MethodsBench ")
                .append(String.join(" ", args)).append("` (after `mvn -B -q -Pbench -pl bench -am package -DskipTests`).\n");
        md.append(machineLine(root, python));
        // --tree describes a source tree that is not a git checkout (a copy of one, built apart)
        md.append("- Source tree: ").append(o.getOrDefault("tree", "commit " + Machine.commit(root))).append(".\n");
        if (!quiet.isEmpty()) {
            md.append("- ").append(quiet).append('\n');
        }
        Map<String, String> loads = new LinkedHashMap<>();
        loads.put("before", loadBefore);
        StringBuilder body = new StringBuilder();
        if (!only.equals("e2e")) {
            steps(root, work, o, pairs, python, body, progress);
            loads.put("after the step pairs", Machine.load());
        }
        if (!only.equals("steps")) {
            endToEnd(root, work, o, body, progress);
            loads.put("after the unlearning runs", Machine.load());
        }
        md.append("- Load average (1/5/15 min): ");
        List<String> parts = new ArrayList<>();
        loads.forEach((k, v) -> parts.add(k + " " + v));
        md.append(String.join("; ", parts)).append(".\n\n").append(body);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, md.toString(), StandardCharsets.UTF_8);
        System.out.println(md);
    }

    private static void steps(Path root, Path work, Map<String, String> o, int pairs, String python, StringBuilder md,
            PrintStream progress) throws Exception {
        sides = List.of(o.getOrDefault("sides", String.join(",", SIDES)).split(","));
        if (!sides.contains("lethe") || !sides.contains("pytorch") || !SIDES_KNOWN.containsAll(sides)) {
            throw new IllegalArgumentException("--sides: lethe and pytorch, plus any of trainer, before: " + sides);
        }
        if (sides.contains("before") && !o.containsKey("before-cp")) {
            throw new IllegalArgumentException("--sides before needs --before-cp (the other build's lethe-bench.jar)");
        }
        List<String> stepArgs = List.of("--warmup", o.getOrDefault("warmup", "10"), "--steps", o.getOrDefault("steps", "30"),
                "--iau-warmup", o.getOrDefault("iau-warmup", "3"), "--iau-steps", o.getOrDefault("iau-steps", "20"));
        progress.println("lethe-bench methods: exporting the workload");
        List<String> export = new ArrayList<>(java(MethodSteps.class));
        export.addAll(List.of("--mode", "export", "--work", work.toString()));
        export.addAll(stepArgs);
        run(export, root, work.resolve("export.err"), line -> { });
        JsonNode workload = new ObjectMapper().readTree(work.resolve("workload.json").toFile());
        // side -> workload -> pair -> step rows
        Map<String, Map<String, List<List<JsonNode>>>> rows = new LinkedHashMap<>();
        Map<String, List<Double>> rss = new LinkedHashMap<>();
        Map<String, Map<String, List<Double>>> firstLosses = new LinkedHashMap<>();
        ObjectMapper json = new ObjectMapper();
        for (int pair = 0; pair < pairs; pair++) {
            List<String> order = new ArrayList<>(sides);
            java.util.Collections.rotate(order, pair);
            if (pair % 2 == 1) {
                java.util.Collections.reverse(order);
            }
            for (String side : order) {
                List<String> command;
                if (side.equals("pytorch")) {
                    command = List.of(python, root.resolve("bench/python/lm_step.py").toString(),
                            work.resolve("workload.json").toString());
                } else if (side.equals("before")) {
                    command = new ArrayList<>(java(MethodSteps.class, o.get("before-cp")));
                    command.addAll(List.of("--mode", "lethe", "--work", work.toString()));
                    command.addAll(stepArgs);
                } else {
                    command = new ArrayList<>(java(MethodSteps.class));
                    command.addAll(List.of("--mode", side, "--work", work.toString()));
                    command.addAll(stepArgs);
                }
                progress.printf("lethe-bench methods: pair %d/%d, %s (load %s)%n", pair + 1, pairs, side, Machine.load());
                int p = pair;
                run(command, root, work.resolve(side + "-" + pair + ".err"), line -> {
                    try {
                        JsonNode node = json.readTree(line);
                        if (collect(rows, side, p, node)) {
                            firstLosses.computeIfAbsent(node.get("workload").asText(), k -> new LinkedHashMap<>())
                                    .computeIfAbsent(side, k -> new ArrayList<>()).add(node.get("firstLoss").asDouble());
                        } else if (node.has("peakRssKiB")) {
                            rss.computeIfAbsent(side, k -> new ArrayList<>()).add(node.get("peakRssKiB").asDouble() / 1024);
                        }
                    } catch (IOException e) {
                        throw new IllegalStateException("not a JSON line: " + line, e);
                    }
                });
            }
        }
        JsonNode model = workload.get("model");
        md.append("#### The step against PyTorch\n\n");
        md.append(String.format(Locale.ROOT, "Model: `word-transformer` as the facts world trains it: vocabulary %d (markers"
                + " included), %d positions, %d pre-LN blocks, d_model %d, %d heads, FFN %d, tied output; %d parameters."
                + " Both sides start from the same weights (Lethe's seed-0 initialisation, read by the Python side from"
                + " the safetensors file) and run the same token batches (exported from Lethe's own runs of each method:"
                + " the methods' default batch sizes on forget05 / retain95). %d process pairs (each one process of"
                + " each side: " + String.join(", ", sides.stream().map(x -> "`" + x + "`").toList())
                + (sides.contains("before") ? ", `before` being the `lethe` loop of the build before the change" : "")
                + ", in an order rotating from pair to pair); per process and"
                + " workload %s warm-up steps, then %s measured steps (IAU: %s and %s). Times are the step's thread CPU"
                + " time (ms); n counts steps over all pairs. Speed ratio = PyTorch's p50 / the row's p50 (above 1: faster"
                + " than PyTorch); paired = the median over pairs of the same ratio within each pair.%n%n",
                model.get("vocabulary").asInt(), model.get("maxLength").asInt(), model.get("layers").asInt(),
                model.get("dModel").asInt(), model.get("heads").asInt(), model.get("ffn").asInt(),
                model.get("parameters").asLong(), pairs, o.getOrDefault("warmup", "10"), o.getOrDefault("steps", "30"),
                o.getOrDefault("iau-warmup", "3"), o.getOrDefault("iau-steps", "20")));
        md.append("| workload | loop | n | CPU p50 ms | p95 | min | max | wall p50 ms | speed ratio vs PyTorch (p50/p50) |"
                + " paired | target ≥ 1.0 |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
        StringBuilder phases = new StringBuilder();
        phases.append("Per phase, p50 of the thread CPU ms per step (data: tensors from the batch; forward: the model to"
                + " the logits; loss: the rest of the objective; loop: closing the step's memory scope, zeroing the"
                + " gradients, progress):\n\n| workload | loop | ");
        phases.append(String.join(" | ", StepTimer.PHASES)).append(" | total |\n|---|---|");
        phases.append("---|".repeat(StepTimer.PHASES.size() + 1)).append('\n');
        for (String name : MethodSteps.WORKLOADS) {
            Stats pt = total(rows, "pytorch", name, "cpu", -1);
            for (String side : sides) {
                Stats cpu = total(rows, side, name, "cpu", -1);
                if (cpu.count() == 0) {
                    continue;
                }
                Stats wall = total(rows, side, name, "wall", -1);
                String ratio = side.equals("pytorch") ? "baseline" : Stats.ratio(pt.p50() / cpu.p50());
                String paired = "";
                String target = "";
                if (!side.equals("pytorch")) {
                    paired = Stats.ratio(paired(rows, side, name, pairs));
                    target = side.equals("lethe") ? (pt.p50() / cpu.p50() >= STEP_TARGET ? "met" : "**NOT met**") : "";
                }
                md.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %s | %s | %s | %s | %s | %s | %s |%n", name, side,
                        cpu.count(), f2(cpu.p50()), f2(cpu.p95()), f2(cpu.min()), f2(cpu.max()), f2(wall.p50()), ratio,
                        paired, target));
                phases.append("| ").append(name).append(" | ").append(side).append(" | ");
                for (String phase : StepTimer.PHASES) {
                    Stats s = phase(rows, side, name, phase);
                    phases.append(s.count() == 0 ? "–" : f2(s.p50())).append(" | ");
                }
                phases.append(f2(cpu.p50())).append(" |\n");
            }
        }
        md.append('\n').append(phases).append('\n');
        md.append("The same model on both sides: the first step's loss (same weights, same batch), per workload, Lethe /"
                + " PyTorch: ");
        List<String> checks = new ArrayList<>();
        firstLosses.forEach((name, bySide) -> {
            double lethe = bySide.getOrDefault("lethe", List.of(Double.NaN)).get(0);
            double torch = bySide.getOrDefault("pytorch", List.of(Double.NaN)).get(0);
            checks.add(String.format(Locale.ROOT, "%s %.6f / %.6f", name, lethe, torch));
        });
        md.append(String.join("; ", checks)).append(".\n\n");
        md.append("Peak RSS per process (MiB, median): ");
        List<String> parts = new ArrayList<>();
        rss.forEach((side, values) -> {
            Stats s = new Stats(side);
            values.forEach(s::add);
            parts.add(side + " " + String.format(Locale.ROOT, "%.0f", s.p50()));
        });
        md.append(String.join(", ", parts)).append(".\n\n");
    }

    private static void endToEnd(Path root, Path work, Map<String, String> o, StringBuilder md, PrintStream progress)
            throws Exception {
        List<String> command = new ArrayList<>(java(MethodsEndToEnd.class));
        command.addAll(List.of("--work", work.toString(), "--reps", o.getOrDefault("reps", "20"), "--gold-reps",
                o.getOrDefault("gold-reps", "20"), "--warmup", "1"));
        Map<String, Stats> wall = new LinkedHashMap<>();
        Map<String, Stats> method = new LinkedHashMap<>();
        Map<String, Stats> overhead = new LinkedHashMap<>();
        Stats gold = new Stats("gold");
        Stats goldSteps = new Stats("gold steps");
        ObjectMapper json = new ObjectMapper();
        progress.println("lethe-bench methods: unlearning runs and gold retraining (load " + Machine.load() + ")");
        run(command, root, work.resolve("e2e.err"), line -> {
            try {
                JsonNode node = json.readTree(line);
                String kind = node.get("kind").asText();
                if (kind.equals("method")) {
                    String m = node.get("method").asText();
                    wall.computeIfAbsent(m, Stats::new).add(node.get("wallMs").asDouble());
                    method.computeIfAbsent(m, Stats::new).add(node.get("methodMs").asDouble());
                    overhead.computeIfAbsent(m, Stats::new).add(node.get("overheadMs").asDouble());
                    progress.printf("lethe-bench methods: %s %.0f ms (load %s)%n", m, node.get("wallMs").asDouble(),
                            node.get("load").asText());
                } else if (kind.equals("gold")) {
                    gold.add(node.get("wallMs").asDouble());
                    goldSteps.add(node.get("steps").asDouble());
                    progress.printf("lethe-bench methods: gold retraining %.1f s (load %s)%n",
                            node.get("wallMs").asDouble() / 1000, node.get("load").asText());
                }
            } catch (IOException e) {
                throw new IllegalStateException("not a JSON line: " + line, e);
            }
        });
        md.append("#### Unlearning on forget05 against retraining the gold model\n\n");
        md.append(String.format(Locale.ROOT, "Each method with its default settings through the embedded run service"
                + " (submit → COMMITTED: plan, read the data, lease and load facts-lm, the method, save and commit the"
                + " new version), interleaved round by round with retraining facts-lm-gold-forget05 (FactsTraining, 40"
                + " epochs, %.0f steps, save). One uncounted warm-up run per method. Wall-clock ms. Ratio = the method's p50"
                + " / the gold retraining's p50; the method's own part (`unlearn`) and the rest (overhead) are split.%n%n",
                goldSteps.p50()));
        md.append("| run | n | wall p50 ms | p95 | min | max | method p50 ms | overhead p50 ms | ratio to gold (p50/p50) |"
                + " method only | target ≤ 0.02 |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
        md.append(String.format(Locale.ROOT, "| retrain gold (forget05) | %d | %s | %s | %s | %s | | | baseline | | |%n",
                gold.count(), f0(gold.p50()), f0(gold.p95()), f0(gold.min()), f0(gold.max())));
        for (String m : wall.keySet()) {
            Stats w = wall.get(m);
            double ratio = w.p50() / gold.p50();
            md.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %s | %s | %.4f | %.4f | %s |%n", m, w.count(),
                    f0(w.p50()), f0(w.p95()), f0(w.min()), f0(w.max()), f0(method.get(m).p50()), f0(overhead.get(m).p50()),
                    ratio, method.get(m).p50() / gold.p50(), ratio <= UNLEARN_TARGET ? "met" : "**NOT met**"));
        }
        md.append('\n');
    }

    /**
     * Reads {@code --key value} options.
     *
     * @return the options, or null after printing {@code usage} for {@code -h} or {@code --help}
     */
    static Map<String, String> options(String[] args, String usage) {
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            // -h as well as --help (one dash or two)
            String key = args[i].replaceFirst("^--?", "");
            if (key.equals("h") || key.equals("help")) {
                System.out.println(usage);
                return null;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + args[i] + " needs a value; " + usage);
            }
            o.put(key, args[++i]);
        }
        return o;
    }

    /** The report's machine line: nproc, memory, CPU, Java, and the Python and torch versions of {@code python}. */
    static String machineLine(Path root, String python) {
        return "- Machine: `nproc` " + Machine.nproc(root) + ". `free -g` Mem: " + Machine.memory(root) + ". CPU: "
                + Machine.cpuModel() + ". Java: " + Machine.javaVersion(root, javaCommand()) + ". Python: "
                + Processes.output(root, python, "-c",
                        "import sys,torch;print(sys.version.split()[0], 'torch', torch.__version__)").replace('\n', ' ')
                + ".\n";
    }

    /**
     * Adds a child's workload line ({@code {"workload":..., "steps":[...]}}) to side → workload → pair → step rows.
     *
     * @return whether it was such a line
     */
    static boolean collect(Map<String, Map<String, List<List<JsonNode>>>> rows, String side, int pair, JsonNode node) {
        if (!node.has("steps")) {
            return false;
        }
        List<List<JsonNode>> byPair = rows.computeIfAbsent(side, k -> new LinkedHashMap<>())
                .computeIfAbsent(node.get("workload").asText(), k -> new ArrayList<>());
        while (byPair.size() <= pair) {
            byPair.add(new ArrayList<>());
        }
        node.get("steps").forEach(byPair.get(pair)::add);
        return true;
    }

    /** The median over pairs of PyTorch's p50 / the side's p50 of the step's thread CPU time within the pair. */
    static double paired(Map<String, Map<String, List<List<JsonNode>>>> rows, String side, String workload, int pairs) {
        Stats ratios = new Stats("paired");
        for (int p = 0; p < pairs; p++) {
            Stats a = total(rows, side, workload, "cpu", p);
            Stats b = total(rows, "pytorch", workload, "cpu", p);
            if (a.count() > 0 && b.count() > 0) {
                ratios.add(b.p50() / a.p50());
            }
        }
        return ratios.p50();
    }

    static Stats total(Map<String, Map<String, List<List<JsonNode>>>> rows, String side, String workload,
            String clock, int pair) {
        Stats stats = new Stats(side + " " + workload);
        List<List<JsonNode>> byPair = rows.getOrDefault(side, Map.of()).getOrDefault(workload, List.of());
        for (int p = 0; p < byPair.size(); p++) {
            if (pair >= 0 && p != pair) {
                continue;
            }
            for (JsonNode step : byPair.get(p)) {
                double sum = 0;
                for (JsonNode v : step.get(clock)) {
                    sum += v.asDouble();
                }
                stats.add(sum / 1e6);
            }
        }
        return stats;
    }

    static Stats phase(Map<String, Map<String, List<List<JsonNode>>>> rows, String side, String workload,
            String phase) {
        Stats stats = new Stats(phase);
        for (List<JsonNode> steps : rows.getOrDefault(side, Map.of()).getOrDefault(workload, List.of())) {
            for (JsonNode step : steps) {
                if (step.get("cpu").has(phase)) {
                    stats.add(step.get("cpu").get(phase).asDouble() / 1e6);
                }
            }
        }
        return stats;
    }

    static String f2(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, v >= 100 ? "%.0f" : "%.2f", v);
    }

    private static String f0(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.0f", v);
    }

    static String javaCommand() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /** A child JVM like this one: same java, same class path, one PyTorch thread, the build's engine cache. */
    static List<String> java(Class<?> main) {
        return java(main, System.getProperty("java.class.path"));
    }

    /** The same with another class path. */
    private static List<String> java(Class<?> main, String classPath) {
        String cache = System.getProperty("ENGINE_CACHE_DIR", Path.of("target/engine-cache").toAbsolutePath().toString());
        return List.of(javaCommand(), "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1",
                "-Dai.djl.pytorch.num_interop_threads=1", "-DENGINE_CACHE_DIR=" + cache, "-DDJL_CACHE_DIR=" + cache,
                "-cp", classPath, main.getName());
    }

    /** Runs a child to its end, handing each JSON line of its standard output to {@code lines}. */
    static void run(List<String> command, Path root, Path stderr, Consumer<String> lines) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile()).redirectError(stderr.toFile());
        builder.environment().put("OMP_NUM_THREADS", "1");
        builder.environment().put("OPENBLAS_NUM_THREADS", "1");
        builder.environment().put("MKL_NUM_THREADS", "1");
        Process process = builder.start();
        process.getOutputStream().close();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("{")) {
                    lines.accept(line);
                }
            }
        }
        int status = process.waitFor();
        if (status != 0) {
            throw new IllegalStateException(String.join(" ", command.subList(0, Math.min(3, command.size()))) + "... exited with "
                    + status + "; see " + stderr);
        }
    }

    /**
     * Waits until the 1-minute load average is below {@code threshold}, or {@code maxSeconds}.
     *
     * @param who the progress lines' prefix
     * @return the sentence the report carries about the wait
     */
    static String waitForQuiet(double threshold, long maxSeconds, PrintStream progress, String who)
            throws InterruptedException {
        long start = System.nanoTime();
        while (true) {
            double load = Machine.load1();
            long waited = (System.nanoTime() - start) / 1_000_000_000L;
            if (load < threshold) {
                return "Waited " + waited + " s for the 1-minute load average to fall below " + threshold + " (it was " + load
                        + ").";
            }
            if (waited >= maxSeconds) {
                return "The 1-minute load average stayed at or above " + threshold + " for " + waited + " s (last " + load
                        + "): measured anyway, on a busy machine.";
            }
            progress.printf("%s: load %.2f ≥ %.2f, waiting (%d s so far)%n", who, load, threshold, waited);
            Thread.sleep(10_000);
        }
    }
}
