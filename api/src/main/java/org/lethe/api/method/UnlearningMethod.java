package org.lethe.api.method;

import org.lethe.api.run.RunContext;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A way to remove data or knowledge from a language or vision-language model (gradient ascent,
 * GradDiff, FLAT, IAU, ...). Registered as a DS service with the properties of
 * {@link MethodProperties} ({@code lethe.method}, {@code lethe.modality}, ...), its hyper-parameters
 * a Metatype-designated configuration.
 *
 * <p>Its one operation reads like the paper's algorithm box: it changes the task's model (a private
 * copy) through the context's optimisation loop, or by an edit; the framework then saves and
 * commits the copy as a new model version, or discards it if this throws or the run is cancelled.
 */
@ConsumerType
public interface UnlearningMethod {

    /**
     * Removes the task's forget data from the task's model.
     *
     * @param task the model copy, the data by role and the typed configuration
     * @param run the run: optimisation loop, seed, progress, cancellation, scratch memory
     * @throws Exception any failure; the run ends FAILED with its message and nothing is committed
     */
    void unlearn(Task task, RunContext run) throws Exception;
}
