package org.lethe.core.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lethe.api.model.ModelKind;
import org.lethe.api.model.ModelLease;
import org.lethe.api.model.ModelManifest;
import org.lethe.api.model.ModelRef;
import org.lethe.api.run.RunKey;

/**
 * research/scale-reliability.md B1/B7: a writer killed at each step of a commit (in a child JVM that
 * halts itself) leaves the last committed version loadable, nothing partial visible, and orphans that
 * the next store's sweep removes.
 */
class CrashConsistencyTest {

    @TempDir
    Path tmp;

    @Test
    void aCommitKilledAtAnyStepLeavesTheLastCommittedVersionAndNoPartialOne() throws Exception {
        Map<FileModelStore.Step, Path> roots = new EnumMap<>(FileModelStore.Step.class);
        Map<FileModelStore.Step, FileModelStore> stores = new EnumMap<>(FileModelStore.Step.class);
        Map<FileModelStore.Step, Process> children = new EnumMap<>(FileModelStore.Step.class);
        byte[] v1Weights = TestFiles.validSafetensors(1f);
        Path output = tmp.resolve("out");
        TestFiles.write(output, FileModelStoreTest.WEIGHTS, v1Weights);
        for (FileModelStore.Step step : FileModelStore.Step.values()) {
            Path root = tmp.resolve(step.name());
            FileModelStore store = new FileModelStore(root);
            store.create("m", ModelKind.LANGUAGE, "tiny-lm", Map.of(), null, output);
            roots.put(step, root);
            stores.put(step, store);
        }
        // All children at once: each is a short JVM, and they do not share a folder.
        for (FileModelStore.Step step : FileModelStore.Step.values()) {
            children.put(step, child(roots.get(step), step));
        }
        for (FileModelStore.Step step : FileModelStore.Step.values()) {
            Process child = children.get(step);
            assertTrue(child.waitFor(60, TimeUnit.SECONDS), step + ": child did not finish");
            String log = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(CrashingCommitter.HALTED, child.exitValue(), step + ": child did not halt at the step:\n" + log);
        }

        for (FileModelStore.Step step : FileModelStore.Step.values()) {
            Path root = roots.get(step);
            Path idDir = root.resolve("m");
            FileModelStore before = stores.get(step);
            boolean committed = step == FileModelStore.Step.COMMITTED;

            // What a reader that was running during the crash sees: the last committed version only.
            List<Integer> visible = before.versions("m").stream().map(v -> v.ref().version()).collect(Collectors.toList());
            assertEquals(committed ? List.of(1, 2) : List.of(1), visible, step.name());
            ModelManifest base = before.manifest(ModelRef.parse("m"));
            assertEquals(1, base.ref().version(), step.name());
            assertArrayEquals(v1Weights, Files.readAllBytes(idDir.resolve("1").resolve(FileModelStoreTest.WEIGHTS)));
            if (committed) {
                assertEquals(2, before.manifest(ModelRef.parse("m:2")).ref().version());
            }

            // The orphans are on disk until a sweep.
            List<String> orphans = names(idDir).stream()
                    .filter(n -> !n.equals(".lock") && !n.equals("1") && !(committed && n.equals("2")))
                    .collect(Collectors.toList());
            List<String> leaseOrphans = names(root.resolve(FileModelStore.LEASES));
            switch (step) {
                case FILES_WRITTEN:
                case FILES_SYNCED:
                    assertTrue(orphans.stream().anyMatch(n -> n.startsWith(FileModelStore.TMP)), step + ": " + orphans);
                    break;
                case RENAMED:
                case BEFORE_MARKER:
                    assertTrue(orphans.contains("2"), step + ": " + orphans);
                    assertFalse(Files.exists(idDir.resolve("2").resolve(FileModelStore.MARKER)));
                    break;
                default:
                    assertEquals(List.of(), orphans, step.name());
            }

            // A new store sweeps them, and the next commit gets a clean number.
            FileModelStore after = new FileModelStore(root);
            assertEquals(committed ? List.of(".lock", "1", "2") : List.of(".lock", "1"), names(idDir), step.name());
            assertEquals(List.of(), names(root.resolve(FileModelStore.LEASES)), step + ": lease orphans " + leaseOrphans);
            try (ModelLease lease = after.lease(ModelRef.parse("m:1"))) {
                ModelManifest next = lease.commit(new RunKey("00000000000000d0"), Map.of(), List.of());
                assertEquals(committed ? 3 : 2, next.ref().version(), step.name());
            }
            after.manifest(ModelRef.parse("m:1"));
        }
    }

    private static Process child(Path root, FileModelStore.Step step) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-Xmx64m", "-Xshare:auto",
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                CrashingCommitter.class.getName(), root.toString(), step.name()));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }
}
