package org.lethe.runtime;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.BundleWiring;

/**
 * A running Lethe container: the data-folder lock, the log file, and a started Felix framework with
 * every bundle of {@code bundle/} started (the shell bundle last, and only where a shell is wanted).
 */
public final class Container implements AutoCloseable {

    /** The shell bundle: it reads standard input as soon as it starts, so it starts last. */
    static final String SHELL_BUNDLE = "org.apache.felix.gogo.jline";

    /** The OSGi log service, started before the others. */
    static final String LOG_BUNDLE = "org.apache.felix.log";

    /** JLine, whose class loader the shell thread needs (see {@link #startShell}). */
    static final String JLINE_BUNDLE = "org.jline";

    /** Service property of the log sinks registered for the log writer bundle. */
    static final String SINK_PROPERTY = "lethe.log.sink";

    /** How the container talks to the outside world. */
    public enum Mode {
        /** The Gogo shell on the terminal; stops when the shell exits. */
        SHELL,
        /** No shell on standard input; runs until stopped (SIGTERM) . */
        SERVICE,
        /** One command in its own session, then stop. */
        ONE_SHOT
    }

    /**
     * JLine reports through java.util.logging that it fell back to a dumb terminal whenever standard
     * input is not a terminal: expected for one-shot commands and services, so silenced there.
     * Held here because java.util.logging keeps only weak references to configured loggers.
     */
    private static final java.util.logging.Logger JLINE_LOG = java.util.logging.Logger.getLogger("org.jline");

    private final Layout layout;
    private final DataFolderLock lock;
    private final LogFile log;
    private final PrintStream console;
    private final PrintStream errors;
    private final Framework framework;

    private Container(Layout layout, DataFolderLock lock, LogFile log, PrintStream console, PrintStream errors,
            Framework framework) {
        this.layout = layout;
        this.lock = lock;
        this.log = log;
        this.console = console;
        this.errors = errors;
        this.framework = framework;
    }

    /**
     * Locks the data folder, applies {@code etc/system.properties}, starts the framework and its
     * bundles, and returns once the framework is active (not yet settled: see {@link #awaitSettled}).
     */
    public static Container start(Layout layout, Mode mode) throws LauncherException {
        layout.check();
        if (mode != Mode.SHELL) {
            JLINE_LOG.setLevel(java.util.logging.Level.SEVERE);
        }
        DataFolderLock lock = DataFolderLock.acquire(layout.data(), layout.home());
        LogFile log = null;
        try {
            log = LogFile.open(layout.logFile());
            PrintStream console = System.err;
            PrintStream errors = log.teeTo(console);
            System.setErr(errors);
            Map<String, String> builtins = builtins(layout);
            applySystemProperties(layout, builtins);
            Map<String, String> config = frameworkProperties(layout, builtins, mode);

            FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class).iterator().next();
            Framework framework = factory.newFramework(config);
            framework.init();
            BundleContext context = framework.getBundleContext();
            registerSink(context, "file", log);
            registerSink(context, "console", line -> {
                console.println(line);
                console.flush();
            });
            List<Bundle> installed = install(context, layout.bundles());
            framework.start();
            Bundle shell = null;
            // the log service first: bundles that start before it (FileInstall) print to the console
            for (Bundle bundle : installed) {
                if (LOG_BUNDLE.equals(bundle.getSymbolicName())) {
                    startQuietly(bundle);
                }
            }
            for (Bundle bundle : installed) {
                if (SHELL_BUNDLE.equals(bundle.getSymbolicName())) {
                    shell = bundle;
                } else {
                    startQuietly(bundle);
                }
            }
            if (shell != null) {
                startShell(shell, installed);
            }
            return new Container(layout, lock, log, console, errors, framework);
        } catch (BundleException | IOException | RuntimeException e) {
            closeQuietly(log);
            closeQuietly(lock);
            throw new LauncherException(ExitStatus.FAILED, "the container did not start: " + e);
        } catch (LauncherException e) {
            closeQuietly(log);
            closeQuietly(lock);
            throw e;
        }
    }

    /** Values every etc/*.properties file may refer to as {@code ${name}}. */
    static Map<String, String> builtins(Layout layout) {
        Map<String, String> values = new HashMap<>();
        values.put(Layout.HOME_PROPERTY, layout.home().toString());
        values.put(Layout.DATA_PROPERTY, layout.data().toString());
        values.put(Layout.DEPLOY_PROPERTY, layout.deploy().toString());
        values.put("lethe.etc", layout.etc().toString());
        values.put("lethe.log.file", layout.logFile().toString());
        values.put("lethe.felix.cache", layout.felixCache().toString());
        values.put("lethe.engine.cache", layout.engineCache().toString());
        return values;
    }

    /**
     * {@code etc/system.properties} become JVM system properties, unless already set on the command
     * line (so {@code -Dkey=value} wins): DJL reads its offline mode, cache and thread settings there,
     * before its engine starts.
     */
    private static void applySystemProperties(Layout layout, Map<String, String> builtins) throws LauncherException {
        Map<String, String> props = PropertiesFile.read(layout.etc().resolve("system.properties"),
                name -> builtins.getOrDefault(name, System.getProperty(name)));
        props.forEach((key, value) -> {
            if (System.getProperty(key) == null) {
                System.setProperty(key, value);
            }
        });
    }

    private static Map<String, String> frameworkProperties(Layout layout, Map<String, String> builtins, Mode mode)
            throws LauncherException {
        Map<String, String> config = new HashMap<>(PropertiesFile.read(layout.etc().resolve("framework.properties"),
                name -> builtins.getOrDefault(name, System.getProperty(name))));
        config.putAll(builtins);
        config.put(Constants.FRAMEWORK_STORAGE, layout.felixCache().toString());
        config.putIfAbsent(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        // Only the shell mode gives the shell the terminal; the others keep the shell's commands
        // (and an ACTIVE shell bundle) without it reading standard input or stopping at its end.
        config.put("gosh.args", mode == Mode.SHELL ? config.getOrDefault("gosh.args", "") : "--nointeractive");
        for (String key : System.getProperties().stringPropertyNames()) {
            if (key.startsWith("felix.") || key.startsWith("org.osgi.") || key.startsWith("gosh.")
                    || key.startsWith("ds.")) {
                config.put(key, System.getProperty(key));
            }
        }
        return config;
    }

    private static void registerSink(BundleContext context, String name, Consumer<String> sink) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(SINK_PROPERTY, name);
        context.registerService(Consumer.class, sink, props);
    }

    private static List<Bundle> install(BundleContext context, Path folder) throws IOException, BundleException {
        List<Path> jars;
        try (Stream<Path> list = Files.list(folder)) {
            jars = list.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
        }
        List<Bundle> bundles = new ArrayList<>();
        for (Path jar : jars) {
            // reference: installs in place; nothing is copied into the Felix cache
            bundles.add(context.installBundle("reference:" + jar.toUri()));
        }
        return bundles;
    }

    /**
     * JLine finds its terminal providers (exec, jna, ...) through the thread context class loader;
     * the shell thread inherits it from the thread that starts the shell bundle. Without JLine's own
     * loader there it falls back to a dumb terminal: no completion, no history, and Ctrl-C stops the
     * JVM instead of the running command.
     */
    private static void startShell(Bundle shell, List<Bundle> installed) {
        ClassLoader jline = null;
        for (Bundle bundle : installed) {
            BundleWiring wiring = JLINE_BUNDLE.equals(bundle.getSymbolicName()) ? bundle.adapt(BundleWiring.class) : null;
            if (wiring != null) {
                jline = wiring.getClassLoader();
            }
        }
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        if (jline != null) {
            thread.setContextClassLoader(jline);
        }
        try {
            startQuietly(shell);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private static void startQuietly(Bundle bundle) {
        BundleRevision revision = bundle.adapt(BundleRevision.class);
        if (revision != null && (revision.getTypes() & BundleRevision.TYPE_FRAGMENT) != 0) {
            return;
        }
        try {
            bundle.start();
        } catch (BundleException | RuntimeException e) {
            // one bundle failing to start must not stop the others; the log says which and why
            System.err.println("WARN bundle " + bundle.getSymbolicName() + " did not start: " + e.getMessage());
        }
    }

    /**
     * Waits until the first deploy-folder scan is done and the container is quiet.
     *
     * @return false when it did not settle in time (the caller goes on, with a warning)
     */
    public boolean awaitSettled(long quietMillis, long timeoutMillis) throws InterruptedException {
        try (Settler settler = new Settler(framework.getBundleContext(), layout.deploy())) {
            return settler.await(quietMillis, timeoutMillis);
        }
    }

    /** @return the framework */
    public Framework framework() {
        return framework;
    }

    /** @return the folders of this container */
    public Layout layout() {
        return layout;
    }

    /**
     * Standard error as the launcher set it: the console, with a copy in the log file. Not
     * {@code System.err} once the container runs: the Gogo runtime replaces that with a stream that
     * writes to the current command session's error stream, so handing it to a session as that
     * session's error stream makes every write loop until the stack overflows.
     *
     * @return the console, teed into the log file
     */
    public PrintStream errors() {
        return errors;
    }

    /** @return the console (standard error as it was before the log tee) */
    public PrintStream console() {
        return console;
    }

    /** Blocks until the framework has stopped (e.g. the shell's {@code exit}). */
    public void awaitStop() throws InterruptedException {
        framework.waitForStop(0);
    }

    /** Stops the framework (waiting up to 30 s), then releases the log and the data-folder lock. */
    @Override
    public void close() {
        try {
            if ((framework.getState() & (Bundle.ACTIVE | Bundle.STARTING | Bundle.STOPPING)) != 0) {
                framework.stop();
            }
            FrameworkEvent event = framework.waitForStop(30_000);
            if (event.getType() == FrameworkEvent.WAIT_TIMEDOUT) {
                console.println("WARN the container did not stop within 30 s");
            }
        } catch (BundleException | InterruptedException e) {
            console.println("WARN stopping the container: " + e);
        } finally {
            System.setErr(console);
            closeQuietly(log);
            closeQuietly(lock);
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception ignored) {
            // closing on the way out; the first failure has been reported
        }
    }
}
