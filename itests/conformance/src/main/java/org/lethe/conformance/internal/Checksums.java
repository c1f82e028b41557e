package org.lethe.conformance.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/** SHA-256 of every file under a folder, and what changed between two such listings. */
public final class Checksums {

    private Checksums() {
    }

    /**
     * @param folder a folder
     * @return path relative to the folder (with {@code /}) to the SHA-256 of its content, in hex
     */
    public static Map<String, String> of(Path folder) {
        Map<String, String> sums = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(folder)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                sums.put(folder.relativize(file).toString().replace('\\', '/'), sha256(file));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + folder, e);
        }
        return sums;
    }

    /**
     * @param before a listing
     * @param after a later listing of the same folder
     * @return one line per file added, removed or changed; empty when none
     */
    public static List<String> differences(Map<String, String> before, Map<String, String> after) {
        List<String> lines = new ArrayList<>();
        Set<String> names = new TreeSet<>(before.keySet());
        names.addAll(after.keySet());
        for (String name : names) {
            String was = before.get(name);
            String is = after.get(name);
            if (was == null) {
                lines.add(name + " was added");
            } else if (is == null) {
                lines.add(name + " was removed");
            } else if (!was.equals(is)) {
                lines.add(name + " changed (sha256 " + was.substring(0, 12) + "… → " + is.substring(0, 12) + "…)");
            }
        }
        return lines;
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0;) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
