package org.lethe.container.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Files as they turn up in a deploy folder. */
final class Jars {

    private Jars() {
    }

    /** A jar whose manifest has these main attributes (name, value, name, value, ...). */
    static Path withManifest(Path file, String... headers) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        for (int i = 0; i < headers.length; i += 2) {
            manifest.getMainAttributes().putValue(headers[i], headers[i + 1]);
        }
        try (OutputStream out = Files.newOutputStream(file); JarOutputStream jar = new JarOutputStream(out, manifest)) {
            jar.putNextEntry(new ZipEntry("org/x/Some.class"));
            jar.write(new byte[] {(byte) 0xCA, (byte) 0xFE});
            jar.closeEntry();
        }
        return file;
    }

    /** A bundle jar. */
    static Path bundle(Path file, String symbolicName, String version) throws IOException {
        return withManifest(file, "Bundle-ManifestVersion", "2", "Bundle-SymbolicName", symbolicName,
                "Bundle-Version", version);
    }

    /** A well-formed zip without META-INF/MANIFEST.MF. */
    static Path withoutManifest(Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry("readme.txt"));
            zip.write("not a bundle".getBytes());
            zip.closeEntry();
        }
        return file;
    }

    /** Random bytes. */
    static Path randomBytes(Path file) throws IOException {
        byte[] bytes = new byte[4096];
        new Random(42).nextBytes(bytes);
        return Files.write(file, bytes);
    }
}
