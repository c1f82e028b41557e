package org.lethe.itests.shell;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** Broken things to drop into {@code deploy/}, for {@code unlearn:diag} and {@code unlearn:methods}. */
final class Jars {

    private Jars() {
    }

    /** A bundle that imports a package nothing exports: it stays INSTALLED. */
    static Path missingImport(Path target) throws IOException {
        return jar(target, Map.of("Bundle-SymbolicName", "org.example.needy", "Bundle-Version", "1.0.0",
                "Import-Package", "org.example.nowhere;version=\"[1.0,2)\""), Map.of());
    }

    /**
     * A bundle with a method component whose reference nothing satisfies: its class is never loaded, so
     * it need not exist; the component stays unsatisfied.
     */
    static Path unsatisfiedMethod(Path target) throws IOException {
        String xml = """
                <?xml version="1.0" encoding="UTF-8"?>
                <scr:component xmlns:scr="http://www.osgi.org/xmlns/scr/v1.4.0" name="org.example.Stuck">
                  <property name="lethe.method" type="String" value="stuck"/>
                  <property name="lethe.modality" type="String" value="language"/>
                  <service><provide interface="org.lethe.api.method.UnlearningMethod"/></service>
                  <reference name="helper" interface="org.example.Helper"/>
                  <implementation class="org.example.Stuck"/>
                </scr:component>
                """;
        return jar(target, Map.of("Bundle-SymbolicName", "org.example.stuck", "Bundle-Version", "1.0.0",
                "Service-Component", "OSGI-INF/stuck.xml"), Map.of("OSGI-INF/stuck.xml", xml));
    }

    /** Not a jar at all. */
    static Path junk(Path target) throws IOException {
        return Files.write(target, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    }

    private static Path jar(Path target, Map<String, String> headers, Map<String, String> entries) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().putValue("Bundle-ManifestVersion", "2");
        headers.forEach(manifest.getMainAttributes()::putValue);
        Path temp = target.resolveSibling("." + target.getFileName() + ".tmp");
        try (OutputStream file = Files.newOutputStream(temp); JarOutputStream jar = new JarOutputStream(file, manifest)) {
            for (Map.Entry<String, String> entry : entries.entrySet()) {
                jar.putNextEntry(new JarEntry(entry.getKey()));
                jar.write(entry.getValue().getBytes(StandardCharsets.UTF_8));
                jar.closeEntry();
            }
        }
        return Files.move(temp, target);
    }
}
