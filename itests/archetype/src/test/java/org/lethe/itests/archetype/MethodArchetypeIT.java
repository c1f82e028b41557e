package org.lethe.itests.archetype;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/**
 * The method archetype end to end, as a method team uses it: generate a bundle project
 * ({@code archetype:generate}), build it and run its conformance test ({@code mvn verify
 * -Dlethe.dist=...}), then drop the jar into a running container and see it go live.
 *
 * <h2>Where the nested builds get Lethe's artifacts</h2>
 * CI runs {@code mvn verify} on a fresh clone, so nothing of this reactor is in the local
 * repository; the generated project, built outside the reactor, still needs the archetype, the API,
 * the conformance kit and their parent POMs. The test stages exactly those, from the reactor's
 * {@code target/} folders and POM files, into a local repository of its own (Maven's layout), and
 * runs both nested builds with it ({@code -Dmaven.repo.local}), offline ({@code -o}), with one
 * mirror for every remote repository: this build's own local repository as a {@code file:} URL
 * ({@code -Daether.offline.protocols=file} lets an offline build read it). Everything else (plugins,
 * DJL, Pax Exam) is therefore copied from what this build already resolved; nothing touches the
 * network, and nothing is installed anywhere outside {@code target/}. After the builds, the test
 * checks that every {@code org.lethe} artifact they used is one it staged, so that a stale copy in a
 * developer's local repository cannot make the test pass where CI would fail.
 *
 * <h2>What "live" and "runs" mean here</h2>
 * <ul>
 * <li><b>Builds</b>: the nested {@code mvn verify} exits 0 and leaves the bundle jar.</li>
 * <li><b>Runs</b>: in that build, the generated conformance test ran all eight checks of the kit,
 * with none failed or skipped, in a container made of the distribution's bundle set; among them a
 * run on the tiny test model that commits a new version.</li>
 * <li><b>Live</b>: {@code bin/lethe --service} runs on a scratch home; the jar is moved atomically
 * into its {@code deploy/}; that running container's own log ({@code data/log/lethe.log}, where
 * the launcher writes the framework's events) shows the bundle STARTED and a service REGISTERED by
 * it (its one DS component's {@code UnlearningMethod}), and no problem with the file. A one-shot
 * {@code bin/lethe} command cannot ask the running container: the service holds the data folder's
 * lock. So the service is then stopped, and {@code bin/lethe unlearn:methods} on the same home (the
 * same deploy and data folders) lists the method, from its bundle, active.</li>
 * </ul>
 * A bad name (a hyphen in the artifactId) is refused by the archetype, naming the properties.
 */
public class MethodArchetypeIT {

    /** The method's name: with a hyphen, which the artifactId, package and PID must not keep. */
    static final String METHOD = "negative-preference";
    static final String GROUP_ID = "org.example";
    /** What the archetype derives from the two above. */
    static final String ARTIFACT_ID = "org.example.method.negativepreference";
    static final String CLASS_NAME = "NegativePreference";

    /** A nested build on a slow machine: far above the ~25 s both take on 2 cores. */
    private static final Duration BUILD_DEADLINE = Duration.ofMinutes(6);
    /** A container start, a hot deploy, a one-shot command: far above the seconds they take. */
    private static final Duration DEADLINE = Duration.ofMinutes(2);

    /** The conformance kit's checks (org.lethe.conformance.Check): every one must have run and passed. */
    private static final int CONFORMANCE_CHECKS = 8;

    @Rule
    public final Timeout timeout = Timeout.seconds(600);

    private static Path dist;
    private static Path work;
    private static Path stagedRepository;
    private static Path settings;
    private static String archetypePluginVersion;
    private static Path project;
    private static Path jar;
    private static final List<Process> started = new ArrayList<>();

    @BeforeClass
    public static void generateAndBuild() throws Exception {
        dist = Path.of(required("lethe.dist")).toAbsolutePath().normalize();
        assertTrue("no built distribution at " + dist + " (build the distribution module first)",
                Files.isExecutable(dist.resolve("bin/lethe")));
        Path root = Path.of(required("lethe.root")).toAbsolutePath().normalize();
        work = Path.of(required("lethe.test.work")).toAbsolutePath().normalize().resolve("archetype");
        deleteRecursively(work);
        Files.createDirectories(work);

        stagedRepository = stage(root, work.resolve("repository"));
        settings = mirrorSettings(work.resolve("settings.xml"),
                Path.of(required("lethe.local.repository")).toAbsolutePath().normalize());
        archetypePluginVersion = archetypePluginVersion(root);
        // an empty .mvn/ ends Maven's search for a project root here: no jvm.config or maven.config
        // of the checkout around it applies to the nested builds
        Files.createDirectories(work.resolve(".mvn"));
        Path projects = Files.createDirectories(work.resolve("projects"));

        // what docs/writing-a-method.md tells a method team to type
        mvn(projects, "generate", generate("-DgroupId=" + GROUP_ID, "-Dmethod=" + METHOD));
        project = projects.resolve(ARTIFACT_ID);
        assertTrue("archetype:generate made no project " + project, Files.isRegularFile(project.resolve("pom.xml")));

        mvn(project, "build", "verify", "-Dlethe.dist=" + dist);
        jar = project.resolve("target/" + ARTIFACT_ID + "-0.1.0-SNAPSHOT.jar");
        assertTrue("the generated project's build left no bundle " + jar, Files.isRegularFile(jar));

        assertNothingOfLetheCameFromOutsideTheStage();
    }

    @AfterClass
    public static void stopWhatIsLeft() throws InterruptedException {
        for (Process process : started) {
            if (process.isAlive()) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    // ---------------------------------------------------------------- the generated project

    @Test
    public void theNamesFollowTheHouseRules() throws IOException {
        Path sources = project.resolve("src/main/java/" + ARTIFACT_ID.replace('.', '/'));
        Path component = sources.resolve(CLASS_NAME + ".java");
        assertTrue("no component " + component, Files.isRegularFile(component));
        assertTrue("no package-info.java beside the component",
                Files.isRegularFile(sources.resolve("package-info.java")));
        Path it = project.resolve("src/test/java/" + ARTIFACT_ID.replace('.', '/') + "/it");
        assertTrue("no conformance test", Files.isRegularFile(it.resolve(CLASS_NAME + "ConformanceIT.java")));
        assertTrue("no package-info.java beside the conformance test",
                Files.isRegularFile(it.resolve("package-info.java")));

        String java = Files.readString(component);
        assertTrue(java, java.contains("public static final String NAME = \"" + METHOD + "\";"));
        assertTrue("the PID has no hyphen: " + java,
                java.contains("public static final String PID = \"" + ARTIFACT_ID + "\";"));
        assertTrue(java, java.contains("// the paper's objective goes here"));

        try (JarFile bundle = new JarFile(jar.toFile())) {
            Attributes manifest = bundle.getManifest().getMainAttributes();
            assertEquals(ARTIFACT_ID, manifest.getValue("Bundle-SymbolicName"));
            assertEquals("a leaf exports nothing", null, manifest.getValue("Export-Package"));
            String imports = manifest.getValue("Import-Package");
            assertTrue(imports, imports.contains("ai.djl;version=\"[0.36,0.37)\""));
            assertTrue("a component description: " + manifest.getValue("Service-Component"),
                    bundle.getEntry("OSGI-INF/" + ARTIFACT_ID + "." + CLASS_NAME + ".xml") != null);
            assertTrue("a Metatype description", bundle.getEntry(
                    "OSGI-INF/metatype/" + ARTIFACT_ID + "." + CLASS_NAME + "$Config.xml") != null);
        }

        String readme = Files.readString(project.resolve("README.md"));
        for (String section : List.of("Paper", "Objective", "Hyper-parameters", "Expected results on the facts world",
                "How to build and run")) {
            assertTrue("README section " + section + ": " + readme, readme.contains("\n" + section + "\n---"));
        }
        assertTrue(readme, readme.contains("| `learningRate` | float | 1e-4 |"));
    }

    @Test
    public void aHyphenInTheArtifactIdIsRefusedNamingThePropertiesAndLeavesNoProject() throws Exception {
        Path projects = Files.createDirectories(work.resolve("refused"));
        Maven refused = maven(projects, "generate-refused",
                generate("-DgroupId=" + GROUP_ID, "-Dmethod=" + METHOD, "-DartifactId=negative-preference"));
        assertEquals("exit status: " + refused, 1, refused.status());
        // the package and the PID default to the artifactId, so all three are named
        for (String key : List.of("artifactId", "package", "pid")) {
            assertTrue(refused.toString(), refused.output().contains(key + " 'negative-preference': dot-separated Java"
                    + " identifiers, no hyphens"));
        }
        try (Stream<Path> left = Files.list(projects)) {
            assertEquals("what the refused generation left", List.of(), left.toList());
        }
    }

    // ---------------------------------------------------------------- it runs

    @Test
    public void itsConformanceTestRanEveryCheckOnTheTinyModelAndPassed() throws IOException {
        Path reports = project.resolve("target/failsafe-reports");
        String summary = read(reports.resolve("failsafe-summary.xml"));
        assertEquals("checks completed: " + summary, CONFORMANCE_CHECKS, element(summary, "completed"));
        assertEquals("errors: " + summary, 0, element(summary, "errors"));
        assertEquals("failures: " + summary, 0, element(summary, "failures"));
        assertEquals("skipped: " + summary, 0, element(summary, "skipped"));

        // the kit prints what each passing check measured; the run check's line is the run itself
        Path output = reports.resolve(ARTIFACT_ID + ".it." + CLASS_NAME + "ConformanceIT-output.txt");
        String measured = read(output);
        Matcher run = Pattern.compile("\\[run] method '" + Pattern.quote(METHOD) + "': passed: COMMITTED .*")
                .matcher(measured);
        assertTrue("the run on the tiny model (" + output + "):\n" + measured, run.find());
        System.out.println(run.group());
    }

    // ---------------------------------------------------------------- it goes live

    @Test
    public void droppedIntoARunningContainerItGoesLive() throws Exception {
        Path home = newHome();
        Path log = home.resolve("data/log/lethe.log");
        Process service = startService(home);
        await("the service to own " + home.resolve("data"), service,
                () -> read(home.resolve("data/.lock")).startsWith("pid " + service.pid() + ","));
        // the shell bundle starts last: once it has, the container has started (as LauncherIT waits)
        await("the container to start (" + log + ")", service,
                () -> read(log).contains("[org.apache.felix.gogo.jline] BundleEvent STARTED"));
        int before = read(log).length();

        // write it beside deploy/, then move it in: FileInstall never sees half a jar
        Path partial = home.resolve(jar.getFileName() + ".part");
        Files.copy(jar, partial);
        Files.move(partial, home.resolve("deploy").resolve(ARTIFACT_ID + ".jar"), StandardCopyOption.ATOMIC_MOVE);

        String started = "[" + ARTIFACT_ID + "] BundleEvent STARTED";
        String registered = "[" + ARTIFACT_ID + "] ServiceEvent REGISTERED";
        await("'" + started + "' and '" + registered + "' in " + log, service,
                () -> read(log).substring(before).contains(started)
                        && read(log).substring(before).contains(registered));
        String after = read(log).substring(before);
        for (String line : after.split("\\R")) {
            assertFalse("a problem in the container's log: " + line + "\n" + after,
                    line.contains(" is not live")
                            || (line.contains("[" + ARTIFACT_ID + "]") && line.contains("ERROR")));
        }
        System.out.println("live in the running container (" + log + "):\n" + after.strip());

        service.destroy(); // SIGTERM: the shutdown hook stops the container cleanly
        assertTrue("the service did not stop on SIGTERM", service.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS));
        assertTrue("exit status after SIGTERM: " + service.exitValue(),
                service.exitValue() == 143 || service.exitValue() == 0);

        Run methods = lethe(home, "unlearn:methods");
        assertEquals("exit status of " + methods, 0, methods.status());
        assertTrue(methods.toString(), methods.out().lines().anyMatch(row -> row.startsWith(METHOD + " ")
                && row.contains(" " + ARTIFACT_ID + " ") && row.contains("active")));
        System.out.println(methods.out());
    }

    // ================================================================ nested Maven builds

    /**
     * The files of the reactor the generated project needs, in a local repository of their own:
     * the archetype, the API, the conformance kit, and the parent POMs their POMs name.
     */
    private static Path stage(Path root, Path repository) throws IOException {
        String version = required("lethe.version");
        String apiVersion = required("lethe.api.version");
        stageArtifact(repository, "lethe-parent", version, root.resolve("pom.xml"), null);
        stageArtifact(repository, "lethe-itests", version, root.resolve("itests/pom.xml"), null);
        stageArtifact(repository, "org.lethe.api", apiVersion, root.resolve("api/pom.xml"),
                root.resolve("api/target/org.lethe.api-" + apiVersion + ".jar"));
        stageArtifact(repository, "lethe-conformance", version, root.resolve("itests/conformance/pom.xml"),
                root.resolve("itests/conformance/target/lethe-conformance-" + version + ".jar"));
        stageArtifact(repository, "lethe-method-archetype", version, root.resolve("archetype/pom.xml"),
                root.resolve("archetype/target/lethe-method-archetype-" + version + ".jar"));
        return repository;
    }

    private static void stageArtifact(Path repository, String artifactId, String version, Path pom, Path jar)
            throws IOException {
        Path folder = Files.createDirectories(repository.resolve("org/lethe").resolve(artifactId).resolve(version));
        assertTrue("no " + pom, Files.isRegularFile(pom));
        Files.copy(pom, folder.resolve(artifactId + "-" + version + ".pom"));
        if (jar != null) {
            assertTrue("no " + jar + " (build its module first)", Files.isRegularFile(jar));
            Files.copy(jar, folder.resolve(artifactId + "-" + version + ".jar"));
        }
    }

    /** User settings whose one mirror, for every repository, is the given local repository. */
    private static Path mirrorSettings(Path file, Path localRepository) throws IOException {
        return Files.writeString(file, """
                <settings>
                  <mirrors>
                    <mirror>
                      <id>lethe-build-local-repository</id>
                      <mirrorOf>*</mirrorOf>
                      <url>%s</url>
                    </mirror>
                  </mirrors>
                </settings>
                """.formatted(localRepository.toUri()));
    }

    /** Runs {@code mvn -B -q -o ... args} in a folder (see {@link #maven}); fails unless it exits 0. */
    private static void mvn(Path dir, String name, String... args) throws Exception {
        Maven build = maven(dir, name, args);
        if (build.status() != 0) {
            fail("the " + name + " build failed (exit status " + build.status() + ") in " + dir + ": " + build);
        }
    }

    /**
     * Runs {@code mvn -B -q -o ... args} in a folder, with the staged repository and the mirror
     * settings, its output in {@code <work>/<name>.log}.
     */
    private static Maven maven(Path dir, String name, String... args) throws Exception {
        Path mavenHome = Path.of(required("maven.home"));
        Path output = work.resolve(name + ".log");
        List<String> command = new ArrayList<>(List.of(mavenHome.resolve("bin/mvn").toString(), "-B", "-q", "-o",
                "-Daether.offline.protocols=file", "-s", settings.toString(),
                "-Dmaven.repo.local=" + stagedRepository));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        long start = System.nanoTime();
        Process process = builder.start();
        started.add(process);
        if (!process.waitFor(BUILD_DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            fail("the " + name + " build did not end within " + BUILD_DEADLINE.toMinutes() + " min: "
                    + String.join(" ", command) + "\n" + tail(output));
        }
        System.out.printf("%s: %s (%d s)%n", name, String.join(" ", command),
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start));
        return new Maven(command, process.exitValue(), read(output));
    }

    /** The archetype's generate goal, as docs/writing-a-method.md has it, plus the given properties. */
    private static String[] generate(String... properties) throws IOException {
        List<String> args = new ArrayList<>(List.of(
                // the plugin named in full: no prefix resolution without the network
                "org.apache.maven.plugins:maven-archetype-plugin:" + archetypePluginVersion + ":generate",
                "-DarchetypeGroupId=org.lethe", "-DarchetypeArtifactId=lethe-method-archetype",
                "-DarchetypeVersion=" + required("lethe.version")));
        args.addAll(List.of(properties));
        return args.toArray(String[]::new);
    }

    /**
     * Every {@code org.lethe} file in the staged repository is one staged here: none was copied from
     * the mirror (Maven marks what it copies with a {@code _remote.repositories} file).
     */
    private static void assertNothingOfLetheCameFromOutsideTheStage() throws IOException {
        try (Stream<Path> files = Files.walk(stagedRepository.resolve("org/lethe"))) {
            List<Path> fetched = files.filter(p -> p.getFileName().toString().equals("_remote.repositories")).toList();
            assertEquals("org.lethe artifacts the nested builds took from " + required("lethe.local.repository")
                    + " instead of this reactor: stage them too", List.of(), fetched);
        }
    }

    private static String archetypePluginVersion(Path root) throws IOException {
        Matcher version = Pattern.compile("<archetype\\.version>([^<]+)</archetype\\.version>")
                .matcher(Files.readString(root.resolve("archetype/pom.xml")));
        assertTrue("archetype/pom.xml names no archetype.version", version.find());
        return version.group(1);
    }

    // ================================================================ the container

    /** A Lethe home of its own, as LauncherIT builds them: links to the distribution, a copy of etc/. */
    private static Path newHome() throws IOException {
        Path home = Files.createDirectories(work.resolve("home"));
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

    private static ProcessBuilder launcher(Path home, String... args) {
        List<String> command = new ArrayList<>();
        command.add(home.resolve("bin/lethe").toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(home.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Map<String, String> environment = builder.environment();
        for (String inherited : List.of("LETHE_DATA", "LETHE_DEPLOY", "LETHE_THREADS", "JAVA_OPTS",
                "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS")) {
            environment.remove(inherited);
        }
        environment.put("JAVA_HOME", System.getProperty("java.home"));
        return builder;
    }

    private static Process startService(Path home) throws IOException {
        Process process = launcher(home, "--service")
                .redirectOutput(home.resolve("service.out").toFile())
                .redirectError(home.resolve("service.err").toFile())
                .start();
        started.add(process);
        return process;
    }

    /** Runs {@code bin/lethe args} to its end. */
    private static Run lethe(Path home, String... args) throws IOException, InterruptedException {
        Path out = home.resolve("command.out");
        Path err = home.resolve("command.err");
        Process process = launcher(home, args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        started.add(process);
        if (!process.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("bin/lethe " + String.join(" ", args) + " did not end within " + DEADLINE.toSeconds() + " s");
        }
        return new Run(List.of(args), process.exitValue(), read(out), read(err));
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

    // ================================================================ helpers

    private static int element(String xml, String name) {
        Matcher m = Pattern.compile("<" + name + ">(\\d+)</" + name + ">").matcher(xml);
        assertTrue("no <" + name + "> in " + xml, m.find());
        return Integer.parseInt(m.group(1));
    }

    private static String tail(Path file) {
        List<String> lines = read(file).lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
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

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static String required(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("system property " + property + " is not set (failsafe sets it)");
        }
        return value;
    }

    /** The outcome of one nested Maven build. */
    private record Maven(List<String> command, int status, String output) {

        @Override
        public String toString() {
            List<String> lines = output.lines().toList();
            return String.join(" ", command) + " -> " + status + "\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        }
    }

    /** The outcome of one {@code bin/lethe} run. */
    private record Run(List<String> args, int status, String out, String err) {

        @Override
        public String toString() {
            return "bin/lethe " + args + " -> " + status + "\n--- stdout:\n" + out + "--- stderr:\n" + err + "---";
        }
    }
}
