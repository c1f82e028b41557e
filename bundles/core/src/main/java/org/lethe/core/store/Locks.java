package org.lethe.core.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Locks of the store, valid within this JVM and across processes on the same folder.
 *
 * <p>A <em>sidecar</em> lock marks a staging or lease folder as live: {@code <folder>.lock} is held
 * (an OS file lock) as long as its owner works in the folder, so that a sweep, in this JVM or another
 * process, removes only folders whose owner is gone. An <em>id</em> lock serialises the commits,
 * deletes and sweeps of one model id.
 *
 * <p>On POSIX systems closing any channel to a file drops every lock this process holds on it, so this
 * JVM never opens a file it already locks: it remembers them in {@link #HELD} and asks the OS only
 * about the others.
 */
final class Locks {

    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();
    private static final Map<Path, ReentrantLock> ID_LOCKS = new ConcurrentHashMap<>();
    private static final Map<Path, FileChannel> ID_CHANNELS = new ConcurrentHashMap<>();

    private Locks() {
    }

    /** A held lock file; closing it deletes the file and releases the lock. */
    static final class Held implements AutoCloseable {
        private final Path file;
        private final FileChannel channel;
        private final FileLock lock;
        private boolean closed;

        private Held(Path file, FileChannel channel, FileLock lock) {
            this.file = file;
            this.channel = channel;
            this.lock = lock;
        }

        /** @return the lock file */
        Path file() {
            return file;
        }

        @Override
        public synchronized void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            try {
                Files.deleteIfExists(file);
            } finally {
                try {
                    lock.release();
                } finally {
                    channel.close();
                    HELD.remove(file);
                }
            }
        }
    }

    /**
     * Creates and holds a new sidecar lock file.
     *
     * @param file the lock file, which must not exist
     * @param content what it says (e.g. the leased version), for people and for {@link #content}
     */
    static Held hold(Path file, String content) throws IOException {
        Path key = file.toAbsolutePath().normalize();
        FileChannel channel = FileChannel.open(key, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                throw new IOException("lock file " + key + " is locked by another process");
            }
            channel.write(ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)));
            HELD.add(key);
            return new Held(key, channel, lock);
        } catch (IOException | RuntimeException e) {
            channel.close();
            Files.deleteIfExists(key);
            throw e;
        }
    }

    /**
     * Takes over a sidecar lock whose owner is gone.
     *
     * @return the lock, now held (close it after removing what it guarded), or null when its owner is
     *     alive (in this JVM or another process) or the file is gone
     */
    static Held takeOverStale(Path file) throws IOException {
        Path key = file.toAbsolutePath().normalize();
        if (HELD.contains(key)) {
            return null;
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(key, StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
            return null;
        }
        try {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                channel.close();
                return null;
            }
            HELD.add(key);
            return new Held(key, channel, lock);
        } catch (OverlappingFileLockException e) {
            channel.close();
            return null;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * @return whether someone (this JVM or another process) holds the sidecar lock file
     */
    static boolean live(Path file) throws IOException {
        Held stale = takeOverStale(file);
        if (stale == null) {
            return Files.exists(file);
        }
        // Nobody holds it: release without deleting, the caller only asked.
        stale.lock.release();
        stale.channel.close();
        HELD.remove(stale.file);
        return false;
    }

    /** @return the content of a lock file, or "" when it is gone */
    static String content(Path file) throws IOException {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return "";
        }
    }

    /** Holds an id lock: see {@link #lockId(Path)}. */
    interface IdLock extends AutoCloseable {
        @Override
        void close() throws IOException;
    }

    /**
     * Locks a model id: one thread of this JVM at a time, and one process at a time. Re-entrant.
     *
     * @param file the id's lock file ({@code models/<id>/.lock}), created when missing and never deleted
     */
    static IdLock lockId(Path file) throws IOException {
        Path key = file.toAbsolutePath().normalize();
        ReentrantLock lock = ID_LOCKS.computeIfAbsent(key, k -> new ReentrantLock());
        lock.lock();
        if (lock.getHoldCount() == 1) {
            try {
                FileChannel channel = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                try {
                    channel.lock();
                } catch (IOException | RuntimeException e) {
                    channel.close();
                    throw e;
                }
                ID_CHANNELS.put(key, channel);
            } catch (IOException | RuntimeException e) {
                lock.unlock();
                throw e;
            }
        }
        return () -> {
            try {
                if (lock.getHoldCount() == 1) {
                    FileChannel channel = ID_CHANNELS.remove(key);
                    if (channel != null) {
                        channel.close(); // releases the OS lock
                    }
                }
            } finally {
                lock.unlock();
            }
        };
    }
}
