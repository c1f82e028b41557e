package org.lethe.container.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lethe.container.internal.DeployEntry.State;

class DeployFolderScannerTest {

    private static final long SETTLE = 2_000;
    /** All files are written "at" this time; scans happen at OLD or YOUNG after it. */
    private static final long WRITTEN = 1_700_000_000_000L;
    private static final long OLD = WRITTEN + SETTLE + 1;
    private static final long YOUNG = WRITTEN + SETTLE - 1;

    @TempDir
    Path root;

    private Path deploy;
    private FakeContainer container;
    private DeployFolderScanner scanner;

    /** The container as the scanner sees it: what was installed from where, which configurations exist. */
    static final class FakeContainer implements DeployFolderScanner.Container {
        final Map<Path, DeployFolderScanner.InstalledBundle> installed = new HashMap<>();
        final Map<String, String> elsewhere = new HashMap<>();
        final Set<Path> configurations = new HashSet<>();
        final List<Path> asked = new java.util.ArrayList<>();

        @Override
        public Optional<DeployFolderScanner.InstalledBundle> bundleFrom(Path file) {
            asked.add(file);
            return Optional.ofNullable(installed.get(file));
        }

        @Override
        public Optional<String> sameBundleElsewhere(String symbolicName, String version, Path file) {
            return Optional.ofNullable(elsewhere.get(symbolicName + " " + version));
        }

        @Override
        public boolean configurationFrom(Path file) {
            return configurations.contains(file);
        }
    }

    @BeforeEach
    void setUp() throws IOException {
        deploy = Files.createDirectories(root.resolve("deploy"));
        container = new FakeContainer();
        scanner = new DeployFolderScanner(deploy, SETTLE);
    }

    private Path written(Path file) throws IOException {
        Files.setLastModifiedTime(file, FileTime.fromMillis(WRITTEN));
        return file;
    }

    private DeployEntry only(long now) throws IOException {
        List<DeployEntry> entries = scanner.scan(container, now);
        assertEquals(1, entries.size(), entries.toString());
        return entries.get(0);
    }

    private static void assertEntry(DeployEntry entry, State state, String detailPart) {
        assertEquals(state, entry.state(), entry.toString());
        assertTrue(entry.detail().contains(detailPart), entry.toString());
    }

    @Test
    void aMissingOrEmptyFolderHasNoEntries() throws Exception {
        assertEquals(List.of(), scanner.scan(container, OLD));
        assertEquals(List.of(), new DeployFolderScanner(root.resolve("absent"), SETTLE).scan(container, OLD));
    }

    @Test
    void randomBytesAreAProblemOnceSettledAndBeingWrittenBefore() throws Exception {
        written(Jars.randomBytes(deploy.resolve("noise.jar")));
        assertEntry(only(YOUNG), State.SETTLING, "being written");
        assertEntry(only(OLD), State.PROBLEM, "not a readable jar");
    }

    @Test
    void aJarWithoutManifestIsAProblemThatSaysSo() throws Exception {
        written(Jars.withoutManifest(deploy.resolve("plain.jar")));
        DeployEntry entry = only(OLD);
        assertEntry(entry, State.PROBLEM, "without META-INF/MANIFEST.MF");
        assertEquals("plain.jar: " + entry.detail(), entry.toString());
    }

    @Test
    void aManifestWithoutSymbolicNameIsAProblem() throws Exception {
        written(Jars.withManifest(deploy.resolve("lib.jar"), "Implementation-Title", "lib"));
        assertEntry(only(OLD), State.PROBLEM, "no Bundle-SymbolicName");
    }

    @Test
    void aBundleInstalledFromTheFileIsLive() throws Exception {
        Path jar = written(Jars.bundle(deploy.resolve("m.jar"), "org.x.m", "1.0.0"));
        container.installed.put(jar, new DeployFolderScanner.InstalledBundle("org.x.m", "1.0.0", null));
        assertEntry(only(YOUNG), State.LIVE, "bundle org.x.m 1.0.0 active");
        assertEntry(only(OLD), State.LIVE, "bundle org.x.m 1.0.0 active");
        assertEquals(List.of(jar, jar), container.asked, "the scanner asks by the file's absolute path");
    }

    @Test
    void anInstalledBundleWithAProblemIsBeingStartedWhileYoungThenAProblemWithThatReason() throws Exception {
        Path jar = written(Jars.bundle(deploy.resolve("m.jar"), "org.x.m", "1.0.0"));
        container.installed.put(jar, new DeployFolderScanner.InstalledBundle("org.x.m", "1.0.0",
                "is installed but not resolved: missing package (osgi.wiring.package=org.nowhere)"));
        assertEntry(only(YOUNG), State.SETTLING, "bundle org.x.m 1.0.0 being started");
        assertEntry(only(OLD), State.PROBLEM, "bundle org.x.m 1.0.0 is installed but not resolved: missing package");
    }

    @Test
    void aDuplicateOfABundleInstalledElsewhereIsAProblemNamingTheOtherLocation() throws Exception {
        written(Jars.bundle(deploy.resolve("copy.jar"), "org.lethe.api", "1.0.0"));
        container.elsewhere.put("org.lethe.api 1.0.0", "reference:file:/opt/lethe/bundle/org.lethe.api.jar");
        DeployEntry entry = only(YOUNG);
        assertEntry(entry, State.PROBLEM, "bundle org.lethe.api 1.0.0 is already installed from "
                + "reference:file:/opt/lethe/bundle/org.lethe.api.jar; this copy is ignored");
    }

    @Test
    void aBundleNotYetInstalledIsSettlingWhileYoungAndAProblemAfter() throws Exception {
        written(Jars.bundle(deploy.resolve("new.jar"), "org.x.n", "2.0.0"));
        assertEntry(only(YOUNG), State.SETTLING, "bundle org.x.n 2.0.0 being installed");
        assertEntry(only(OLD), State.PROBLEM, "bundle org.x.n 2.0.0 was not installed (is FileInstall running?)");
    }

    @Test
    void aFileMovedInWithAnOldModificationTimeGetsTheSettlingWindowFromWhenItAppeared() throws Exception {
        written(Jars.bundle(deploy.resolve("present.jar"), "org.x.p", "1.0.0"));
        // the first scan judges what was there before by modification time alone
        assertEntry(only(OLD + 10_000), State.PROBLEM, "was not installed");
        // a jar moved in later keeps its old time (mv, cp -p): it settles from when it was first seen
        Files.delete(deploy.resolve("present.jar"));
        written(Jars.bundle(deploy.resolve("moved.jar"), "org.x.m", "1.0.0"));
        long firstSeen = OLD + 20_000;
        assertEntry(only(firstSeen), State.SETTLING, "being installed");
        assertEntry(only(firstSeen + SETTLE - 1), State.SETTLING, "being installed");
        assertEntry(only(firstSeen + SETTLE), State.PROBLEM, "was not installed");
    }

    @Test
    void aFileThatReappearsGetsANewWindow() throws Exception {
        Path jar = written(Jars.bundle(deploy.resolve("a.jar"), "org.x.a", "1.0.0"));
        scanner.scan(container, OLD);
        Files.move(jar, root.resolve("a.jar"));
        assertEquals(List.of(), scanner.scan(container, OLD + 5_000));
        Files.move(root.resolve("a.jar"), jar);
        assertEntry(only(OLD + 10_000), State.SETTLING, "being installed");
    }

    @Test
    void aConfigurationAppliedIsLiveOtherwiseSettlingThenAProblem() throws Exception {
        Path cfg = written(Files.writeString(deploy.resolve("org.lethe.method.flat-fast.cfg"), "lr=1e-5\n"));
        assertEntry(only(YOUNG), State.SETTLING, "configuration being read");
        assertEntry(only(OLD), State.PROBLEM, "configuration not applied");
        container.configurations.add(cfg);
        assertEntry(only(OLD), State.LIVE, "configuration applied");
    }

    @Test
    void configSuffixesAreMatchedWithoutCase() throws Exception {
        Path cfg = written(Files.writeString(deploy.resolve("a.CONFIG"), "x=1\n"));
        container.configurations.add(cfg);
        assertEntry(only(OLD), State.LIVE, "configuration applied");
    }

    @Test
    void aStrayFileIsAProblemEvenWhileYoung() throws Exception {
        written(Files.writeString(deploy.resolve("notes.txt"), "hello"));
        assertEntry(only(YOUNG), State.PROBLEM, "neither a bundle (.jar) nor a configuration (.cfg, .config); ignored");
    }

    @Test
    void aFolderIsAProblem() throws Exception {
        written(Files.createDirectories(deploy.resolve("sub")));
        assertEntry(only(OLD), State.PROBLEM, "a folder");
    }

    @Test
    void hiddenFilesAreSkipped() throws Exception {
        written(Jars.randomBytes(deploy.resolve(".partial.jar")));
        written(Files.writeString(deploy.resolve(".DS_Store"), "x"));
        written(Files.createDirectories(deploy.resolve(".git")));
        assertEquals(List.of(), scanner.scan(container, OLD));
    }

    @Test
    void entriesComeInNameOrder() throws Exception {
        written(Files.writeString(deploy.resolve("c.txt"), "x"));
        written(Jars.randomBytes(deploy.resolve("a.jar")));
        written(Files.writeString(deploy.resolve("b.cfg"), "x=1"));
        List<String> names = scanner.scan(container, OLD).stream()
                .map(e -> e.file().getFileName().toString()).toList();
        assertEquals(List.of("a.jar", "b.cfg", "c.txt"), names);
    }

    @Test
    void aJarRewrittenInPlaceIsInspectedAgain() throws Exception {
        Path jar = written(Jars.randomBytes(deploy.resolve("m.jar")));
        assertEntry(only(OLD), State.PROBLEM, "not a readable jar");
        Jars.bundle(jar, "org.x.m", "1.0.0");
        Files.setLastModifiedTime(jar, FileTime.fromMillis(WRITTEN + 1_000));
        assertEntry(only(OLD + 1_000), State.PROBLEM, "bundle org.x.m 1.0.0 was not installed");
    }
}
