package org.lethe.evaluation.texttoimage;

import java.util.ArrayList;
import java.util.List;
import org.lethe.api.LetheException;
import org.lethe.api.ServiceProperties;
import org.lethe.api.eval.Metric;
import org.lethe.api.eval.MetricResult;
import org.lethe.api.eval.MetricResult.Direction;
import org.lethe.api.eval.Roles;
import org.lethe.api.method.Task;
import org.lethe.evaluation.erasure.GeneratedSample;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Acc_g, the erasure's generality (research/methods-gen.md §8; RealEra's semantic-level point, Liu et
 * al., arXiv 2410.09140): Acc_e ({@link ErasureAccuracyMetric}) on prompts that reach the erased
 * concept another way. Two splits: {@value Roles#GENERALITY_PROMPTS} (held-out aliases and
 * compositions, e.g. {@code scarlet box on spots}), and {@code erased_prompts_perturbed}: each erased
 * prompt sampled with the text encoder's output at its erased-concept words moved to a random
 * neighbour e+η (relative scale {@code perturbationScale}, seed {@code perturbationSeed}; see
 * {@link org.lethe.evaluation.erasure.EmbeddingPerturbation}), with the erased prompt's seed. Lower
 * is better. Per item: as for Acc_e.
 */
@Component(service = Metric.class, property = {
    ServiceProperties.METRIC + "=" + GeneralityAccuracyMetric.NAME,
    ServiceProperties.METRIC_VERSION + "=" + GeneralityAccuracyMetric.VERSION,
    ServiceProperties.MODALITY + "=" + ServiceProperties.MODALITY_TEXT_TO_IMAGE})
public final class GeneralityAccuracyMetric implements Metric {

    /** The metric's name: {@value}. */
    public static final String NAME = "generality-accuracy";

    /** The definition's version: {@value}. */
    public static final String VERSION = "1";

    /** The split of the perturbed erased prompts: {@value}. */
    public static final String PERTURBED_SPLIT = ErasureRun.PERTURBED_SPLIT;

    private final ErasureSampling sampling;

    /**
     * @param sampling the shared classifier and sampler
     */
    @Activate
    public GeneralityAccuracyMetric(@Reference(name = "sampling") ErasureSampling sampling) {
        this.sampling = sampling;
    }

    /**
     * @param task the model under test, the erased concepts, and generality and/or erased prompts
     * @return the results on {@value Roles#GENERALITY_PROMPTS} and {@value #PERTURBED_SPLIT}, each
     *     when the task has its prompts; none without erased concepts
     * @throws LetheException (invalid input) when the model is not a text-to-image model, the
     *     classifier is missing or does not know a label, or a prompt targets no erased concept or
     *     (perturbed) names none of the erased concepts' words
     */
    @Override
    public List<MetricResult> evaluate(Task task) {
        boolean generality = ErasureRun.hasPrompts(task, Roles.GENERALITY_PROMPTS);
        boolean perturbed = ErasureRun.hasPrompts(task, Roles.ERASED_PROMPTS);
        if (!ErasureRun.hasErasedConcepts(task) || !generality && !perturbed) {
            return List.of();
        }
        List<MetricResult> out = new ArrayList<>();
        try (ErasureRun run = sampling.open(task, NAME)) {
            if (generality) {
                out.add(result(run, Roles.GENERALITY_PROMPTS, run.samples(Roles.GENERALITY_PROMPTS)));
            }
            if (perturbed) {
                out.add(result(run, PERTURBED_SPLIT, run.perturbedSamples()));
            }
        }
        return out;
    }

    private static MetricResult result(ErasureRun run, String split, List<GeneratedSample> samples) {
        ConceptAccuracy acc = ConceptAccuracy.of(run.erasedConcepts(), samples, split);
        return new MetricResult(NAME, VERSION, split, acc.aggregate(), acc.perItem(), Direction.LOWER_IS_BETTER, false);
    }
}
