package org.lethe.bench;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.stream.Stream;

/**
 * A Lethe home for the benchmark under {@code bench/target}: {@code bin}, {@code lib}, {@code bundle}
 * and {@code native} link to the built distribution (which is never written to), {@code etc} is a
 * copy, {@code deploy} and {@code data} are fresh.
 */
final class ScratchHome {

    private static final List<String> LINKED = List.of("bin", "lib", "bundle", "native");

    private final Path root;

    private ScratchHome(Path root) {
        this.root = root;
    }

    static ScratchHome create(Path distribution, Path root) throws IOException {
        for (String name : List.of("bin/lethe", "lib/lethe-runtime.jar", "bundle", "etc", "native")) {
            if (!Files.exists(distribution.resolve(name))) {
                throw new IllegalStateException(distribution + " is not a built distribution: it has no " + name
                        + " (build it: mvn -B -q package -pl distribution -am)");
            }
        }
        Files.createDirectories(root);
        for (String name : LINKED) {
            Files.createSymbolicLink(root.resolve(name), distribution.resolve(name).toRealPath());
        }
        Path etc = Files.createDirectories(root.resolve("etc"));
        try (Stream<Path> files = Files.list(distribution.resolve("etc"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.copy(file, etc.resolve(file.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        Files.createDirectories(root.resolve("deploy"));
        Files.createDirectories(root.resolve("data"));
        return new ScratchHome(root);
    }

    Path root() {
        return root;
    }

    Path data() {
        return root.resolve("data");
    }

    /** Deletes a folder tree; symbolic links are removed, never followed. */
    static void delete(Path tree) throws IOException {
        if (!Files.exists(tree, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(tree, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
