package org.lethe.itests.launcher;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.junit.Assume.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.After;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TestName;
import org.junit.rules.Timeout;

/**
 * {@code bin/lethe} as a process: options, one-shot commands and their exit statuses, the
 * data-folder lock, a missing PyTorch native library, settling before a one-shot command, and no
 * network listener.
 *
 * <p>Every test builds its own Lethe home under {@code lethe.test.work}: {@code bin}, {@code lib},
 * {@code bundle} and {@code native} are links to the built distribution, {@code etc} is a copy, and
 * {@code deploy} and {@code data} are fresh, so no two runs share a data folder and the distribution
 * is never written to. Nothing here asserts on how long anything takes; waits poll for a condition
 * until a generous deadline.
 */
public class LauncherIT {

    /** A one-shot run, or a service's start, on a slow machine: far above the ~1.5 s it takes. */
    private static final Duration DEADLINE = Duration.ofMinutes(2);

    /** The message of the platform bundle when the natives are missing (org.lethe.djl Activator). */
    private static final String NATIVES_MISSING = "PyTorch native library for linux-x86_64 not found";

    /** A row of {@code lb}: id, state, level, "name (version)", version. */
    private static final Pattern LB_ROW = Pattern.compile("^\\s*(\\d+)\\|([^|]+)\\|\\s*(\\d+)\\|(.*) \\(([^()]*)\\)\\|.*$");

    private static Path dist;
    private static Path work;
    private static Path methodFixture;

    @Rule
    public final Timeout timeout = Timeout.seconds(300);

    @Rule
    public final TestName testName = new TestName();

    private final List<Process> started = new ArrayList<>();
    private int runs;

    @BeforeClass
    public static void locateDistribution() throws IOException {
        dist = Path.of(required("lethe.dist")).toAbsolutePath().normalize();
        assertTrue("no built distribution at " + dist + " (build the distribution module first)",
                Files.isExecutable(dist.resolve("bin/lethe")));
        methodFixture = Path.of(required("lethe.fixture.method")).toAbsolutePath().normalize();
        assertTrue("no method fixture at " + methodFixture + " (build itests/fixtures first)",
                Files.isRegularFile(methodFixture));
        work = Files.createDirectories(Path.of(required("lethe.test.work")).toAbsolutePath().normalize()
                .resolve("launcher"));
    }

    @After
    public void stopWhatIsLeft() throws InterruptedException {
        for (Process process : started) {
            if (process.isAlive()) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    // ---------------------------------------------------------------- options and exit statuses

    @Test
    public void optionsAndUnknownCommandsGiveTheirExitStatuses() throws Exception {
        Path home = newHome();

        Run help = lethe(home, Map.of(), "--help");
        help.assertStatus(0);
        assertTrue(help.describe(), help.out.startsWith("Usage: lethe"));
        assertTrue(help.describe(), help.out.contains("--service"));
        assertTrue(help.describe(), help.out.contains("Exit status:"));

        Run shortHelp = lethe(home, Map.of(), "-h");
        shortHelp.assertStatus(0);
        assertEquals(help.out, shortHelp.out);

        Run version = lethe(home, Map.of(), "--version");
        version.assertStatus(0);
        assertTrue(version.describe(), version.out.matches("lethe \\d+\\.\\d+\\.\\d+\\S*\\R"));

        Run bogus = lethe(home, Map.of(), "--bogus");
        bogus.assertStatus(2);
        assertTrue(bogus.describe(), bogus.err.contains("unknown option --bogus"));
        assertEquals(bogus.describe(), "", bogus.out);

        Run serviceWithCommand = lethe(home, Map.of(), "--service", "lb");
        serviceWithCommand.assertStatus(2);
        assertTrue(serviceWithCommand.describe(), serviceWithCommand.err.contains("--service takes no command"));

        Run unknown = lethe(home, Map.of(), "nosuch:command");
        unknown.assertStatus(2);
        assertTrue(unknown.describe(), unknown.err.contains("nosuch:command"));
        assertTrue(unknown.describe(), unknown.err.toLowerCase().contains("not found"));
        assertFalse("no stack trace for a usage error: " + unknown.describe(), unknown.err.contains("\tat "));
    }

    @Test
    public void lbListsEveryBundleOfTheDistributionActive() throws Exception {
        Run lb = lethe(newHome(), Map.of(), "lb");
        lb.assertStatus(0);
        assertEveryBundleActive(lb);
    }

    @Test
    public void aOneShotCommandReadsStandardInputAndWritesStandardError() throws Exception {
        // Gogo replaces System.in/out/err with streams that route to the current session: handed to
        // the session as its own streams, they looped until the stack overflowed
        Path home = newHome();
        Path input = Files.writeString(home.resolve("input.txt"), "line one\nline two\n");
        Run cat = lethe(home, Map.of(), List.of("cat"), input);
        cat.assertStatus(0);
        assertEquals(cat.describe(), "line one\nline two\n", cat.out.replace("\r\n", "\n"));

        Run missing = lethe(home, Map.of(), "cat", home.resolve("no-such-file").toString());
        assertFalse(missing.describe(), missing.err.contains("StackOverflowError"));
        // Gogo's cat reports on standard error and returns; it does not throw, so no status of its own
        assertFalse(missing.describe(), missing.status == 4);
        assertTrue(missing.describe(), missing.err.contains("no-such-file (No such file or directory)"));
    }

    // ---------------------------------------------------------------- the data-folder lock

    @Test
    public void aSecondContainerOnTheSameDataFolderExitsWith3NamingTheOwner() throws Exception {
        Path ownerHome = newHome();
        Path data = ownerHome.resolve("data");
        Process service = startService(ownerHome);
        awaitLockOwner(service, data);

        // another home, the same data folder
        Map<String, String> sameData = Map.of("LETHE_DATA", data.toString());
        Run second = lethe(newHome(), sameData, "lb");
        second.assertStatus(3);
        assertTrue(second.describe(), second.err.contains("the data folder " + data + " is in use"));
        assertTrue(second.describe(), second.err.contains("pid " + service.pid() + ","));
        assertTrue(second.describe(), second.err.contains("LETHE_DATA"));
        assertFalse("nothing ran: " + second.describe(), second.out.contains("System Bundle"));
        assertTrue("the refused container does not disturb the owner", service.isAlive());

        service.destroy(); // SIGTERM
        assertTrue("the service did not stop on SIGTERM within " + DEADLINE.toSeconds() + " s",
                service.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS));
        // 143 = 128 + SIGTERM: the JVM ran its shutdown hook, which stopped the container cleanly
        assertTrue("exit status after SIGTERM: " + service.exitValue(),
                service.exitValue() == 143 || service.exitValue() == 0);
        String serviceErr = Files.readString(ownerHome.resolve("service.err"));
        assertFalse("the service printed a stack trace: " + serviceErr, serviceErr.contains("\tat "));

        Run after = lethe(newHome(), sameData, "lb");
        after.assertStatus(0);
        assertTrue(after.describe(), after.out.contains("System Bundle"));
    }

    // ---------------------------------------------------------------- missing natives

    @Test
    public void anEmptyNativeFolderGivesOneClearMessageAndTheContainerStaysUp() throws Exception {
        assumeTrue("the distribution ships linux-x86_64 natives only",
                System.getProperty("os.name").equals("Linux")
                        && List.of("amd64", "x86_64").contains(System.getProperty("os.arch")));
        Path home = newHome();
        Path empty = Files.createDirectories(home.resolve("empty-native"));
        Map<String, String> env = Map.of("JAVA_OPTS", "-DPYTORCH_LIBRARY_PATH=" + empty);

        Run health = lethe(home, env, "hc:exec", "-v", "engine");
        health.assertStatus(0);
        assertTrue(health.describe(), health.out.contains("CRITICAL"));
        assertTrue(health.describe(), health.out.contains("PyTorch engine"));
        String flowing = health.out.replaceAll("\\s+", " "); // the health check table wraps the message
        assertTrue(health.describe(), flowing.contains("for linux-x86_64 not found in"));
        assertTrue(health.describe(), flowing.contains("Add libtorch 2.7.1 (cpu) for linux-x86_64"));
        assertTrue(health.describe(), flowing.contains("pytorch-native-cpu"));
        assertTrue(health.describe(), flowing.contains("PYTORCH_LIBRARY_PATH"));
        assertOneClearMessage(health);

        Run lb = lethe(home, env, "lb");
        lb.assertStatus(0);
        assertEveryBundleActive(lb);
        assertOneClearMessage(lb);
    }

    // ---------------------------------------------------------------- settling before a one-shot

    @Test
    public void aOneShotCommandRunsOnceTheDeployFolderIsLive() throws Exception {
        Path home = newHome();
        Files.copy(methodFixture, home.resolve("deploy").resolve(methodFixture.getFileName()));

        // ONE argument: taken verbatim as a Gogo command line (a method call, a quoted LDAP filter,
        // an index). Before the fixture bundle's component is active it finds nothing and fails.
        Run run = lethe(home, Map.of(), "($.context getServiceReferences null '(lethe.method=fixture)') 0");
        run.assertStatus(0);
        assertTrue(run.describe(), run.out.contains("lethe.method=fixture"));
        assertTrue(run.describe(), run.out.contains("component.name=org.lethe.itests.fixture.method.FixtureMethod"));
        assertTrue(run.describe(), run.out.matches("(?s).*Bundle\\s+\\d+\\|Active\\s*\\|.*org\\.lethe\\.itests\\.fixture\\.method.*"));
    }

    // ---------------------------------------------------------------- no network listener

    @Test
    public void aServiceContainerHasNoListeningTcpSocket() throws Exception {
        long self = ProcessHandle.current().pid();
        assumeTrue("no /proc here", Files.isDirectory(Path.of("/proc/" + self + "/fd"))
                && Files.isReadable(Path.of("/proc/" + self + "/net/tcp")));
        // the probe must see a listener where there is one, or its "none" means nothing
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assumeTrue("this /proc does not show a process's listening sockets",
                    !listeningTcpSockets(self).isEmpty());
        }

        Path home = newHome();
        Process service = startService(home);
        awaitLockOwner(service, home.resolve("data"));
        // the shell bundle starts last: once it has, every bundle of the container has started
        Path log = home.resolve("data/log/lethe.log");
        await("the container's last bundle to start (" + log + ")", service,
                () -> read(log).contains("[org.apache.felix.gogo.jline] BundleEvent STARTED"));

        assertEquals("listening TCP sockets (/proc/" + service.pid() + "/net/tcp{,6}, state 0A)",
                List.of(), listeningTcpSockets(service.pid()));
        assertTrue(service.isAlive());
    }

    // ================================================================ helpers

    /** A Lethe home of its own: links to the distribution's read-only parts, a copy of etc/. */
    private Path newHome() throws IOException {
        Path home = Files.createTempDirectory(work, testName.getMethodName() + "-");
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
        return home;
    }

    private ProcessBuilder launcher(Path home, Map<String, String> env, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(home.resolve("bin/lethe").toString());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(home.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Map<String, String> environment = builder.environment();
        for (String inherited : List.of("LETHE_DATA", "LETHE_DEPLOY", "LETHE_THREADS", "JAVA_OPTS",
                "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS")) {
            environment.remove(inherited);
        }
        environment.put("JAVA_HOME", System.getProperty("java.home"));
        environment.putAll(env);
        return builder;
    }

    /** Runs {@code bin/lethe args} to its end, with no standard input. */
    private Run lethe(Path home, Map<String, String> env, String... args) throws IOException, InterruptedException {
        return lethe(home, env, List.of(args), Path.of("/dev/null"));
    }

    /** Runs {@code bin/lethe args < input} to its end. */
    private Run lethe(Path home, Map<String, String> env, List<String> args, Path input)
            throws IOException, InterruptedException {
        int n = ++runs;
        Path out = home.resolve("run-" + n + ".out");
        Path err = home.resolve("run-" + n + ".err");
        Process process = launcher(home, env, args).redirectInput(input.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        started.add(process);
        if (!process.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("bin/lethe " + String.join(" ", args) + " did not end within " + DEADLINE.toSeconds()
                    + " s; stdout: " + read(out) + "; stderr: " + read(err));
        }
        return new Run(args, process.exitValue(), read(out), read(err));
    }

    /** Starts {@code bin/lethe --service} with no standard input; its output goes to service.out/err. */
    private Process startService(Path home) throws IOException {
        Process process = launcher(home, Map.of(), List.of("--service"))
                .redirectOutput(home.resolve("service.out").toFile())
                .redirectError(home.resolve("service.err").toFile())
                .start();
        started.add(process);
        return process;
    }

    /** Waits until the service holds the data folder: its lock file names the service's pid. */
    private void awaitLockOwner(Process service, Path data) {
        Path lock = data.resolve(".lock");
        await(lock + " naming pid " + service.pid(), service, () -> read(lock).startsWith("pid " + service.pid() + ","));
    }

    private static void await(String what, Process process, Supplier<Boolean> condition) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.get()) {
            if (!process.isAlive()) {
                fail("the process ended (status " + process.exitValue() + ") while waiting for " + what);
            }
            if (System.nanoTime() - deadline > 0) {
                fail("timed out after " + DEADLINE.toSeconds() + " s waiting for " + what);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
    }

    /** Every bundle of the distribution is listed, Active; fragments Resolved; nothing else is there. */
    private static void assertEveryBundleActive(Run lb) throws IOException {
        Map<String, String> states = new LinkedHashMap<>();
        for (String line : lb.out.split("\\R")) {
            Matcher row = LB_ROW.matcher(line);
            if (row.matches()) {
                states.put(row.group(4), row.group(2).trim());
            }
        }
        assertEquals("the System Bundle: " + lb.describe(), "Active", states.remove("System Bundle"));
        Map<String, Boolean> expected = distributionBundles();
        assertEquals("bundles listed vs the distribution's bundle/ folder: " + lb.describe(), expected.keySet(),
                states.keySet());
        for (Map.Entry<String, Boolean> bundle : expected.entrySet()) {
            String state = states.get(bundle.getKey());
            boolean fragment = bundle.getValue();
            assertEquals(bundle.getKey() + (fragment ? " (a fragment)" : "") + ": " + lb.describe(),
                    fragment ? "Resolved" : "Active", state);
        }
    }

    /** The names {@code lb} shows for the jars of the distribution's bundle/ folder, and whether each is a fragment. */
    private static Map<String, Boolean> distributionBundles() throws IOException {
        Map<String, Boolean> names = new HashMap<>();
        try (Stream<Path> jars = Files.list(dist.resolve("bundle"))) {
            for (Path jar : jars.filter(p -> p.getFileName().toString().endsWith(".jar")).toList()) {
                try (JarFile file = new JarFile(jar.toFile())) {
                    Attributes main = file.getManifest().getMainAttributes();
                    String name = main.getValue("Bundle-Name");
                    if (name == null || name.startsWith("%")) { // lb shows the localised name; use the symbolic one
                        name = main.getValue("Bundle-SymbolicName").split(";", 2)[0].trim();
                    }
                    names.put(name, main.getValue("Fragment-Host") != null);
                }
            }
        }
        return names;
    }

    /** The missing-natives message shows exactly once on the console, without a stack trace. */
    private static void assertOneClearMessage(Run run) {
        assertEquals("times the console shows the missing-natives message: " + run.describe(), 1,
                count(run.err, NATIVES_MISSING));
        assertFalse("a stack trace on the console: " + run.describe(), run.err.contains("\tat "));
        assertFalse("an exception on the console: " + run.describe(), run.err.contains("Exception"));
    }

    /** Inodes of the TCP sockets in state LISTEN that the process holds, as "inode local-address". */
    private static List<String> listeningTcpSockets(long pid) throws IOException {
        Set<String> inodes = new HashSet<>();
        Pattern socket = Pattern.compile("socket:\\[(\\d+)]");
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    Matcher m = socket.matcher(Files.readSymbolicLink(fd).toString());
                    if (m.matches()) {
                        inodes.add(m.group(1));
                    }
                } catch (NoSuchFileException closed) {
                    // closed while listing
                }
            }
        }
        List<String> listening = new ArrayList<>();
        for (String table : List.of("tcp", "tcp6")) {
            Path file = Path.of("/proc/" + pid + "/net/" + table);
            if (!Files.isReadable(file)) {
                continue;
            }
            List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
                String[] fields = line.trim().split("\\s+");
                if (fields.length > 9 && fields[3].equals("0A") && inodes.contains(fields[9])) {
                    listening.add(table + " inode " + fields[9] + " local " + fields[1]);
                }
            }
        }
        return listening;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int count(String text, String part) {
        int count = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            count++;
        }
        return count;
    }

    private static String required(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("system property " + property + " is not set (failsafe sets it)");
        }
        return value;
    }

    /** The outcome of one {@code bin/lethe} run. */
    private record Run(List<String> args, int status, String out, String err) {

        void assertStatus(int expected) {
            assertEquals("exit status of " + describe(), expected, status);
        }

        String describe() {
            return "bin/lethe " + args + " -> " + status + "\n--- stdout:\n" + out + "--- stderr:\n" + err + "---";
        }
    }
}
