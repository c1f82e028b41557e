package org.lethe.api.eval;

import org.lethe.api.method.Task;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A measurement of a model on data, registered with {@code lethe.metric=<name>} and
 * {@code lethe.metric.version=<version>}; it never changes the model (draft, version 0.9).
 */
@ConsumerType
public interface Metric {

    /**
     * @param task the model (a view) and the data by role; {@code reference} holds the gold model's
     *     view when the metric needs one
     * @return the result
     * @throws Exception when it cannot be computed
     */
    MetricResult evaluate(Task task) throws Exception;
}
