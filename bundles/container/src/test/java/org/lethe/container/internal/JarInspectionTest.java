package org.lethe.container.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JarInspectionTest {

    @TempDir
    Path dir;

    @Test
    void aBundleIsNamedWithoutDirectivesAndItsVersionTrimmed() throws Exception {
        JarInspection inspection = JarInspection.of(Jars.withManifest(dir.resolve("a.jar"),
                "Bundle-SymbolicName", " org.lethe.method.flat ; singleton:=true", "Bundle-Version", " 1.2.3.qualifier "));
        assertEquals("org.lethe.method.flat", inspection.symbolicName());
        assertEquals("1.2.3.qualifier", inspection.version());
        assertNull(inspection.problem());
    }

    @Test
    void aBundleWithoutVersionIsVersionZero() throws Exception {
        JarInspection inspection = JarInspection.of(Jars.withManifest(dir.resolve("a.jar"), "Bundle-SymbolicName", "x"));
        assertEquals("x", inspection.symbolicName());
        assertEquals("0.0.0", inspection.version());
        assertNull(inspection.problem());
    }

    @Test
    void aJarWithoutManifestIsNotABundle() throws Exception {
        JarInspection inspection = JarInspection.of(Jars.withoutManifest(dir.resolve("plain.jar")));
        assertNull(inspection.symbolicName());
        assertTrue(inspection.problem().contains("without META-INF/MANIFEST.MF"), inspection.problem());
        assertTrue(inspection.problem().contains("FileInstall ignores it"), inspection.problem());
    }

    @Test
    void aManifestWithoutSymbolicNameIsNotABundle() throws Exception {
        for (String bsn : new String[] {null, "  "}) {
            Path jar = bsn == null ? Jars.withManifest(dir.resolve("lib.jar"), "Implementation-Title", "lib")
                    : Jars.withManifest(dir.resolve("lib.jar"), "Bundle-SymbolicName", bsn);
            JarInspection inspection = JarInspection.of(jar);
            assertNull(inspection.symbolicName());
            assertTrue(inspection.problem().contains("no Bundle-SymbolicName"), inspection.problem());
        }
    }

    @Test
    void randomBytesOrAnEmptyFileAreNotReadable() throws Exception {
        for (Path file : new Path[] {Jars.randomBytes(dir.resolve("noise.jar")),
                Files.createFile(dir.resolve("empty.jar"))}) {
            JarInspection inspection = JarInspection.of(file);
            assertNull(inspection.symbolicName());
            assertTrue(inspection.problem().startsWith("not a readable jar ("), inspection.problem());
            assertTrue(inspection.problem().contains("corrupt, or still being copied"), inspection.problem());
        }
    }

    @Test
    void aMissingFileIsNotReadable() {
        JarInspection inspection = JarInspection.of(dir.resolve("gone.jar"));
        assertTrue(inspection.problem().startsWith("not a readable jar"), inspection.problem());
    }
}
