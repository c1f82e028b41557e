package org.lethe.evaluation.texttoimage;

import java.util.List;
import org.lethe.api.LetheException;
import org.lethe.api.ServiceProperties;
import org.lethe.api.eval.Metric;
import org.lethe.api.eval.MetricResult;
import org.lethe.api.eval.MetricResult.Direction;
import org.lethe.api.eval.Roles;
import org.lethe.api.method.Task;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Acc_e, the erasure's efficacy (research/methods-gen.md §8; ANT, Li et al., ACM MM 2025, Table 2):
 * the share of the samples of the {@value Roles#ERASED_PROMPTS} prompts (the erased concept named by
 * its name or an erasure alias) that the evaluation classifier still classifies as the erased
 * concept, on that concept's head; an image judged "no object" does not show it. With several erased
 * concepts, the mean over the concepts of each one's share over the prompts targeting it
 * ({@link ConceptAccuracy}). Lower is better. Per item: the share of the erased concepts the prompt
 * targets that its sample still shows.
 */
@Component(service = Metric.class, property = {
    ServiceProperties.METRIC + "=" + ErasureAccuracyMetric.NAME,
    ServiceProperties.METRIC_VERSION + "=" + ErasureAccuracyMetric.VERSION,
    ServiceProperties.MODALITY + "=" + ServiceProperties.MODALITY_TEXT_TO_IMAGE})
public final class ErasureAccuracyMetric implements Metric {

    /** The metric's name: {@value}. */
    public static final String NAME = "erasure-accuracy";

    /** The definition's version: {@value}. */
    public static final String VERSION = "1";

    private final ErasureSampling sampling;

    /**
     * @param sampling the shared classifier and sampler
     */
    @Activate
    public ErasureAccuracyMetric(@Reference(name = "sampling") ErasureSampling sampling) {
        this.sampling = sampling;
    }

    /**
     * @param task the model under test, the erased concepts and the erased prompts
     * @return the result on {@value Roles#ERASED_PROMPTS}; none when the task has no erased concepts
     *     or no erased prompts
     * @throws LetheException (invalid input) when the model is not a text-to-image model, the
     *     classifier is missing or does not know a label, or a prompt targets no erased concept
     */
    @Override
    public List<MetricResult> evaluate(Task task) {
        if (!ErasureRun.hasErasedConcepts(task) || !ErasureRun.hasPrompts(task, Roles.ERASED_PROMPTS)) {
            return List.of();
        }
        try (ErasureRun run = sampling.open(task, NAME)) {
            ConceptAccuracy acc = run.erasureAccuracy();
            return List.of(new MetricResult(NAME, VERSION, Roles.ERASED_PROMPTS, acc.aggregate(), acc.perItem(),
                    Direction.LOWER_IS_BETTER, false));
        }
    }
}
