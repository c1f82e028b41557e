package org.lethe.itests.behaviour.shapes;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.lethe.api.data.Concept;
import org.lethe.api.model.ModelRef;
import org.lethe.api.run.RunRecord;
import org.lethe.api.run.RunState;

/**
 * One {@link ShapesErasureStack} per test JVM holding the ESD-x erasure of {@code red} (alias
 * {@code crimson}) at ESD's defaults, seed {@value #SEED}: the model {@link EsdBehaviourTest} measures
 * and {@link ErasureProbesBehaviourTest} attacks. Surefire runs every test class of this module in
 * one JVM ({@code reuseForks}), so the erasure (≈ 30–40 s on the 2-core VM) is made once, by whichever
 * class asks first, in any order; a class run alone makes it itself.
 *
 * <p>The stack is never closed by a test class (a later class still uses it): its run service is
 * deactivated when the JVM exits. Test classes keep their own data files in their own sub-folders of
 * {@link ShapesErasureStack#folder()} ({@link #data}) and must not change the store's existing
 * versions; evaluations and further erasures beside the shared one are fine (a further erasure commits
 * a new version, it does not replace one).
 */
final class SharedEsdX {

    /** The erasure's seed. */
    static final long SEED = 1;

    /** The erased concept. */
    static final Concept RED = new Concept("red", Optional.of("colour"), List.of("crimson"));

    private static final Path FOLDER = Path.of(System.getProperty("basedir", ".")).toAbsolutePath()
            .resolve("target").resolve("shapes-shared-esd-x");

    private static Holder holder;

    /** The shared stack, the concepts file of the erasure and its committed record. */
    private record Holder(ShapesErasureStack stack, Path concepts, RunRecord esdX) {
    }

    private SharedEsdX() {
    }

    private static synchronized Holder holder() throws InterruptedException {
        if (holder == null) {
            long started = System.nanoTime();
            ShapesErasureStack stack = new ShapesErasureStack(FOLDER);
            Runtime.getRuntime().addShutdownHook(new Thread(stack::close, "shared-esd-x-close"));
            Path concepts = ShapesErasureStack.writeConcepts(stack.folder().resolve("shared").resolve("erase-red.jsonl"),
                    List.of(RED));
            RunRecord record = stack.erase(Map.of("variant", "x"), concepts, SEED);
            if (record.state() != RunState.COMMITTED || record.result().isEmpty()) {
                throw new IllegalStateException("the shared ESD-x erasure of red ended " + record.state() + ": "
                        + record.reason().orElse(""));
            }
            System.out.printf(Locale.ROOT, "[shared esd-x] %s erased red in %.1f s%n", record.result().get(),
                    (System.nanoTime() - started) / 1e9);
            holder = new Holder(stack, concepts, record);
        }
        return holder;
    }

    /**
     * @return the shared stack (made, and ESD-x run, on the first call in this JVM)
     * @throws InterruptedException when interrupted while the erasure runs
     */
    static ShapesErasureStack stack() throws InterruptedException {
        return holder().stack();
    }

    /**
     * @return the concepts file the erasure read ({@code red} with alias {@code crimson})
     * @throws InterruptedException when interrupted while the erasure runs
     */
    static Path concepts() throws InterruptedException {
        return holder().concepts();
    }

    /**
     * @return the committed record of the ESD-x run (its result is the erased version, its parent the generator)
     * @throws InterruptedException when interrupted while the erasure runs
     */
    static RunRecord record() throws InterruptedException {
        return holder().esdX();
    }

    /**
     * @return the ESD-x version
     * @throws InterruptedException when interrupted while the erasure runs
     */
    static ModelRef erased() throws InterruptedException {
        return record().result().orElseThrow();
    }

    /**
     * @param owner the test class whose files these are
     * @return a data folder of the shared stack for that class alone
     * @throws InterruptedException when interrupted while the erasure runs
     */
    static Path data(Class<?> owner) throws InterruptedException {
        return stack().folder().resolve("data-" + owner.getSimpleName());
    }
}
