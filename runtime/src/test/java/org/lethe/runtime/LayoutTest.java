package org.lethe.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayoutTest {

    @TempDir
    Path dir;

    @Test
    void theStandardFoldersLieUnderTheHome() {
        Layout layout = Layout.of(dir.resolve("home/./x/.."), null, null);
        Path home = dir.resolve("home");
        assertEquals(home, layout.home());
        assertEquals(home.resolve("bundle"), layout.bundles());
        assertEquals(home.resolve("deploy"), layout.deploy());
        assertEquals(home.resolve("etc"), layout.etc());
        assertEquals(home.resolve("data"), layout.data());
        assertEquals(home.resolve("data/log/lethe.log"), layout.logFile());
        assertEquals(home.resolve("data/cache/felix"), layout.felixCache());
        assertEquals(home.resolve("data/engine"), layout.engineCache());
    }

    @Test
    void dataAndDeployMayLiveElsewhere() {
        Layout layout = Layout.of(dir.resolve("home"), dir.resolve("store/../kept") + "", dir.resolve("drop").toString());
        assertEquals(dir.resolve("kept"), layout.data());
        assertEquals(dir.resolve("drop"), layout.deploy());
        assertEquals(dir.resolve("kept/log/lethe.log"), layout.logFile());
        assertEquals(dir.resolve("kept/cache/felix"), layout.felixCache());
        assertEquals(dir.resolve("kept/engine"), layout.engineCache());
        // the rest stays in the home
        assertEquals(dir.resolve("home/bundle"), layout.bundles());
        assertEquals(dir.resolve("home/etc"), layout.etc());
    }

    @Test
    void blankOverridesMeanTheDefaults() {
        Layout layout = Layout.of(dir, "", "  ");
        assertEquals(dir.resolve("data"), layout.data());
        assertEquals(dir.resolve("deploy"), layout.deploy());
    }

    @Test
    void relativePathsAreMadeAbsolute() {
        Layout layout = Layout.of(Path.of("rel-home"), "rel-data", null);
        assertTrue(layout.home().isAbsolute());
        assertEquals(Path.of("rel-home").toAbsolutePath().normalize(), layout.home());
        assertEquals(Path.of("rel-data").toAbsolutePath().normalize(), layout.data());
    }

    @Test
    void systemPropertiesNameTheLayout() {
        String[] keys = {Layout.HOME_PROPERTY, Layout.DATA_PROPERTY, Layout.DEPLOY_PROPERTY};
        String[] saved = new String[keys.length];
        for (int i = 0; i < keys.length; i++) {
            saved[i] = System.getProperty(keys[i]);
        }
        try {
            System.setProperty(Layout.HOME_PROPERTY, dir.toString());
            System.setProperty(Layout.DATA_PROPERTY, dir.resolve("d").toString());
            System.clearProperty(Layout.DEPLOY_PROPERTY);
            Layout layout = Layout.fromSystemProperties();
            assertEquals(dir, layout.home());
            assertEquals(dir.resolve("d"), layout.data());
            assertEquals(dir.resolve("deploy"), layout.deploy());
        } finally {
            for (int i = 0; i < keys.length; i++) {
                if (saved[i] == null) {
                    System.clearProperty(keys[i]);
                } else {
                    System.setProperty(keys[i], saved[i]);
                }
            }
        }
    }

    @Test
    void aFolderWithoutBundlesIsNotAHome() {
        LauncherException e = assertThrows(LauncherException.class, () -> Layout.of(dir, null, null).check());
        assertEquals(ExitStatus.INVALID_INPUT, e.exitStatus());
        assertTrue(e.getMessage().contains(dir + " is not a Lethe home"), e.getMessage());
        assertTrue(e.getMessage().contains("bundle/"), e.getMessage());
        assertTrue(!Files.exists(dir.resolve("data")), "nothing is created in a folder that is not a home");
    }

    @Test
    void checkCreatesTheWritableFolders() throws Exception {
        Files.createDirectories(dir.resolve("bundle"));
        Layout layout = Layout.of(dir, dir.resolve("elsewhere/data").toString(), null);
        layout.check();
        assertTrue(Files.isDirectory(dir.resolve("deploy")));
        assertTrue(Files.isDirectory(dir.resolve("etc")));
        assertTrue(Files.isDirectory(dir.resolve("elsewhere/data")));
    }
}
