package org.lethe.djl.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeLibrariesTest {

    private final NativeLibraries libs = new NativeLibraries("0.36.0", "2.7.1");

    @Test
    void namesPlatformsAsDjlClassifiers() {
        assertEquals("linux-x86_64", NativeLibraries.platform("Linux", "amd64"));
        assertEquals("linux-aarch64", NativeLibraries.platform("Linux", "aarch64"));
        assertEquals("osx-aarch64", NativeLibraries.platform("Mac OS X", "aarch64"));
        assertEquals("win-x86_64", NativeLibraries.platform("Windows 11", "amd64"));
    }

    @Test
    void emptyFolderNamesPlatformFilesAndSource(@TempDir Path dir) {
        String problem = libs.problem("linux-x86_64", dir);
        assertTrue(problem.contains("linux-x86_64"), problem);
        assertTrue(problem.contains(dir.toString()), problem);
        assertTrue(problem.contains("libtorch_cpu.so"), problem);
        assertTrue(problem.contains("0.36.0-libdjl_torch.so"), problem);
        assertTrue(problem.contains("pytorch-native-cpu:2.7.1:linux-x86_64"), problem);
        assertTrue(problem.contains("pytorch-jni:2.7.1-0.36.0"), problem);
    }

    @Test
    void onlyTheMissingFilesAreNamed(@TempDir Path dir) throws IOException {
        for (String name : new String[] {"libc10.so", "libtorch_cpu.so", "libtorch.so"}) {
            Files.writeString(dir.resolve(name), "x");
        }
        String problem = libs.problem("linux-x86_64", dir);
        assertTrue(problem.contains("missing 0.36.0-libdjl_torch.so."), problem);
        Files.writeString(dir.resolve("0.36.0-libdjl_torch.so"), "x");
        assertNull(libs.problem("linux-x86_64", dir));
    }

    @Test
    void unsetFolderSaysWhatToSet() {
        String problem = libs.problem("linux-x86_64", null);
        assertTrue(problem.contains("PYTORCH_LIBRARY_PATH"), problem);
        assertTrue(problem.contains("linux-x86_64"), problem);
    }

    @Test
    void otherPlatformsUseTheirLibraryNames(@TempDir Path dir) {
        assertTrue(libs.problem("osx-aarch64", dir).contains("libtorch_cpu.dylib"));
        assertTrue(libs.problem("win-x86_64", dir).contains("torch_cpu.dll"));
    }
}
