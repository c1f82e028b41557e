package org.lethe.container.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Classifies every file in the deploy folder: live, still being written, or a problem with its
 * reason. FileInstall itself says nothing about files it cannot install; this is where they show.
 */
final class DeployFolderScanner {

    /** What the running container knows about a deploy-folder file. */
    interface Container {

        /** @return the bundle installed from exactly this file, if any */
        Optional<InstalledBundle> bundleFrom(Path file);

        /** @return the location of another installed bundle with this name and version, if any */
        Optional<String> sameBundleElsewhere(String symbolicName, String version, Path file);

        /** @return whether a configuration was created from this file */
        boolean configurationFrom(Path file);
    }

    /**
     * An installed bundle as the scanner needs it.
     *
     * @param symbolicName its symbolic name
     * @param version its version
     * @param problem why it is not fully live (not resolved, not active, a component failed), or null
     */
    record InstalledBundle(String symbolicName, String version, String problem) {
    }

    private final Path folder;
    private final long settleMillis;
    private final Map<Path, Cached> inspections = new HashMap<>();
    /** When each file was first listed; files there at the first scan count as seen long ago. */
    private final Map<Path, Long> firstSeen = new HashMap<>();
    private boolean scannedBefore;

    private record Cached(long size, long modified, JarInspection inspection) {
    }

    /**
     * @param folder the deploy folder
     * @param settleMillis a file modified less than this long ago, or that appeared in the folder less
     *     than this long ago (a {@code mv} or {@code cp -p} keeps an old modification time), is
     *     reported as settling, not as a problem
     */
    DeployFolderScanner(Path folder, long settleMillis) {
        this.folder = folder;
        this.settleMillis = settleMillis;
    }

    Path folder() {
        return folder;
    }

    /** Scans the folder now; files are listed in name order. */
    List<DeployEntry> scan(Container container, long nowMillis) throws IOException {
        List<DeployEntry> entries = new ArrayList<>();
        if (!Files.isDirectory(folder)) {
            return entries;
        }
        List<Path> files;
        try (Stream<Path> list = Files.list(folder)) {
            files = list.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        }
        Map<Path, Cached> seen = new HashMap<>();
        Map<Path, Long> listed = new HashMap<>();
        for (Path file : files) {
            BasicFileAttributes attrs;
            try {
                attrs = Files.readAttributes(file, BasicFileAttributes.class);
            } catch (IOException gone) {
                continue; // deleted while scanning
            }
            long since = firstSeen.getOrDefault(file, scannedBefore ? nowMillis : Long.MIN_VALUE);
            listed.put(file, since);
            boolean settling = nowMillis - Math.max(attrs.lastModifiedTime().toMillis(), since) < settleMillis;
            entries.add(classify(file, attrs, settling, container, seen));
        }
        inspections.keySet().retainAll(seen.keySet());
        inspections.putAll(seen);
        firstSeen.clear();
        firstSeen.putAll(listed);
        scannedBefore = true;
        return entries;
    }

    private DeployEntry classify(Path file, BasicFileAttributes attrs, boolean settling, Container container,
            Map<Path, Cached> seen) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (attrs.isDirectory()) {
            return new DeployEntry(file, DeployEntry.State.PROBLEM,
                    "a folder; Lethe deploys bundle jars and .cfg/.config files only");
        }
        if (name.endsWith(".cfg") || name.endsWith(".config")) {
            if (container.configurationFrom(file)) {
                return new DeployEntry(file, DeployEntry.State.LIVE, "configuration applied");
            }
            return settling ? new DeployEntry(file, DeployEntry.State.SETTLING, "configuration being read")
                    : new DeployEntry(file, DeployEntry.State.PROBLEM,
                            "configuration not applied: FileInstall could not read it (check its syntax)");
        }
        if (!name.endsWith(".jar")) {
            return new DeployEntry(file, DeployEntry.State.PROBLEM,
                    "neither a bundle (.jar) nor a configuration (.cfg, .config); ignored");
        }
        Optional<InstalledBundle> installed = container.bundleFrom(file);
        if (installed.isPresent()) {
            InstalledBundle bundle = installed.get();
            String id = bundle.symbolicName() + " " + bundle.version();
            if (bundle.problem() == null) {
                return new DeployEntry(file, DeployEntry.State.LIVE, "bundle " + id + " active");
            }
            // FileInstall installs, then resolves and starts, a moment later: not judged while young
            return settling ? new DeployEntry(file, DeployEntry.State.SETTLING, "bundle " + id + " being started")
                    : new DeployEntry(file, DeployEntry.State.PROBLEM, "bundle " + id + " " + bundle.problem());
        }
        JarInspection inspection = inspect(file, attrs, seen);
        if (inspection.problem() != null) {
            return settling ? new DeployEntry(file, DeployEntry.State.SETTLING, "being written")
                    : new DeployEntry(file, DeployEntry.State.PROBLEM, inspection.problem());
        }
        Optional<String> other = container.sameBundleElsewhere(inspection.symbolicName(), inspection.version(), file);
        if (other.isPresent()) {
            return new DeployEntry(file, DeployEntry.State.PROBLEM, "bundle " + inspection.symbolicName() + " "
                    + inspection.version() + " is already installed from " + other.get() + "; this copy is ignored");
        }
        return settling ? new DeployEntry(file, DeployEntry.State.SETTLING, "bundle "
                        + inspection.symbolicName() + " " + inspection.version() + " being installed")
                : new DeployEntry(file, DeployEntry.State.PROBLEM, "bundle " + inspection.symbolicName() + " "
                        + inspection.version() + " was not installed (is FileInstall running?)");
    }

    private JarInspection inspect(Path file, BasicFileAttributes attrs, Map<Path, Cached> seen) {
        long size = attrs.size();
        long modified = attrs.lastModifiedTime().toMillis();
        Cached cached = inspections.get(file);
        if (cached == null || cached.size() != size || cached.modified() != modified) {
            cached = new Cached(size, modified, JarInspection.of(file));
        }
        seen.put(file, cached);
        return cached.inspection();
    }
}
