package org.lethe.api.run;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.lethe.api.LetheException;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Submits, watches and cancels runs. Runs execute on a bounded executor: work that takes gradients
 * (training, unlearning, erasure, gradient-using probes) one at a time, since DJL's gradient
 * collector is JVM-global. Each run ends in exactly one of COMMITTED, FAILED(reason) or CANCELLED;
 * records persist under the data folder's {@code runs/}, and a run found RUNNING after a crash is
 * recorded as FAILED(interrupted).
 */
@ProviderType
public interface RunService {

    /**
     * Validates a spec and fills in what the container knows (the component's bundle version, the
     * data fingerprints) without running anything: the dry run.
     *
     * @param spec the spec as a user wrote it
     * @return the spec as it would run, whose {@link #keyOf key} is stable
     * @throws LetheException (invalid input) naming the unknown method, model, version, data file
     *     or configuration key; nothing was touched
     */
    RunSpec plan(RunSpec spec);

    /**
     * @param spec a planned spec
     * @return its key: derived from the spec's content only
     */
    RunKey keyOf(RunSpec spec);

    /**
     * Plans and queues a run. Submitting a spec whose run is queued, running or committed returns
     * the same key and starts nothing; a failed or cancelled one is started again.
     *
     * @param spec the spec
     * @return the run's key
     * @throws LetheException (invalid input) as for {@link #plan}
     */
    RunKey submit(RunSpec spec);

    /**
     * @param key a run key
     * @return its record, if the run exists
     */
    Optional<RunRecord> record(RunKey key);

    /**
     * @param key a run
     * @return the remarks its method or probe recorded with {@link RunContext#note}, in order;
     *     empty when it made none or the run is unknown
     * @since 1.2
     */
    default List<String> notes(RunKey key) {
        return List.of();
    }

    /** @return every known run, most recently submitted first */
    List<RunRecord> runs();

    /**
     * Asks a run to stop: a queued run is cancelled at once, a running one at its next step.
     *
     * @param key the run
     * @param reason why, recorded in the run's record
     * @return false when the run is unknown or already ended
     */
    boolean cancel(RunKey key, String reason);

    /**
     * Waits for a run to end.
     *
     * @param key the run
     * @param timeout the longest to wait
     * @return its record, terminal unless the wait timed out
     * @throws InterruptedException when the waiting thread is interrupted
     */
    RunRecord await(RunKey key, Duration timeout) throws InterruptedException;

    /**
     * Follows a run: the listener gets the current record at once, then every change of state or
     * progress, until the run ends or the returned handle is closed.
     *
     * @param key the run
     * @param listener called on an internal thread; must return quickly
     * @return closing it stops the calls
     */
    AutoCloseable watch(RunKey key, Consumer<RunRecord> listener);
}
