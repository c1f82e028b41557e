package org.lethe.api.method;

import org.lethe.api.run.RunContext;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A way to remove concepts from a text-to-image generator or a vision-language model (ESD, ANT,
 * RealEra, SAUCE, ...). Registered like an {@link UnlearningMethod}, with the concepts to erase
 * under the role {@link Task#ERASE} and those to keep under {@link Task#KEEP}.
 */
@ConsumerType
public interface ErasureMethod {

    /**
     * Erases the task's concepts from the task's model.
     *
     * @param task the model copy, the concepts by role and the typed configuration
     * @param run the run: optimisation loop, seed, progress, cancellation, scratch memory
     * @throws Exception any failure; the run ends FAILED with its message and nothing is committed
     */
    void erase(Task task, RunContext run) throws Exception;
}
