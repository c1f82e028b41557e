package org.lethe.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.lethe.runtime.Container;
import org.lethe.runtime.LauncherException;
import org.lethe.runtime.Layout;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleException;
import org.osgi.framework.BundleListener;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;

/**
 * Hot-deploy latency in one long-running container, started in-process with the launcher's own
 * classes ({@link Container#start} in service mode). A service listener on
 * {@code (lethe.method=fixture)} stamps every event as it is delivered (synchronously, on the thread
 * that registers or unregisters the service).
 * <ul>
 * <li>FileInstall: the fixture jar is moved atomically into {@code deploy/} (written first under a
 * temporary name on the same file system) → REGISTERED; the file is deleted → UNREGISTERING.</li>
 * <li>Baseline, same container: {@code installBundle} + {@code start} of the same jar, no FileInstall
 * → REGISTERED; {@code uninstall} → UNREGISTERING.</li>
 * </ul>
 * The two alternate in order every round. Before every timed step the harness waits a random
 * 250–650 ms, so that the step falls at a random phase of FileInstall's poll.
 *
 * <p>It runs in a JVM of its own ({@link #forked}) whose class path holds the distribution's
 * {@code lib/lethe-runtime.jar} and Felix ahead of this harness: the container measured is the one
 * the distribution ships, and its standard-error tee and libtorch stay out of the harness JVM.
 */
public final class HotDeploy {

    static final String FILTER = "(lethe.method=fixture)";

    private static final long EVENT_TIMEOUT_SECONDS = 60;

    final Stats deployed = new Stats("FileInstall: move jar into `deploy/` → service REGISTERED");
    final Stats installed = new Stats("Baseline: `installBundle` + `start` → service REGISTERED");
    final Stats removed = new Stats("FileInstall: delete jar from `deploy/` → service UNREGISTERING");
    final Stats uninstalled = new Stats("Baseline: `uninstall` → service UNREGISTERING");

    private record Stamp(int type, long nanos) {
    }

    private final Path home;
    private final Path work;
    private final Path fixture;
    private final Random random;
    private final PrintStream progress;

    private final BlockingQueue<Stamp> serviceEvents = new LinkedBlockingQueue<>();
    private final BlockingQueue<Long> bundleGone = new LinkedBlockingQueue<>();

    /**
     * Runs the hot-deploy part in a fresh JVM (see the class comment) and collects its samples.
     *
     * @param java the java command and its options
     * @param classpath the distribution's runtime and framework jars, then this harness
     */
    static HotDeploy forked(List<String> java, String classpath, Path home, Path work, Path fixture, int reps,
            int warmup, long seed, PrintStream progress) throws IOException, InterruptedException {
        Files.createDirectories(work.resolve("logs"));
        Path results = work.resolve("hot-deploy-samples.txt");
        Files.deleteIfExists(results);
        List<String> command = new ArrayList<>(java);
        command.addAll(List.of("-cp", classpath, HotDeploy.class.getName(), home.toString(), work.toString(),
                fixture.toString(), String.valueOf(reps), String.valueOf(warmup), String.valueOf(seed), results.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile())
                .redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("logs/hot.stdout.log").toFile()))
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        // as bin/lethe: DJL reads these from the environment before its system properties
        builder.environment().put("DJL_OFFLINE", "true");
        builder.environment().put("OPT_OUT_TRACKING", "true");
        builder.environment().remove("PYTORCH_VERSION");
        builder.environment().remove("PYTORCH_FLAVOR");
        List.of("JAVA_OPTS", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS").forEach(builder.environment()::remove);
        Process process = builder.start();
        process.getOutputStream().close();
        if (!process.waitFor(30, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException("the hot-deploy benchmark did not finish within 30 minutes");
        }
        if (process.exitValue() != 0 || !Files.exists(results)) {
            throw new IllegalStateException("the hot-deploy benchmark failed (status " + process.exitValue()
                    + "; its output is above)");
        }
        HotDeploy hot = new HotDeploy(home, work, fixture, seed, progress);
        for (String line : Files.readAllLines(results)) {
            String[] f = line.split(" ");
            hot.stats(f[0]).add(Double.parseDouble(f[1]));
        }
        return hot;
    }

    /**
     * Entry point of the forked JVM.
     *
     * @param args home, work folder, fixture jar, rounds, warm-up rounds, seed, results file
     */
    public static void main(String[] args) {
        PrintStream progress = System.err; // Container.start replaces System.err with a tee
        try {
            progress.println("hot deploy: launcher classes from "
                    + Container.class.getProtectionDomain().getCodeSource().getLocation().getPath());
            HotDeploy hot = new HotDeploy(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]), Long.parseLong(args[5]),
                    progress);
            hot.run(Integer.parseInt(args[3]), Integer.parseInt(args[4]));
            List<String> lines = new ArrayList<>();
            for (String key : List.of("deployed", "removed", "installed", "uninstalled")) {
                hot.stats(key).samples().forEach(ms -> lines.add(key + " " + ms));
            }
            Files.write(Path.of(args[6]), lines);
            System.exit(0);
        } catch (Exception e) {
            progress.println("lethe-bench: hot deploy FAILED: " + e);
            e.printStackTrace(progress);
            System.exit(1);
        }
    }

    private Stats stats(String key) {
        return switch (key) {
            case "deployed" -> deployed;
            case "removed" -> removed;
            case "installed" -> installed;
            case "uninstalled" -> uninstalled;
            default -> throw new IllegalStateException("unknown sample kind " + key);
        };
    }

    HotDeploy(Path home, Path work, Path fixture, long seed, PrintStream progress) {
        this.home = home;
        this.work = work;
        this.fixture = fixture;
        this.random = new Random(seed);
        this.progress = progress;
    }

    void run(int reps, int warmup) throws Exception {
        Path data = work.resolve("data-hot");
        Path deploy = work.resolve("deploy-hot");
        Path staging = Files.createDirectories(work.resolve("staging"));
        Files.createDirectories(deploy);
        Path direct = staging.resolve("fixture-direct.jar");
        Files.copy(fixture, direct, StandardCopyOption.REPLACE_EXISTING);
        String symbolicName;
        try (JarFile jar = new JarFile(fixture.toFile())) {
            symbolicName = jar.getManifest().getMainAttributes().getValue(Constants.BUNDLE_SYMBOLICNAME).split(";")[0].strip();
        }

        Container container;
        try {
            container = Container.start(Layout.of(home, data.toString(), deploy.toString()), Container.Mode.SERVICE);
        } catch (LauncherException e) {
            throw new IllegalStateException("the container did not start: " + e.getMessage(), e);
        }
        try {
            if (!container.awaitSettled(300, 120_000)) {
                throw new IllegalStateException("the container did not settle within 120 s");
            }
            BundleContext context = container.framework().getBundleContext();
            if (context.getServiceReferences((String) null, FILTER) != null) {
                throw new IllegalStateException("a " + FILTER + " service exists before the fixture is deployed");
            }
            ServiceListener services = event -> serviceEvents.add(new Stamp(event.getType(), System.nanoTime()));
            BundleListener bundles = event -> {
                if (event.getType() == BundleEvent.UNINSTALLED && symbolicName.equals(event.getBundle().getSymbolicName())) {
                    bundleGone.add(System.nanoTime());
                }
            };
            context.addServiceListener(services, FILTER);
            context.addBundleListener(bundles);
            try {
                for (int round = -warmup; round < reps; round++) {
                    boolean measured = round >= 0;
                    double[] times = new double[4];
                    if (Math.floorMod(round, 2) == 0) {
                        fileInstallCycle(deploy, staging, times);
                        directCycle(context, direct, times);
                    } else {
                        directCycle(context, direct, times);
                        fileInstallCycle(deploy, staging, times);
                    }
                    if (measured) {
                        deployed.add(times[0]);
                        removed.add(times[1]);
                        installed.add(times[2]);
                        uninstalled.add(times[3]);
                    }
                    progress.printf("hot deploy %s %d/%d: deploy %.0f ms, remove %.0f ms; install %.0f ms, uninstall %.0f ms%n",
                            measured ? "round" : "warm-up", measured ? round + 1 : round + warmup + 1,
                            measured ? reps : warmup, times[0], times[1], times[2], times[3]);
                }
            } finally {
                context.removeServiceListener(services);
                context.removeBundleListener(bundles);
            }
        } finally {
            container.close();
        }
    }

    /** times[0]: move into deploy/ → REGISTERED; times[1]: delete → UNREGISTERING. */
    private void fileInstallCycle(Path deploy, Path staging, double[] times) throws IOException, InterruptedException {
        Path temp = staging.resolve("fixture.jar.part");
        Path target = deploy.resolve("fixture.jar");
        Files.copy(fixture, temp, StandardCopyOption.REPLACE_EXISTING);

        pause();
        serviceEvents.clear();
        long start = System.nanoTime();
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        times[0] = (await(ServiceEvent.REGISTERED, "FileInstall to register the fixture") - start) / 1e6;

        pause();
        serviceEvents.clear();
        bundleGone.clear();
        start = System.nanoTime();
        Files.delete(target);
        times[1] = (await(ServiceEvent.UNREGISTERING, "FileInstall to remove the fixture") - start) / 1e6;
        awaitGone();
    }

    /** times[2]: installBundle + start → REGISTERED; times[3]: uninstall → UNREGISTERING. */
    private void directCycle(BundleContext context, Path jar, double[] times)
            throws BundleException, InterruptedException {
        pause();
        serviceEvents.clear();
        long start = System.nanoTime();
        Bundle bundle = context.installBundle(jar.toUri().toString());
        bundle.start();
        times[2] = (await(ServiceEvent.REGISTERED, "the installed fixture to register") - start) / 1e6;

        pause();
        serviceEvents.clear();
        bundleGone.clear();
        start = System.nanoTime();
        bundle.uninstall();
        times[3] = (await(ServiceEvent.UNREGISTERING, "the uninstalled fixture to unregister") - start) / 1e6;
        awaitGone();
    }

    private long await(int type, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(EVENT_TIMEOUT_SECONDS);
        while (true) {
            Stamp stamp = serviceEvents.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (stamp == null) {
                throw new IllegalStateException("waited " + EVENT_TIMEOUT_SECONDS + " s for " + what);
            }
            if (stamp.type() == type) {
                return stamp.nanos();
            }
        }
    }

    private void awaitGone() throws InterruptedException {
        if (bundleGone.poll(EVENT_TIMEOUT_SECONDS, TimeUnit.SECONDS) == null) {
            throw new IllegalStateException("the fixture bundle was not uninstalled within " + EVENT_TIMEOUT_SECONDS + " s");
        }
    }

    /** 250–650 ms: a random phase against FileInstall's 200 ms poll, and time for its refresh to end. */
    private void pause() throws InterruptedException {
        Thread.sleep(250 + random.nextInt(400));
    }
}
