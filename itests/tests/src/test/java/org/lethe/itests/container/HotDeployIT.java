package org.lethe.itests.container;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import javax.inject.Inject;
import org.apache.felix.hc.api.Result;
import org.apache.felix.hc.api.ResultLog;
import org.apache.felix.hc.api.execution.HealthCheckExecutor;
import org.lethe.djl.EngineStatus;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.SynchronousBundleListener;

/**
 * Hot deployment through the watched deploy folder, and what the container does with bad input
 * there: it keeps running, disturbs no other bundle, and names the file and the reason once in the
 * "Deploy folder" health check and once in the OSGi log.
 *
 * <p>One container for the class ({@link PerClass}): libtorch loads once per JVM. Every test
 * leaves the deploy folder empty and the container as it found it.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class HotDeployIT {

    private static final String METHOD_BSN = "org.lethe.itests.fixture.method";
    private static final String FAILING_BSN = "org.lethe.itests.fixture.failing";
    private static final String UNRESOLVABLE_BSN = "org.lethe.itests.unresolvable";
    private static final String METHOD_FILTER = "(lethe.method=fixture)";
    /** {@code FailingMethod.MESSAGE} in the failing fixture. */
    private static final String FAILING_MESSAGE = "fixture: activate fails on purpose";
    /** FileInstall polls every 200 ms here; a half-written file stays half-written for three polls. */
    private static final long PAST_ONE_POLL_MILLIS = 600;

    @Inject
    private BundleContext context;

    private Path deploy;
    private Path staging;
    private Disturbances disturbances;

    @Configuration
    public Option[] config() {
        return LetheContainer.options(HotDeployIT.class);
    }

    @Before
    public void setUp() throws IOException {
        deploy = Path.of(context.getProperty(LetheContainer.DEPLOY_PROPERTY));
        staging = Path.of(context.getProperty(LetheContainer.STAGING_PROPERTY));
        try (var files = Files.list(deploy)) {
            assertEquals("the deploy folder is empty before each test", List.of(), files.toList());
        }
        // the container (and the engine in it) is up before anything is dropped
        InContainer.awaitService(context, EngineStatus.class, null);
        InContainer.awaitService(context, HealthCheckExecutor.class, null);
        disturbances = new Disturbances(context);
    }

    /** Leaves the deploy folder empty and nothing installed from it, also after a failed test. */
    @After
    public void tearDown() throws IOException {
        try {
            try (var files = Files.list(deploy)) {
                for (Path file : files.toList()) {
                    Files.deleteIfExists(file);
                }
            }
            Await.until("no bundle installed from " + deploy, () -> bundlesFromDeploy().isEmpty());
        } finally {
            if (disturbances != null) {
                disturbances.close();
            }
        }
    }

    private List<String> bundlesFromDeploy() {
        List<String> found = new ArrayList<>();
        for (Bundle bundle : context.getBundles()) {
            String location = bundle.getLocation();
            try {
                if (location.startsWith("file:") && Path.of(URI.create(location)).startsWith(deploy)) {
                    found.add(bundle.getSymbolicName() + " from " + location);
                }
            } catch (IllegalArgumentException notAFilePath) {
                // some other kind of location: not FileInstall's
            }
        }
        return found;
    }

    /**
     * (c) Dropping a method bundle into the deploy folder registers its service; deleting the file
     * removes it; nothing else is refreshed, restarted or updated meanwhile.
     */
    @SuppressWarnings("unchecked")
    @Test
    public void methodBundleComesAndGoesWithItsFileAndDisturbsNothingElse() throws IOException {
        String name = "method-fixture.jar";
        Path file = deployAtomically(Files.readAllBytes(fixture(LetheContainer.FIXTURE_METHOD)), name);

        Supplier<String> method = InContainer.awaitService(context, Supplier.class, METHOD_FILTER);
        assertEquals("learningRate=" + 1e-5f, method.get());
        Result live = Await.until("the Deploy folder check to list " + name + " as a live bundle",
                () -> InContainer.deployCheck(context),
                r -> InContainer.entriesNaming(r, name).stream()
                        .anyMatch(e -> e.getStatus() == Result.Status.OK && e.getMessage().contains("active")));
        assertTrue(InContainer.describe(live), live.isOk());

        Files.delete(file);
        Await.until("the lethe.method=fixture service to go with its file",
                () -> InContainer.noService(context, Supplier.class, METHOD_FILTER));
        Await.until(METHOD_BSN + " to be uninstalled", () -> InContainer.bundles(context, METHOD_BSN).isEmpty());

        assertEquals("installed once: " + disturbances.eventsOf(METHOD_BSN),
                1, disturbances.count(METHOD_BSN, BundleEvent.INSTALLED));
        assertEquals("uninstalled once: " + disturbances.eventsOf(METHOD_BSN),
                1, disturbances.count(METHOD_BSN, BundleEvent.UNINSTALLED));
        disturbances.assertNoneBeyond(Set.of(METHOD_BSN));
    }

    /**
     * A healthy bundle that FileInstall has installed but not yet started is not a problem: the
     * Deploy folder check must not report it as WARN (nor log it) in those few milliseconds.
     *
     * <p>Deterministic: a synchronous bundle listener runs the check on FileInstall's own thread,
     * right at the INSTALLED event, before FileInstall refreshes and starts the bundle.
     */
    @SuppressWarnings("unchecked")
    @Test
    public void bundleBeingInstalledIsNotReportedAsAProblem() throws IOException {
        String name = "being-installed.jar";
        List<Result> atInstall = new CopyOnWriteArrayList<>();
        SynchronousBundleListener listener = event -> {
            if (event.getType() == BundleEvent.INSTALLED && METHOD_BSN.equals(event.getBundle().getSymbolicName())) {
                atInstall.add(InContainer.deployCheck(context));
            }
        };
        context.addBundleListener(listener);
        Path file;
        try {
            file = deployAtomically(Files.readAllBytes(fixture(LetheContainer.FIXTURE_METHOD)), name);
            InContainer.awaitService(context, Supplier.class, METHOD_FILTER);
        } finally {
            context.removeBundleListener(listener);
        }
        Files.delete(file);
        Await.until(METHOD_BSN + " to be uninstalled", () -> InContainer.bundles(context, METHOD_BSN).isEmpty());

        assertEquals("the check ran once, at the INSTALLED event", 1, atInstall.size());
        assertEquals("no WARN while FileInstall installs a healthy bundle: " + InContainer.describe(atInstall.get(0)),
                List.of(), InContainer.entriesNaming(atInstall.get(0), name).stream()
                        .filter(e -> e.getStatus() != Result.Status.OK).map(ResultLog.Entry::getMessage).toList());
        assertEquals("no deploy-folder warning about a healthy bundle",
                List.of(), InContainer.containerWarningsNaming(context, name));
    }

    /**
     * A bundle exporting packages the platform bundle's embedded jars could use (commons-lang3, zstd,
     * even ai.djl.*) must not make FileInstall refresh the platform bundle: libtorch loads once per
     * JVM, so a refreshed platform bundle would lose the engine until the container restarts.
     */
    @Test
    public void bundleExportingPlatformPackagesDoesNotRefreshThePlatform() throws IOException {
        String name = "exporter.jar";
        String bsn = "org.lethe.itests.exporter";
        Manifest manifest = manifest();
        manifest.getMainAttributes().putValue("Bundle-ManifestVersion", "2");
        manifest.getMainAttributes().putValue("Bundle-SymbolicName", bsn);
        manifest.getMainAttributes().putValue("Bundle-Version", "1.0.0");
        manifest.getMainAttributes().putValue("Export-Package", "org.apache.commons.lang3;version=\"3.17.0\","
                + "com.github.luben.zstd;version=\"1.5.0\",ai.djl.ndarray;version=\"0.36.0\"");
        deployAtomically(jar(manifest), name);
        Await.until(bsn + " to be active", () -> InContainer.bundles(context, bsn).stream()
                .anyMatch(b -> b.getState() == Bundle.ACTIVE));
        Await.until("the Deploy folder check to list " + name + " as live", () -> InContainer.deployCheck(context),
                r -> InContainer.entriesNaming(r, name).stream().anyMatch(e -> e.getMessage().contains("active")));
        disturbances.assertNoneBeyond(Set.of(bsn));
    }

    /** Random bytes named like a jar: FileInstall ignores them silently; Lethe says so. */
    @Test
    public void randomBytesNamedJarAreReported() throws IOException {
        byte[] noise = new byte[4096];
        new Random(7).nextBytes(noise);
        assertFaultReported("x.jar", noise, null, "not a readable jar");
    }

    /** A jar whose manifest has no Bundle-SymbolicName is not a bundle; FileInstall ignores it silently. */
    @Test
    public void jarWithoutSymbolicNameIsReported() throws IOException {
        Manifest manifest = manifest();
        manifest.getMainAttributes().putValue("Bundle-ManifestVersion", "2");
        manifest.getMainAttributes().putValue("Bundle-Name", "Not a bundle: no symbolic name");
        manifest.getMainAttributes().putValue("Bundle-Version", "1.0.0");
        assertFaultReported("no-symbolic-name.jar", jar(manifest), null, "no Bundle-SymbolicName");
    }

    /** A bundle that imports a package nobody exports is installed but never resolves. */
    @Test
    public void bundleWithUnresolvableImportIsReported() throws IOException {
        Manifest manifest = manifest();
        manifest.getMainAttributes().putValue("Bundle-ManifestVersion", "2");
        manifest.getMainAttributes().putValue("Bundle-SymbolicName", UNRESOLVABLE_BSN);
        manifest.getMainAttributes().putValue("Bundle-Version", "1.0.0");
        manifest.getMainAttributes().putValue("Import-Package", "does.not.exist");
        assertFaultReported("unresolvable.jar", jar(manifest), UNRESOLVABLE_BSN, "not resolved", "does.not.exist");
    }

    /** A bundle whose component throws in activate: the bundle is active, the component failed. */
    @Test
    public void componentFailingToActivateIsReported() throws IOException {
        assertFaultReported("failing-fixture.jar", Files.readAllBytes(fixture(LetheContainer.FIXTURE_FAILING)),
                FAILING_BSN, "failed to activate", FAILING_MESSAGE);
    }

    /**
     * A jar copied in two halves, with FileInstall polling in between, is installed exactly once,
     * when it is whole, and then works.
     *
     * <p>No assertion on the log here: the half-written file is "settling" for the check's first
     * 2 s, and the second half follows after {@value #PAST_ONE_POLL_MILLIS} ms; only a machine
     * stalled for more than a second in between would (rightly) see it reported as unreadable.
     */
    @SuppressWarnings("unchecked")
    @Test
    public void halfCopiedJarIsInstalledExactlyOnceWhenComplete() throws IOException {
        String name = "half-copied.jar";
        byte[] bytes = Files.readAllBytes(fixture(LetheContainer.FIXTURE_METHOD));
        int half = bytes.length / 2;
        Path file = deploy.resolve(name);
        Files.write(file, Arrays.copyOfRange(bytes, 0, half), StandardOpenOption.CREATE_NEW);
        Await.pause(PAST_ONE_POLL_MILLIS); // part of the scenario: FileInstall sees the half file
        Files.write(file, Arrays.copyOfRange(bytes, half, bytes.length), StandardOpenOption.APPEND);

        Supplier<String> method = InContainer.awaitService(context, Supplier.class, METHOD_FILTER);
        assertEquals("learningRate=" + 1e-5f, method.get());
        // past the check's settle window the file is judged: a live bundle, not a problem
        Result live = Await.until("the Deploy folder check to list " + name + " as a live bundle",
                () -> InContainer.deployCheck(context),
                r -> InContainer.entriesNaming(r, name).stream()
                        .anyMatch(e -> e.getStatus() == Result.Status.OK && e.getMessage().contains("active")));
        assertTrue(InContainer.describe(live), live.isOk());

        Files.delete(file);
        Await.until(METHOD_BSN + " to be uninstalled", () -> InContainer.bundles(context, METHOD_BSN).isEmpty());
        assertEquals("installed exactly once: " + disturbances.eventsOf(METHOD_BSN),
                1, disturbances.count(METHOD_BSN, BundleEvent.INSTALLED));
        assertEquals("never updated: " + disturbances.eventsOf(METHOD_BSN),
                0, disturbances.count(METHOD_BSN, BundleEvent.UPDATED));
        disturbances.assertNoneBeyond(Set.of(METHOD_BSN));
    }

    /**
     * Drops the file into the deploy folder (atomically), then checks: the Deploy folder check is
     * WARN and names the file with every reason fragment; the OSGi log has exactly one WARN from
     * org.lethe.container naming it; after the file is deleted it is gone from the check and its
     * bundle (if it became one) is uninstalled; and nothing else was disturbed.
     *
     * @param bsn the symbolic name of the bundle FileInstall installs from the file, or null when
     *        the file is not a bundle
     */
    private void assertFaultReported(String name, byte[] content, String bsn, String... reason) throws IOException {
        Path file = deployAtomically(content, name);

        // not judged during its first 2 s (it may still be being written); then WARN
        Result result = Await.until("the Deploy folder check to be WARN naming " + name + " and " + List.of(reason),
                () -> InContainer.deployCheck(context),
                r -> r.getStatus() == Result.Status.WARN && InContainer.entriesNaming(r, name).stream()
                        .anyMatch(e -> e.getStatus() == Result.Status.WARN && containsAll(e.getMessage(), reason)));
        List<ResultLog.Entry> entries = InContainer.entriesNaming(result, name);
        assertEquals("one entry for " + name + ": " + InContainer.describe(result), 1, entries.size());
        System.out.println("Deploy folder check on " + name + ": " + entries.get(0).getMessage());

        // logged once, when first judged, and not again on later scans (the check scans on every
        // execution, and in the background every second). Counted: WARN entries from
        // org.lethe.container naming the file and the reason (see bundleBeingInstalledIsNotReportedAsAProblem
        // for the transient warning a bundle can get while FileInstall is still starting it).
        Await.until("a WARN from " + InContainer.CONTAINER_BSN + " naming " + name + " in the OSGi log",
                () -> problemLogged(name, reason), l -> !l.isEmpty());
        for (int i = 0; i < 3; i++) {
            Await.pause(500); // a quiet window spanning background scans; it can only weaken the check, not fail it
            Result again = InContainer.deployCheck(context);
            assertEquals("still WARN: " + InContainer.describe(again), Result.Status.WARN, again.getStatus());
        }
        List<String> logged = problemLogged(name, reason);
        assertEquals("logged exactly once: " + InContainer.containerWarningsNaming(context, name), 1, logged.size());

        Files.delete(file);
        Await.until(name + " gone from the Deploy folder check",
                () -> InContainer.entriesNaming(InContainer.deployCheck(context), name).isEmpty());
        if (bsn != null) {
            Await.until(bsn + " to be uninstalled", () -> InContainer.bundles(context, bsn).isEmpty());
            assertEquals("installed once: " + disturbances.eventsOf(bsn), 1, disturbances.count(bsn, BundleEvent.INSTALLED));
        }
        assertEquals("still logged exactly once: " + InContainer.containerWarningsNaming(context, name),
                1, problemLogged(name, reason).size());
        disturbances.assertNoneBeyond(bsn == null ? Set.of() : Set.of(bsn));
    }

    /** @return the OSGi log's WARN entries from org.lethe.container that name the file and every reason fragment */
    private List<String> problemLogged(String name, String... reason) {
        return InContainer.containerWarningsNaming(context, name).stream().filter(m -> containsAll(m, reason)).toList();
    }

    /** Writes the content under a temporary name outside the deploy folder, then moves it in atomically. */
    private Path deployAtomically(byte[] content, String name) throws IOException {
        Path temp = Files.createTempFile(staging, name, ".part");
        Files.write(temp, content);
        return Files.move(temp, deploy.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    private static Path fixture(String property) {
        Path jar = Path.of(LetheContainer.required(property));
        assertTrue(jar + " exists (build itests/fixtures first)", Files.isRegularFile(jar));
        return jar;
    }

    private static boolean containsAll(String text, String... fragments) {
        for (String fragment : fragments) {
            if (text == null || !text.contains(fragment)) {
                return false;
            }
        }
        return true;
    }

    private static Manifest manifest() {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        return manifest;
    }

    /** @return a jar with this manifest and one resource, built in memory */
    private static byte[] jar(Manifest manifest) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes, manifest)) {
            jar.putNextEntry(new ZipEntry("readme.txt"));
            jar.write("made by HotDeployIT\n".getBytes(StandardCharsets.UTF_8));
            jar.closeEntry();
        }
        return bytes.toByteArray();
    }
}
