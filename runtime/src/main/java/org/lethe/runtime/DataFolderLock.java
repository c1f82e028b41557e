package org.lethe.runtime;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * One container owns a data folder at a time: an OS file lock on {@code <data>/.lock}, whose
 * content names the owner so that a second container can say who holds it. The OS releases the
 * lock when the owning process dies, so a crash never leaves the folder locked.
 */
public final class DataFolderLock implements AutoCloseable {

    /** Name of the lock file in the data folder. */
    public static final String FILE_NAME = ".lock";

    private final FileChannel channel;
    private final FileLock lock;

    private DataFolderLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock or fails with {@link ExitStatus#INVALID_INPUT}, naming the owner.
     *
     * @param data the data folder (created if missing)
     * @param home the Lethe home taking the lock, recorded for the next comer's message
     */
    public static DataFolderLock acquire(Path data, Path home) throws LauncherException {
        Path file = data.resolve(FILE_NAME);
        FileChannel channel = null;
        try {
            Files.createDirectories(data);
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException sameJvm) {
                lock = null;
            }
            if (lock == null) {
                String owner = Files.readString(file, StandardCharsets.UTF_8).trim();
                channel.close();
                throw new LauncherException(ExitStatus.INVALID_INPUT, "the data folder " + data
                        + " is in use by another Lethe container (" + (owner.isEmpty() ? "owner unknown" : owner)
                        + "); stop it, or give this one its own data folder with LETHE_DATA");
            }
            String owner = "pid " + ProcessHandle.current().pid() + ", home " + home + ", started "
                    + Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime());
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(owner.getBytes(StandardCharsets.UTF_8)), 0);
            channel.force(false);
            return new DataFolderLock(channel, lock);
        } catch (IOException e) {
            try {
                if (channel != null) {
                    channel.close();
                }
            } catch (IOException ignored) {
                // the original failure is the one to report
            }
            throw new LauncherException(ExitStatus.INVALID_INPUT, "cannot lock the data folder " + data + ": " + e);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
