package org.lethe.api.eval;

import java.util.List;
import org.lethe.api.method.Task;
import org.lethe.api.run.RunContext;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * An attack or recovery procedure (relearning, prompt attacks, corrective relearning), registered
 * with {@link org.lethe.api.ServiceProperties#PROBE lethe.probe}{@code =<name>}, {@link
 * org.lethe.api.ServiceProperties#METRIC_VERSION lethe.metric.version} (the version of what it
 * reports) and {@link org.lethe.api.ServiceProperties#MODALITY lethe.modality}. It may change the
 * task's model, which is always a private copy of the model under test, loaded for this probe alone;
 * the copy is discarded afterwards. Randomness comes from the run ({@link RunContext#random()}), so
 * the same seed gives the same numbers.
 */
@ConsumerType
public interface Probe {

    /**
     * @param task a private copy of the model under test and the evaluation data by role
     * @param run the run: optimisation loop, seed, progress, cancellation
     * @return what the probe measured, e.g. held-out forget accuracy over relearning steps (a
     *     {@link MetricResult#curve() curve})
     * @throws Exception when it fails; the other probes and metrics of the evaluation still run
     */
    List<MetricResult> probe(Task task, RunContext run) throws Exception;
}
