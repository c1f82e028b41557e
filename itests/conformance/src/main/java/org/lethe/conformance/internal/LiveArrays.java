package org.lethe.conformance.internal;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;

/**
 * The leak measure: every NDArray that is open anywhere in the engine, counted through DJL's own
 * bookkeeping.
 *
 * <p>In DJL 0.36 every manager of the PyTorch engine descends from one root (the engine's system
 * manager: {@code Engine.newBaseManager()} is {@code PtNDManager.getSystemManager().newSubManager()}),
 * and a {@code BaseNDManager} keeps each array and sub-manager it owns until it is closed (closing
 * detaches it from its parent). So {@code root.getManagedArrays()} lists every open array of the
 * engine, in every model, run scope or component-held manager; the count is exact and does not
 * depend on the garbage collector or on libtorch's allocator caching (unlike the process's RSS).
 *
 * <p>What it cannot see: an array a method has explicitly detached from every manager
 * ({@code NDArray.detach()}) and never closed; DJL itself no longer tracks it.
 *
 * @param count open NDArrays
 * @param bytes their size (elements times element width): the native memory they hold
 */
public record LiveArrays(int count, long bytes) {

    private static final int SETTLE_READINGS = 3;
    private static final long SETTLE_PAUSE_MILLIS = 100;
    private static final int MAX_READINGS = 50;

    /**
     * @param engine the engine
     * @return the arrays open in it now
     */
    public static LiveArrays now(Engine engine) {
        try (NDManager probe = engine.newBaseManager()) {
            NDManager root = probe.getParentManager();
            if (root == null) {
                throw new IllegalStateException("a base manager of " + engine.getEngineName() + " has no parent manager");
            }
            List<NDArray> arrays = root.getManagedArrays();
            long bytes = 0;
            for (NDArray array : arrays) {
                try {
                    bytes += array.getShape().size() * array.getDataType().getNumOfBytes();
                } catch (RuntimeException closedMeanwhile) {
                    // closed by another thread while counting: no longer live
                }
            }
            return new LiveArrays(arrays.size(), bytes);
        }
    }

    /**
     * Reads until {@value #SETTLE_READINGS} readings in a row agree, so that an array another thread
     * holds for a moment (a health check, say) is not mistaken for a leak.
     *
     * @param engine the engine
     * @return the settled reading (or the last one, if it never settles)
     */
    public static LiveArrays settled(Engine engine) {
        LiveArrays last = now(engine);
        int agreeing = 1;
        for (int i = 0; i < MAX_READINGS && agreeing < SETTLE_READINGS; i++) {
            Await.pause(SETTLE_PAUSE_MILLIS);
            LiveArrays next = now(engine);
            agreeing = next.equals(last) ? agreeing + 1 : 1;
            last = next;
        }
        return last;
    }

    @Override
    public String toString() {
        return count + " NDArrays (" + bytes + " bytes)";
    }
}
