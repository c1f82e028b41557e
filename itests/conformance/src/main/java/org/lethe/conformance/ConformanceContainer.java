package org.lethe.conformance;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
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
 * The Pax Exam configuration of a conformance container: the distribution's own bundle set (read
 * from its {@code bundle/} folder at test time, configured as the launcher configures it), the kit
 * itself as a bundle, and the bundles under test; every folder (data, deploy, Felix cache, engine
 * cache) under the test's work folder, emptied first.
 *
 * <p>Runs on the driver side (in a {@code @Configuration} method); with Pax Exam's native container
 * the framework runs in the same JVM, so each test class needs a JVM of its own (failsafe
 * {@code reuseForks=false}: libtorch loads once per JVM).
 */
public final class ConformanceContainer {

    /** System property: the built distribution folder ({@code distribution/target/lethe-<version>}). */
    public static final String DIST = "lethe.dist";
    /** System property: a scratch folder (default {@code target/work}); each test class gets a sub-folder. */
    public static final String WORK = "lethe.test.work";

    /** Framework property: the data folder (models, runs), as the launcher sets it. */
    public static final String DATA_PROPERTY = "lethe.data";
    /** Framework property: the watched deploy folder, as the launcher sets it. */
    public static final String DEPLOY_PROPERTY = "lethe.deploy";
    /** Framework property: the kit's own scratch folder (data files, import folders). */
    public static final String KIT_PROPERTY = "lethe.conformance.work";

    /** Left out: its activator starts an interactive shell on standard input. */
    static final String GOGO_JLINE = "org.apache.felix.gogo.jline";

    private ConformanceContainer() {
    }

    /**
     * @param testClass names the work folder ({@code <work>/<simple name>}), emptied here
     * @param bundles the bundles under test, installed and started after the distribution's
     * @return the options of a container running the distribution's bundle set, the kit and the bundles
     */
    public static Option[] options(Class<?> testClass, List<Path> bundles) {
        Path dist = Path.of(required(DIST)).toAbsolutePath().normalize();
        Path work = Path.of(System.getProperty(WORK, "target/work")).toAbsolutePath().normalize()
                .resolve(testClass.getSimpleName());
        deleteRecursively(work);
        Path data = createDirectories(work.resolve("data"));
        Path deploy = createDirectories(work.resolve("deploy"));
        Path kit = createDirectories(work.resolve("kit"));
        Path nativeDir = nativeDir(dist);

        List<Option> options = new ArrayList<>();
        for (Path jar : distributionBundles(dist)) {
            // reference: installs in place, as the launcher does; nothing is copied into the cache
            UrlProvisionOption option = bundle("reference:" + jar.toUri());
            options.add(isFragment(jar) ? option.start(false) : option);
        }
        options.add(junitBundles());
        options.add(bundle("reference:" + kitLocation()));
        for (Path jar : bundles) {
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException("the bundle under test " + jar + " does not exist: build it first");
            }
            options.add(bundle("reference:" + jar.toUri()));
        }

        options.add(frameworkProperty("org.osgi.framework.storage").value(work.resolve("felix-cache").toString()));
        options.add(frameworkProperty(DATA_PROPERTY).value(data.toString()));
        options.add(frameworkProperty(DEPLOY_PROPERTY).value(deploy.toString()));
        options.add(frameworkProperty(KIT_PROPERTY).value(kit.toString()));
        // FileInstall on the deploy folder, as etc/org.apache.felix.fileinstall-deploy.cfg has it
        options.add(frameworkProperty("felix.fileinstall.dir").value(deploy.toString()));
        options.add(frameworkProperty("felix.fileinstall.poll").value("200"));
        options.add(frameworkProperty("felix.fileinstall.noInitialDelay").value("true"));
        options.add(frameworkProperty("felix.fileinstall.bundles.new.start").value("true"));
        options.add(frameworkProperty("felix.fileinstall.log.level").value("2"));
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

    /**
     * @return where the kit's classes come from on the driver side: its jar, or its classes folder
     *     (Felix installs an exploded bundle from a folder by reference)
     */
    static String kitLocation() {
        URL location = ConformanceContainer.class.getProtectionDomain().getCodeSource().getLocation();
        try {
            Path path = Path.of(location.toURI());
            if (Files.isDirectory(path) && !Files.isRegularFile(path.resolve("META-INF/MANIFEST.MF"))) {
                throw new IllegalStateException("the kit's classes folder " + path + " has no OSGi manifest: build"
                        + " lethe-conformance with its bnd.bnd (mvn install -pl itests/conformance)");
            }
            return path.toUri().toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the conformance kit's classes: " + location, e);
        }
    }

    /**
     * @param dist the distribution folder
     * @return the jars of {@code <dist>/bundle}, by name, without {@value #GOGO_JLINE}
     */
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

    private static String symbolicName(Path jar) {
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

    private static String required(String property) {
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
