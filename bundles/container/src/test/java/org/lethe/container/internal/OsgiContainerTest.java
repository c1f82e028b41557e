package org.lethe.container.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OsgiContainerTest {

    @TempDir
    Path dir;

    @Test
    void aFileLocationIsItsAbsoluteNormalisedPath() {
        Path jar = dir.resolve("deploy/a.jar");
        assertEquals(jar, OsgiContainer.pathOf(jar.toUri().toString()));
        assertEquals(jar, OsgiContainer.pathOf("file:" + dir.resolve("deploy/../deploy/./a.jar")));
        assertEquals(jar, OsgiContainer.pathOf("file://" + jar));
    }

    @Test
    void spacesArriveEncodedOrNot() {
        Path jar = dir.resolve("my deploy/a b.jar");
        assertEquals(jar, OsgiContainer.pathOf(jar.toUri().toString()));
        assertEquals(jar, OsgiContainer.pathOf("file:" + jar));
    }

    @Test
    void otherCharactersSurviveTheRoundTrip() {
        Path jar = dir.resolve("dépôt/100%#[x].jar");
        assertEquals(jar, OsgiContainer.pathOf(jar.toUri().toString()));
    }

    @Test
    void aPlainAbsolutePathIsTakenAsItIs() {
        assertEquals(dir.resolve("x.cfg"), OsgiContainer.pathOf(dir + "/sub/../x.cfg"));
    }

    @Test
    void locationsThatAreNotLocalFilesHaveNoPath() {
        assertNull(OsgiContainer.pathOf(null));
        assertNull(OsgiContainer.pathOf("reference:file:/opt/lethe/bundle/a.jar"));
        assertNull(OsgiContainer.pathOf("http://example.org/a.jar"));
        assertNull(OsgiContainer.pathOf("mvn:org.lethe/org.lethe.api/1.0.0"));
        assertNull(OsgiContainer.pathOf("System Bundle"));
        assertNull(OsgiContainer.pathOf("relative/a.jar"));
        assertNull(OsgiContainer.pathOf("file:relative/a.jar"));
        assertNull(OsgiContainer.pathOf("file://server/share/a.jar"));
        assertNull(OsgiContainer.pathOf("file:/bad%zzescape.jar"));
    }
}
