package org.lethe.api.eval;

import java.util.Optional;
import org.lethe.api.run.RunKey;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The results of {@link org.lethe.api.run.RunSpec.Kind#EVALUATE evaluation runs}. An evaluation run
 * is submitted to the {@link org.lethe.api.run.RunService} like any other (it queues behind gradient
 * work, since probes train copies): its {@link org.lethe.api.run.RunSpec#component() component} is
 * {@value #ALL_METRICS} (every installed metric of the model's modality) or a comma-separated list of
 * metric names, its {@link org.lethe.api.run.RunSpec#probes() probes} the probes to run, its data the
 * evaluation splits by {@link Roles role}. It commits no model; its results are kept with the run.
 */
@ProviderType
public interface EvaluationService {

    /** Component of an evaluation run that selects every installed metric of the model's modality: {@value}. */
    String ALL_METRICS = "all";

    /**
     * @param run an evaluation run's key
     * @return its results once it has committed; empty while it is queued or running, or when it
     *     failed, was cancelled or is not an evaluation run
     */
    Optional<Evaluation> evaluation(RunKey run);
}
