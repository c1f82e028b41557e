package org.lethe.itests.container;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.options.UrlProvisionOption;

/**
 * The Pax Exam configuration of a Lethe container: exactly the distribution's bundle set, read from
 * its {@code bundle/} folder at test time, configured the way {@code etc/*.properties} and
 * {@code etc/org.apache.felix.fileinstall-deploy.cfg} configure the real one, with every folder
 * under {@code target/}.
 *
 * <p>Runs on the driver side (in {@code @Configuration}); the container is Felix in the same JVM.
 * Each test class gets its own JVM (failsafe {@code reuseForks=false}: libtorch loads once per JVM)
 * and its own work folder.
 */
final class LetheContainer {

    /** Failsafe system property: the built distribution folder. */
    static final String DIST = "lethe.dist";
    /** Failsafe system property: the method fixture bundle jar. */
    static final String FIXTURE_METHOD = "lethe.fixture.method";
    /** Failsafe system property: the failing fixture bundle jar. */
    static final String FIXTURE_FAILING = "lethe.fixture.failing";
    /** Failsafe system property: a scratch folder under target/. */
    static final String WORK = "lethe.test.work";

    /** Framework property the Deploy folder health check reads (the launcher sets it). */
    static final String DEPLOY_PROPERTY = "lethe.deploy";
    /** Framework property of these tests: a folder outside the deploy folder, on the same file system. */
    static final String STAGING_PROPERTY = "lethe.itests.staging";

    /**
     * Left out of the bundle set: its activator starts an interactive shell on standard input
     * (which, at the end of the failsafe JVM's stdin, would stop the framework under the tests).
     */
    static final String GOGO_JLINE = "org.apache.felix.gogo.jline";

    private LetheContainer() {
    }

    /**
     * @param testClass names the work folder ({@code target/work/<simple name>}), emptied here
     * @return the options of a container running the distribution's bundle set
     */
    static Option[] options(Class<?> testClass) {
        Path dist = Path.of(required(DIST)).toAbsolutePath().normalize();
        Path work = Path.of(required(WORK)).toAbsolutePath().normalize().resolve(testClass.getSimpleName());
        deleteRecursively(work);
        Path deploy = createDirectories(work.resolve("deploy"));
        Path staging = createDirectories(work.resolve("staging"));
        Path nativeDir = nativeDir(dist);

        List<Option> options = new ArrayList<>();
        for (Path jar : distributionBundles(dist)) {
            // reference: installs in place, as the launcher does; nothing is copied into the cache
            UrlProvisionOption option = bundle("reference:" + jar.toUri());
            options.add(isFragment(jar) ? option.start(false) : option);
        }
        options.add(junitBundles());

        options.add(frameworkProperty("org.osgi.framework.storage").value(work.resolve("felix-cache").toString()));
        options.add(frameworkProperty(DEPLOY_PROPERTY).value(deploy.toString()));
        // the core's store and run records go under target/, never into the source tree
        options.add(frameworkProperty("lethe.data").value(work.resolve("data").toString()));
        options.add(frameworkProperty(STAGING_PROPERTY).value(staging.toString()));
        // FileInstall on the deploy folder, as etc/org.apache.felix.fileinstall-deploy.cfg has it
        options.add(frameworkProperty("felix.fileinstall.dir").value(deploy.toString()));
        options.add(frameworkProperty("felix.fileinstall.poll").value("200"));
        options.add(frameworkProperty("felix.fileinstall.noInitialDelay").value("true"));
        options.add(frameworkProperty("felix.fileinstall.bundles.new.start").value("true"));
        options.add(frameworkProperty("felix.fileinstall.log.level").value("2"));
        // Felix Log keeps 100 entries by default; the tests count WARN entries over a whole class
        options.add(frameworkProperty("org.apache.felix.log.maxSize").value("10000"));
        // read by org.lethe.djl's activator through BundleContext.getProperty
        options.add(frameworkProperty("PYTORCH_LIBRARY_PATH").value(nativeDir.toString()));

        // etc/system.properties: DJL reads these as JVM system properties before its engine starts
        Path engineCache = work.resolve("engine-cache");
        options.add(systemProperty("PYTORCH_LIBRARY_PATH").value(nativeDir.toString()));
        options.add(systemProperty("ai.djl.offline").value("true"));
        options.add(systemProperty("OPT_OUT_TRACKING").value("true"));
        options.add(systemProperty("ENGINE_CACHE_DIR").value(engineCache.toString()));
        options.add(systemProperty("DJL_CACHE_DIR").value(engineCache.toString()));
        options.add(systemProperty("ai.djl.pytorch.num_threads").value("1"));
        options.add(systemProperty("ai.djl.pytorch.num_interop_threads").value("1"));
        options.add(systemProperty("org.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils").value("error"));
        return options.toArray(Option[]::new);
    }

    /** @return the jars of {@code <dist>/bundle}, by name, without {@value #GOGO_JLINE} */
    static List<Path> distributionBundles(Path dist) {
        Path folder = dist.resolve("bundle");
        if (!Files.isDirectory(folder)) {
            throw new IllegalStateException(folder + " does not exist: build the distribution module first");
        }
        try (Stream<Path> list = Files.list(folder)) {
            List<Path> jars = list.filter(p -> p.getFileName().toString().endsWith(".jar"))
                    .filter(p -> !GOGO_JLINE.equals(symbolicName(p)))
                    .sorted()
                    .toList();
            if (jars.isEmpty()) {
                throw new IllegalStateException(folder + " holds no bundles");
            }
            return jars;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the symbolic name in the jar's manifest, without directives, or null */
    static String symbolicName(Path jar) {
        String bsn = mainAttributes(jar).getValue("Bundle-SymbolicName");
        return bsn == null ? null : bsn.split(";", 2)[0].trim();
    }

    private static boolean isFragment(Path jar) {
        return mainAttributes(jar).getValue("Fragment-Host") != null;
    }

    private static Attributes mainAttributes(Path jar) {
        try (JarFile file = new JarFile(jar.toFile())) {
            return file.getManifest() == null ? new Attributes() : file.getManifest().getMainAttributes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + jar, e);
        }
    }

    /** @return the one folder under {@code <dist>/native/pytorch} (e.g. {@code 2.7.1-cpu-linux-x86_64}) */
    private static Path nativeDir(Path dist) {
        Path pytorch = dist.resolve("native").resolve("pytorch");
        try (Stream<Path> list = Files.list(pytorch)) {
            List<Path> dirs = list.filter(Files::isDirectory).toList();
            if (dirs.size() != 1) {
                throw new IllegalStateException("expected one libtorch folder in " + pytorch + ", found " + dirs);
            }
            return dirs.get(0);
        } catch (IOException e) {
            throw new UncheckedIOException("no pre-extracted libtorch under " + pytorch, e);
        }
    }

    static String required(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("system property " + property + " is not set (failsafe sets it)");
        }
        return value;
    }

    private static Path createDirectories(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot empty " + dir, e);
        }
    }
}
