package org.lethe.container.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * What a jar in the deploy folder says about itself, read the way FileInstall decides whether it
 * can install a file (a readable jar with a {@code Bundle-SymbolicName}).
 *
 * @param symbolicName the symbolic name without directives, or null when the file is not a bundle
 * @param version the {@code Bundle-Version}, {@code 0.0.0} when absent
 * @param problem why this file is not a bundle, or null when it is one
 */
record JarInspection(String symbolicName, String version, String problem) {

    static JarInspection of(Path file) {
        try (JarFile jar = new JarFile(file.toFile())) {
            Manifest manifest = jar.getManifest();
            if (manifest == null) {
                return new JarInspection(null, null,
                        "a jar without META-INF/MANIFEST.MF, so not a bundle; FileInstall ignores it");
            }
            Attributes main = manifest.getMainAttributes();
            String bsn = main.getValue("Bundle-SymbolicName");
            if (bsn == null || bsn.isBlank()) {
                return new JarInspection(null, null,
                        "its manifest has no Bundle-SymbolicName, so it is not a bundle; FileInstall ignores it");
            }
            String version = main.getValue("Bundle-Version");
            return new JarInspection(bsn.split(";", 2)[0].trim(),
                    version == null || version.isBlank() ? "0.0.0" : version.trim(), null);
        } catch (IOException | SecurityException e) {
            return new JarInspection(null, null, "not a readable jar (" + e.getMessage()
                    + "): corrupt, or still being copied; FileInstall ignores it");
        }
    }
}
