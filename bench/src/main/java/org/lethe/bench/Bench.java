package org.lethe.bench;

import java.io.File;
import java.io.IOException;
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
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Lethe's container benchmarks: cold start to a shell that answers, engine init, and hot-deploy
 * latency, each against a baseline measured in the same run. Prints a Markdown section for
 * BENCHMARKS.md (and writes it to {@code bench/target/bench-results.md}).
 *
 * <pre>
 * java -jar bench/target/lethe-bench.jar [--reps 30] [--hot-reps 30] [--warmup 2] [--only cold|hot]
 *     [--wait-load 1.5 [--wait-max-s 1200]] [--root DIR] [--dist DIR] [--fixture JAR] [--out FILE] [--seed N] [--poll MS]
 * </pre>
 */
public final class Bench {

    /** Cold-start issue target: start to shell ready, p50. */
    static final double COLD_START_TARGET_MS = 2500;

    /** Hot-deploy issue target: drop into deploy/ to service registered, p50. */
    static final double HOT_DEPLOY_TARGET_MS = 300;

    private Bench() {
    }

    /** Entry point: exit status 0 when every measurement ran, 1 when one failed, 2 on bad arguments. */
    public static void main(String[] args) {
        PrintStream progress = System.err; // Container.start later replaces System.err with a tee
        Map<String, String> options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            progress.println("lethe-bench: " + e.getMessage());
            progress.println(usage());
            System.exit(2);
            return;
        }
        if (options.containsKey("help")) {
            System.out.println(usage());
            System.exit(0);
        }
        try {
            String report = run(args, options, progress);
            System.out.println(report);
            System.out.flush();
            System.exit(0);
        } catch (IllegalArgumentException e) {
            progress.println("lethe-bench: " + e.getMessage() + " (see --help)");
            System.exit(2);
        } catch (Exception e) {
            progress.println("lethe-bench: FAILED: " + e);
            e.printStackTrace(progress);
            System.exit(1);
        }
    }

    private static String run(String[] args, Map<String, String> options, PrintStream progress) throws Exception {
        Path root = options.containsKey("root") ? Path.of(options.get("root")).toRealPath() : findRoot();
        Path dist = options.containsKey("dist") ? Path.of(options.get("dist")).toAbsolutePath() : findDistribution(root);
        Path fixture = options.containsKey("fixture") ? Path.of(options.get("fixture")).toAbsolutePath() : findFixture(root);
        int reps = Integer.parseInt(options.getOrDefault("reps", "30"));
        int hotReps = Integer.parseInt(options.getOrDefault("hot-reps", "30"));
        int warmup = Integer.parseInt(options.getOrDefault("warmup", "2"));
        long seed = Long.parseLong(options.getOrDefault("seed", "20261126"));
        String only = options.getOrDefault("only", "all");
        if (!List.of("all", "cold", "hot").contains(only)) {
            throw new IllegalArgumentException("--only takes cold or hot, not " + only);
        }
        if (reps < 1 || hotReps < 1 || warmup < 0) {
            throw new IllegalArgumentException("--reps and --hot-reps must be at least 1, --warmup at least 0");
        }
        Path out = options.containsKey("out") ? Path.of(options.get("out")).toAbsolutePath()
                : root.resolve("bench/target/bench-results.md");

        String quiet = "";
        if (options.containsKey("wait-load")) {
            quiet = waitForQuiet(Double.parseDouble(options.get("wait-load")),
                    Long.parseLong(options.getOrDefault("wait-max-s", "1200")), progress);
        }

        Path work = root.resolve("bench/target/bench-work");
        ScratchHome.delete(work);
        ScratchHome home = ScratchHome.create(dist, work.resolve("home"));
        String poll = options.get("poll");
        if (poll != null) {
            if (Integer.parseInt(poll) < 1) {
                throw new IllegalArgumentException("--poll takes milliseconds, at least 1");
            }
            setPoll(home, poll);
        }

        String javaExe = System.getenv("JAVA_HOME") == null || System.getenv("JAVA_HOME").isBlank() ? "java"
                : Path.of(System.getenv("JAVA_HOME"), "bin", "java").toString();
        // the options bin/lethe gives its JVM, so that the baselines start the same JVM
        List<String> java = List.of(javaExe, "--enable-native-access=ALL-UNNAMED");
        Path felixJar = dist.resolve("lib/org.apache.felix.framework.jar");
        String felixVersion;
        try (JarFile jar = new JarFile(felixJar.toFile())) {
            felixVersion = jar.getManifest().getMainAttributes().getValue("Bundle-Version");
        }
        String ownClasspath = Path.of(Bench.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();

        Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String machine = "`nproc` " + Machine.nproc(root) + "; `free -g` Mem: " + Machine.memory(root) + "; CPU "
                + Machine.cpuModel() + "; Java: " + Machine.javaVersion(root, javaExe) + "; commit "
                + Machine.commit(root) + " (source tree); distribution `" + relative(root, dist) + "` built "
                + Files.getLastModifiedTime(dist.resolve("lib/lethe-runtime.jar")).toInstant().truncatedTo(ChronoUnit.SECONDS)
                + ", " + bundleCount(dist) + " bundles in bundle/";
        String distributionBefore = fingerprint(dist);
        Map<String, String> loads = new LinkedHashMap<>();
        loads.put("before", Machine.load());
        progress.println("lethe-bench: " + machine);
        progress.println("lethe-bench: load average before: " + loads.get("before"));

        ColdStart cold = null;
        if (!only.equals("hot")) {
            cold = new ColdStart(home, work, java, ownClasspath, felixJar, felixVersion, progress);
            cold.run(reps, warmup);
            loads.put("after the cold starts", Machine.load());
        }
        HotDeploy hot = null;
        if (!only.equals("cold")) {
            String classpath = String.join(File.pathSeparator, dist.resolve("lib/lethe-runtime.jar").toString(),
                    felixJar.toString(), ownClasspath);
            hot = HotDeploy.forked(java, classpath, home.root(), work, fixture, hotReps, warmup, seed, progress);
            loads.put("after the hot deploys", Machine.load());
        }

        if (!fingerprint(dist).equals(distributionBefore)) {
            quiet = (quiet.isEmpty() ? "" : quiet + "\n- ") + "**WARNING: the distribution was rebuilt during this run"
                    + " (bundle/, lib/ or etc/ changed): these figures mix two builds. Measure again.**";
            progress.println("lethe-bench: WARNING: the distribution changed during the run");
        }
        String report = render(args, options, started, machine, loads, quiet, cold, hot, warmup, fixture, root, home);
        Files.createDirectories(out.getParent());
        Files.writeString(out, report + "\n", StandardCharsets.UTF_8);
        progress.println("lethe-bench: written to " + out);
        return report;
    }

    private static String render(String[] args, Map<String, String> options, Instant started, String machine, Map<String, String> loads, String quiet,
            ColdStart cold, HotDeploy hot, int warmup, Path fixture, Path root, ScratchHome home) throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("#### Run of ").append(started).append("\n\n");
        md.append("- Command: `java -jar bench/target/lethe-bench.jar");
        for (String arg : args) {
            md.append(' ').append(arg.startsWith("/") ? relative(root, Path.of(arg)) : arg);
        }
        md.append("` (after `mvn -B -q package -Pbench -pl bench`)\n");
        md.append("- Machine: ").append(machine).append('\n');
        md.append("- Load average (1/5/15 min): ");
        List<String> parts = new ArrayList<>();
        loads.forEach((when, load) -> parts.add(when + " " + load));
        md.append(String.join("; ", parts)).append('\n');
        if (!quiet.isEmpty()) {
            md.append("- ").append(quiet).append('\n');
        }
        md.append("- ").append(warmup).append(" warm-up round(s) per part, not counted. Percentiles interpolate"
                + " linearly between order statistics. Ratio: p50 / the baseline's p50 of this run; paired: median"
                + " of the per-round ratios (each round measures both, back to back, order alternating).\n");
        if (hot != null) {
            md.append("- Hot-deploy fixture: `").append(root.relativize(fixture)).append("`; FileInstall poll ")
                    .append(pollMillis(home)).append(" ms (etc/org.apache.felix.fileinstall-deploy.cfg")
                    .append(options.containsKey("poll") ? ", overridden by --poll in the scratch copy" : "")
                    .append("); a random"
                            + " 250–650 ms pause before each timed step.\n");
        }
        md.append('\n');
        md.append("| Measurement | n | p50 ms | p95 ms | min ms | max ms | Ratio (p50/p50) | Paired ratio |\n");
        md.append("|---|---|---|---|---|---|---|---|\n");
        if (cold != null) {
            row(md, cold.jvm, "baseline", "");
            row(md, cold.felix, Stats.ratio(cold.felix.p50() / cold.jvm.p50()) + " JVM",
                    Stats.ratio(cold.felix.pairedRatio(cold.jvm)) + " JVM");
            row(md, cold.lethe,
                    Stats.ratio(cold.lethe.p50() / cold.jvm.p50()) + " JVM, "
                            + Stats.ratio(cold.lethe.p50() / cold.felix.p50()) + " Felix",
                    Stats.ratio(cold.lethe.pairedRatio(cold.jvm)) + " JVM, "
                            + Stats.ratio(cold.lethe.pairedRatio(cold.felix)) + " Felix");
            row(md, cold.engine, String.format(Locale.ROOT, "%.0f %% of the Lethe start (p50)",
                    100 * cold.engine.p50() / cold.lethe.p50()), "");
            row(md, cold.letheExit, "", "");
        }
        if (hot != null) {
            row(md, hot.installed, "baseline", "");
            row(md, hot.deployed, Stats.ratio(hot.deployed.p50() / hot.installed.p50()) + " (+"
                    + Stats.ms(hot.deployed.p50() - hot.installed.p50()) + " ms)",
                    Stats.ratio(hot.deployed.pairedRatio(hot.installed)));
            row(md, hot.uninstalled, "baseline", "");
            row(md, hot.removed, Stats.ratio(hot.removed.p50() / hot.uninstalled.p50()) + " (+"
                    + Stats.ms(hot.removed.p50() - hot.uninstalled.p50()) + " ms)",
                    Stats.ratio(hot.removed.pairedRatio(hot.uninstalled)));
        }
        md.append('\n');
        if (cold != null) {
            md.append(target("Cold start to shell ready", cold.lethe, COLD_START_TARGET_MS));
        }
        if (hot != null) {
            md.append(target("Hot deploy (into `deploy/` → service registered)", hot.deployed, HOT_DEPLOY_TARGET_MS));
        }
        return md.toString().stripTrailing();
    }

    private static long bundleCount(Path dist) throws IOException {
        try (Stream<Path> list = Files.list(dist.resolve("bundle"))) {
            return list.filter(p -> p.getFileName().toString().endsWith(".jar")).count();
        }
    }

    /** Names, sizes and times of the distribution's bundle/, lib/ and etc/ files: a rebuild changes it. */
    private static String fingerprint(Path dist) throws IOException {
        StringBuilder print = new StringBuilder();
        for (String folder : List.of("bundle", "lib", "etc")) {
            try (Stream<Path> list = Files.list(dist.resolve(folder))) {
                for (Path file : list.sorted().toList()) {
                    print.append(file.getFileName()).append(' ').append(Files.size(file)).append(' ')
                            .append(Files.getLastModifiedTime(file).toMillis()).append('\n');
                }
            }
        }
        return print.toString();
    }

    /** A path under the source tree relative to it, any other as it is. */
    private static String relative(Path root, Path path) {
        return path.startsWith(root) ? root.relativize(path).toString() : path.toString();
    }

    private static void row(StringBuilder md, Stats stats, String ratio, String paired) {
        md.append("| ").append(stats.name()).append(" | ").append(stats.count()).append(" | ")
                .append(Stats.ms(stats.p50())).append(" | ").append(Stats.ms(stats.p95())).append(" | ")
                .append(Stats.ms(stats.min())).append(" | ").append(Stats.ms(stats.max())).append(" | ")
                .append(ratio).append(" | ").append(paired).append(" |\n");
    }

    private static String target(String what, Stats stats, double targetMillis) {
        boolean met = stats.p50() <= targetMillis;
        return "- Target: " + what + " p50 ≤ " + Stats.ms(targetMillis) + " ms: **" + (met ? "met" : "NOT met") + "** (p50 "
                + Stats.ms(stats.p50()) + " ms, p95 " + Stats.ms(stats.p95()) + " ms"
                + (met && stats.p95() > targetMillis ? "; p95 is above the target" : "") + ")\n";
    }

    private static String pollMillis(ScratchHome home) throws IOException {
        for (String line : Files.readAllLines(home.root().resolve("etc/org.apache.felix.fileinstall-deploy.cfg"))) {
            if (line.strip().startsWith("felix.fileinstall.poll")) {
                return line.substring(line.indexOf('=') + 1).strip();
            }
        }
        return "?";
    }

    /** Sets FileInstall's deploy/ poll interval in the scratch home's copy of etc/ (never the distribution's). */
    private static void setPoll(ScratchHome home, String millis) throws IOException {
        Path cfg = home.root().resolve("etc/org.apache.felix.fileinstall-deploy.cfg");
        List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(cfg)) {
            lines.add(line.strip().startsWith("felix.fileinstall.poll") ? "felix.fileinstall.poll=" + millis : line);
        }
        Files.write(cfg, lines);
    }

    /** Polls the 1-minute load average every 10 s until it is below {@code threshold} or time runs out. */
    private static String waitForQuiet(double threshold, long maxSeconds, PrintStream progress) throws InterruptedException {
        long deadline = System.nanoTime() + maxSeconds * 1_000_000_000L;
        long start = System.nanoTime();
        while (true) {
            double load = Machine.load1();
            long waited = (System.nanoTime() - start) / 1_000_000_000L;
            if (load < threshold) {
                return "Waited " + waited + " s for the 1-minute load average to fall below " + threshold + " (it was "
                        + load + ").";
            }
            if (System.nanoTime() >= deadline) {
                return "The 1-minute load average stayed at or above " + threshold + " for " + waited
                        + " s (last " + load + "): measured anyway, on a busy machine.";
            }
            progress.printf("lethe-bench: load %.2f ≥ %.2f, waiting (%d s so far)%n", load, threshold, waited);
            Thread.sleep(10_000);
        }
    }

    private static Path findRoot() throws IOException {
        Path dir = Path.of("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("bench/pom.xml")) && Files.isDirectory(d.resolve("distribution"))) {
                return d.toRealPath();
            }
        }
        throw new IllegalArgumentException("run from the Lethe source tree, or give --root (no bench/pom.xml above " + dir + ")");
    }

    private static Path findDistribution(Path root) throws IOException {
        try (Stream<Path> list = Files.list(root.resolve("distribution/target"))) {
            return list.filter(p -> p.getFileName().toString().startsWith("lethe-") && Files.isDirectory(p)
                    && Files.isRegularFile(p.resolve("bin/lethe"))).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no built distribution under distribution/target"
                            + " (build it, or give --dist)"));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException("no distribution/target: build the distribution, or give --dist");
        }
    }

    private static Path findFixture(Path root) throws IOException {
        Path dir = root.resolve("itests/fixtures/method-fixture/target");
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("no " + dir + ": build itests/fixtures/method-fixture, or give --fixture");
        }
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(p -> {
                String name = p.getFileName().toString();
                return name.startsWith("org.lethe.itests.fixture.method-") && name.endsWith(".jar")
                        && !name.endsWith("-sources.jar");
            }).findFirst().orElseThrow(() -> new IllegalArgumentException("no fixture jar in " + dir
                    + ": build itests/fixtures/method-fixture, or give --fixture"));
        }
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        List<String> valued = List.of("reps", "hot-reps", "warmup", "only", "wait-load", "wait-max-s", "root", "dist",
                "fixture", "out", "seed", "poll");
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("-h") || arg.equals("--help")) {
                options.put("help", "");
                continue;
            }
            if (!arg.startsWith("--") || !valued.contains(arg.substring(2))) {
                throw new IllegalArgumentException("unknown argument " + arg);
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(arg + " needs a value");
            }
            options.put(arg.substring(2), args[++i]);
        }
        return options;
    }

    static String usage() {
        return """
                Usage: java -jar bench/target/lethe-bench.jar [options]
                  --reps N          cold-start rounds (default 30); each: JVM, bare Felix, bin/lethe
                  --hot-reps N      hot-deploy rounds (default 30); each: FileInstall and installBundle cycles
                  --warmup N        uncounted rounds before each part (default 2)
                  --only cold|hot   one part only
                  --wait-load X     first wait until the 1-minute load average is below X ...
                  --wait-max-s S    ... for at most S seconds (default 1200), then measure anyway
                  --root DIR        the source tree (default: found above the working directory)
                  --dist DIR        the built distribution (default distribution/target/lethe-*)
                  --fixture JAR     the hot-deploy bundle (default the itests method fixture)
                  --out FILE        also write the Markdown here (default bench/target/bench-results.md)
                  --seed N          seed of the random pauses (default 20261126)
                  --poll MS         what-if: FileInstall's deploy/ poll in the scratch copy of etc/ (default: as shipped)""";
    }
}
