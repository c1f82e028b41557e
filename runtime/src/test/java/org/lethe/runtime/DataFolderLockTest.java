package org.lethe.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataFolderLockTest {

    @TempDir
    Path dir;

    private final String pid = "pid " + ProcessHandle.current().pid();

    @Test
    void theLockFileNamesItsOwnerAndTheFolderIsCreated() throws Exception {
        Path data = dir.resolve("not/yet/there");
        Path home = dir.resolve("home");
        try (DataFolderLock lock = DataFolderLock.acquire(data, home)) {
            String owner = Files.readString(data.resolve(DataFolderLock.FILE_NAME), StandardCharsets.UTF_8);
            assertTrue(owner.startsWith(pid + ", home " + home + ", started "), owner);
        }
    }

    @Test
    void aSecondAcquireFailsWithInvalidInputNamingTheOwner() throws Exception {
        Path data = dir.resolve("data");
        try (DataFolderLock first = DataFolderLock.acquire(data, dir.resolve("first-home"))) {
            LauncherException e = assertThrows(LauncherException.class,
                    () -> DataFolderLock.acquire(data, dir.resolve("second-home")));
            assertEquals(ExitStatus.INVALID_INPUT, e.exitStatus());
            assertTrue(e.getMessage().contains("the data folder " + data + " is in use"), e.getMessage());
            assertTrue(e.getMessage().contains("(" + pid + ", home " + dir.resolve("first-home")), e.getMessage());
            assertTrue(e.getMessage().contains("LETHE_DATA"), e.getMessage());
            // the failed attempt does not overwrite the owner's record
            String owner = Files.readString(data.resolve(DataFolderLock.FILE_NAME), StandardCharsets.UTF_8);
            assertTrue(owner.contains("first-home"), owner);
        }
    }

    @Test
    void releaseLetsTheFolderBeTakenAgain() throws Exception {
        Path data = dir.resolve("data");
        DataFolderLock first = DataFolderLock.acquire(data, dir.resolve("a"));
        first.close();
        try (DataFolderLock second = DataFolderLock.acquire(data, dir.resolve("b"))) {
            String owner = Files.readString(data.resolve(DataFolderLock.FILE_NAME), StandardCharsets.UTF_8);
            assertTrue(owner.contains("home " + dir.resolve("b") + ","), owner);
            assertTrue(!owner.contains(dir.resolve("a") + ","), "the new owner replaces the old record: " + owner);
        }
    }

    @Test
    void aStaleLockFileOfADeadOwnerDoesNotBlock() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve(DataFolderLock.FILE_NAME),
                "pid 999999999, home /somewhere/else, started 2000-01-01T00:00:00Z and a much longer tail");
        try (DataFolderLock lock = DataFolderLock.acquire(data, dir)) {
            String owner = Files.readString(data.resolve(DataFolderLock.FILE_NAME), StandardCharsets.UTF_8);
            assertTrue(owner.startsWith(pid + ", home " + dir + ", started "), owner);
            assertTrue(!owner.contains("tail"), "the old record is truncated: " + owner);
        }
    }

    @Test
    void aDataFolderThatCannotBeCreatedIsInvalidInput() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        LauncherException e = assertThrows(LauncherException.class,
                () -> DataFolderLock.acquire(file.resolve("data"), dir));
        assertEquals(ExitStatus.INVALID_INPUT, e.exitStatus());
        assertTrue(e.getMessage().contains("cannot lock the data folder " + file.resolve("data")), e.getMessage());
    }
}
