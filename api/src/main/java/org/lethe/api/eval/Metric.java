package org.lethe.api.eval;

import java.util.List;
import org.lethe.api.method.Task;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A measurement of a model on data, registered with {@link org.lethe.api.ServiceProperties#METRIC
 * lethe.metric}{@code =<name>}, {@link org.lethe.api.ServiceProperties#METRIC_VERSION
 * lethe.metric.version}{@code =<version>} and {@link org.lethe.api.ServiceProperties#MODALITY
 * lethe.modality}. It reads the model, never changes it, and is deterministic: the same model and
 * data give the same numbers.
 *
 * <p>One service measures one quantity on every split of the task it applies to (the data roles
 * of {@link Roles}); it returns one {@link MetricResult} per split it measured and skips the roles
 * the task does not have.
 */
@ConsumerType
public interface Metric {

    /**
     * @param task the model under test (a view) and the evaluation data by role
     * @return one result per split measured, in a fixed order; empty when the task has none of the
     *     roles the metric reads
     * @throws Exception when it cannot be computed
     */
    List<MetricResult> evaluate(Task task) throws Exception;
}
