package org.lethe.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleListener;
import org.osgi.framework.FrameworkListener;
import org.osgi.framework.ServiceListener;
import org.osgi.framework.Version;

/**
 * Waits until a freshly started container has settled: every bundle jar in {@code deploy/} is
 * installed (FileInstall's first scan is done), and no bundle, service or framework event has
 * happened for a quiet period longer than FileInstall's poll interval (components are active).
 */
final class Settler implements AutoCloseable {

    private final BundleContext context;
    private final Path deploy;
    private final BundleListener bundles = e -> touch();
    private final ServiceListener services = e -> touch();
    private final FrameworkListener framework = e -> touch();
    private volatile long lastEvent = System.nanoTime();

    Settler(BundleContext context, Path deploy) {
        this.context = context;
        this.deploy = deploy;
        context.addBundleListener(bundles);
        context.addServiceListener(services);
        context.addFrameworkListener(framework);
    }

    private void touch() {
        lastEvent = System.nanoTime();
    }

    /**
     * @param quietMillis how long nothing must happen
     * @param timeoutMillis give up after this long
     * @return true when settled, false on timeout
     */
    boolean await(long quietMillis, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (System.nanoTime() < deadline) {
            long quietFor = (System.nanoTime() - lastEvent) / 1_000_000;
            if (quietFor >= quietMillis && deployJarsInstalled()) {
                return true;
            }
            Thread.sleep(Math.max(10, Math.min(50, quietMillis - quietFor)));
        }
        return false;
    }

    /** Every jar in deploy/ that FileInstall can install (it has a Bundle-SymbolicName) is installed. */
    private boolean deployJarsInstalled() {
        List<Path> jars;
        try (Stream<Path> list = Files.list(deploy)) {
            jars = list.filter(p -> p.getFileName().toString().endsWith(".jar")).toList();
        } catch (IOException e) {
            return true;
        }
        Bundle[] installed = context.getBundles();
        for (Path jar : jars) {
            String[] identity = identity(jar);
            if (identity == null) {
                continue; // not a bundle: FileInstall ignores it, and so does the wait
            }
            boolean found = false;
            for (Bundle bundle : installed) {
                if (identity[0].equals(bundle.getSymbolicName())
                        && Version.parseVersion(identity[1]).equals(bundle.getVersion())) {
                    found = true;
                    break;
                }
            }
            if (!found) {
                return false;
            }
        }
        return true;
    }

    private static String[] identity(Path jar) {
        try (JarFile file = new JarFile(jar.toFile())) {
            var manifest = file.getManifest();
            String bsn = manifest == null ? null : manifest.getMainAttributes().getValue("Bundle-SymbolicName");
            if (bsn == null || bsn.isBlank()) {
                return null;
            }
            String version = manifest.getMainAttributes().getValue("Bundle-Version");
            Version.parseVersion(version == null ? "0" : version.trim());
            return new String[] {bsn.split(";", 2)[0].trim(), version == null ? "0" : version.trim()};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    @Override
    public void close() {
        context.removeBundleListener(bundles);
        context.removeServiceListener(services);
        context.removeFrameworkListener(framework);
    }
}
