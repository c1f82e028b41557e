package org.lethe.api.eval;

import java.util.List;
import org.lethe.api.method.Task;
import org.lethe.api.run.RunContext;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * An attack or recovery procedure (relearning, prompt attacks, RESTOR recovery) registered with
 * {@code lethe.probe=<name>}. It may change the task's model, which is always a private copy of the
 * model under test (draft, version 0.9).
 */
@ConsumerType
public interface Probe {

    /**
     * @param task a copy of the model under test and the data by role
     * @param run the run: optimisation loop, seed, progress, cancellation
     * @return the metrics the probe reports, e.g. forget accuracy after k relearning steps
     * @throws Exception when it fails
     */
    List<MetricResult> probe(Task task, RunContext run) throws Exception;
}
