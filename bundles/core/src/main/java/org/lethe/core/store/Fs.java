package org.lethe.core.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.lethe.api.LetheException;

/** File-system steps of the store: durable writes, checksums, safe tree walks. */
final class Fs {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final boolean WINDOWS = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");

    /** Top-level names a version folder reserves for the store. */
    static final Set<String> RESERVED = Set.of(FileModelStore.MANIFEST, FileModelStore.MARKER,
            FileModelStore.MARKER + ".tmp", FileModelStore.TOMBSTONE);

    private Fs() {
    }

    /** @return 16 random lower-case hex digits, for temporary folder names */
    static String random() {
        byte[] bytes = new byte[8];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** @return the SHA-256 of a file's content, lower-case hex */
    static String sha256(Path file) throws IOException {
        MessageDigest digest = newDigest();
        byte[] buffer = new byte[256 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** @return the SHA-256 of bytes, lower-case hex */
    static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(newDigest().digest(bytes));
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }

    /** Forces a file's content and metadata to the device. */
    static void fsyncFile(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
    }

    /** Forces a directory's entries to the device (Linux, macOS); a no-op where the platform cannot. */
    static void fsyncDir(Path dir) throws IOException {
        if (WINDOWS) {
            return; // directories cannot be opened for force() on Windows; NTFS journals renames
        }
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /** Writes bytes to a new file and forces them to the device. */
    static void writeDurably(Path file, byte[] bytes) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
    }

    /** Moves atomically; never falls back to a copy (an {@code AtomicMoveNotSupportedException} surfaces). */
    static void moveAtomically(Path from, Path to) throws IOException {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Lists the regular files under a folder, relative paths with {@code /} separators, sorted.
     * Refuses symbolic links and anything that is neither a file nor a folder.
     *
     * @param dir the folder
     * @param what what the folder is, for messages (e.g. "model folder")
     * @param skipTopLevel top-level names left out of the listing
     */
    static SortedMap<String, Path> listFiles(Path dir, String what, Set<String> skipTopLevel) throws IOException {
        SortedMap<String, Path> files = new TreeMap<>();
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                String relative = relative(dir, file);
                if (attrs.isSymbolicLink()) {
                    throw LetheException.invalidInput(what + " " + dir + ": " + relative
                            + " is a symbolic link; links are refused");
                }
                if (!attrs.isRegularFile()) {
                    throw LetheException.invalidInput(what + " " + dir + ": " + relative + " is not a regular file");
                }
                if (!(relative.indexOf('/') < 0 && skipTopLevel.contains(relative))) {
                    files.put(relative, file);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return files;
    }

    /** @return {@code file} relative to {@code dir}, with {@code /} separators */
    static String relative(Path dir, Path file) {
        StringBuilder out = new StringBuilder();
        for (Path part : dir.relativize(file)) {
            if (out.length() > 0) {
                out.append('/');
            }
            out.append(part);
        }
        return out.toString();
    }

    /**
     * Resolves a validated relative path inside a folder.
     *
     * @throws LetheException (invalid input) when it would leave the folder
     */
    static Path inside(Path dir, String relative, String where) {
        Path resolved = dir.resolve(relative).normalize();
        if (!resolved.startsWith(dir.normalize()) || resolved.equals(dir.normalize())) {
            throw LetheException.invalidInput(where + ": file name '" + SafetensorsHeader.printable(relative)
                    + "' leaves the model folder");
        }
        return resolved;
    }

    /** Copies a file, creating its parent folders, and forces it to the device. */
    static void copyDurably(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        Files.copy(from, to, LinkOption.NOFOLLOW_LINKS);
        fsyncFile(to);
    }

    /**
     * Copies a file to a new file (creating its parent folders, not following links) without forcing it,
     * and returns the SHA-256 of the bytes copied.
     */
    static String copyWithDigest(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        MessageDigest digest = newDigest();
        byte[] buffer = new byte[256 * 1024];
        try (InputStream in = Files.newInputStream(from, LinkOption.NOFOLLOW_LINKS);
                java.io.OutputStream out = Files.newOutputStream(to, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE)) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
                out.write(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Forces every file and folder under {@code dir} (including {@code dir}) to the device. */
    static void fsyncTree(Path dir) throws IOException {
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (attrs.isRegularFile()) {
                    fsyncFile(file);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException failure) throws IOException {
                if (failure != null) {
                    throw failure;
                }
                fsyncDir(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Deletes a file tree without following links; a missing tree is fine. */
    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            Files.deleteIfExists(dir);
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException failure) throws IOException {
                if (failure != null && !(failure instanceof NoSuchFileException)) {
                    throw failure;
                }
                Files.deleteIfExists(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Lists the entries of a folder; an absent folder has none. */
    static java.util.List<Path> entries(Path dir) throws IOException {
        java.util.List<Path> out = new java.util.ArrayList<>();
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return out;
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(out::add);
        }
        out.sort(null);
        return out;
    }
}
