package org.lethe.core.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.lethe.api.model.ModelLease;
import org.lethe.api.model.ModelRef;
import org.lethe.api.run.RunKey;

/**
 * The child JVM of {@link CrashConsistencyTest}: leases {@code m:1}, changes its weights and commits,
 * halting the JVM (no shutdown hooks, no finally blocks: like kill -9) at the given step.
 */
public final class CrashingCommitter {

    /** Exit status when the JVM halted at the requested step. */
    static final int HALTED = 99;

    private CrashingCommitter() {
    }

    /**
     * @param args the models folder, and the {@link FileModelStore.Step} at which to halt
     * @throws Exception on any failure (exit status 1)
     */
    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        FileModelStore.Step haltAt = FileModelStore.Step.valueOf(args[1]);
        FileModelStore store = new FileModelStore(root);
        store.hook((step, folder) -> {
            if (step == haltAt) {
                Runtime.getRuntime().halt(HALTED);
            }
        });
        ModelLease lease = store.lease(ModelRef.parse("m:1"));
        Files.write(lease.directory().resolve(FileModelStoreTest.WEIGHTS), TestFiles.validSafetensors(42f));
        lease.commit(new RunKey("00000000000000c0"), Map.of(), List.of());
        System.exit(0);
    }
}
