package org.lethe.core.data;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Writes a file so that readers see either the old content or the whole new content, never a part:
 * a temporary file in the target's folder (same file system, so the rename is atomic), written,
 * flushed and fsynced, then moved over the target with {@code ATOMIC_MOVE}, then the folder fsynced.
 * On any failure the temporary file is deleted and the target is left as it was.
 */
final class AtomicFiles {

    /** Writes the content of the new file. */
    @FunctionalInterface
    interface Body {
        /**
         * @param out the temporary file's stream (buffered; closed by the caller)
         * @throws IOException when writing fails
         */
        void writeTo(OutputStream out) throws IOException;
    }

    /** Runs between the fsync of the temporary file and the rename; a test seam for failures. */
    @FunctionalInterface
    interface BeforeMove {
        /** Does nothing. */
        BeforeMove NONE = temp -> { };

        /**
         * @param temp the complete, fsynced temporary file
         * @throws IOException to make the write fail at that point
         */
        void run(Path temp) throws IOException;
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private AtomicFiles() {
    }

    /**
     * @param target the file to create or replace
     * @param body writes the new content
     * @param beforeMove runs just before the rename
     * @throws IOException when anything fails; the target is then unchanged and no temporary file remains
     */
    static void write(Path target, Body body, BeforeMove beforeMove) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        Files.createDirectories(dir);
        byte[] suffix = new byte[6];
        RANDOM.nextBytes(suffix);
        Path temp = dir.resolve("." + absolute.getFileName() + "." + HexFormat.of().formatHex(suffix) + ".tmp");
        boolean moved = false;
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 64 * 1024);
                body.writeTo(out);
                out.flush();
                channel.force(true);
            }
            beforeMove.run(temp);
            Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
        } finally {
            if (!moved) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // The original failure matters more; a leftover hidden temp file is harmless.
                }
            }
        }
        syncDirectory(dir);
    }

    /** Makes the rename durable; not every platform can open a folder, and then it is skipped. */
    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // Windows and some file systems cannot fsync a folder; the rename itself was atomic.
        }
    }
}
