package org.lethe.evaluation.texttoimage;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lethe.api.LetheException;
import org.lethe.api.ServiceProperties;
import org.lethe.api.eval.Metric;
import org.lethe.api.eval.MetricResult;
import org.lethe.api.eval.MetricResult.Direction;
import org.lethe.api.eval.Roles;
import org.lethe.api.method.Task;
import org.lethe.evaluation.erasure.ErasureScores;
import org.lethe.evaluation.erasure.GeneratedSample;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * H_g, the erasure's overall score with generality (research/methods-gen.md §8): the harmonic mean
 * of the three terms (1 − Acc_e), Acc_p and (1 − Acc_g), 0 when any is 0. This is MACE's H_o for
 * object erasure (Lu et al., CVPR 2024: the harmonic mean of efficacy, specificity and generality).
 * Acc_g here is taken over all the generality samples together: those of
 * {@value Roles#GENERALITY_PROMPTS} (when the task has them) and those of
 * {@code erased_prompts_perturbed} ({@link GeneralityAccuracyMetric}), per erased concept then
 * averaged over the concepts. Split {@value #SPLIT}, higher is better; the per-item values are the
 * three components, keyed {@code <split>.<metric>} (Acc_g's split lists the sets it pooled).
 */
@Component(service = Metric.class, property = {
    ServiceProperties.METRIC + "=" + ErasureHarmonicGeneralityMetric.NAME,
    ServiceProperties.METRIC_VERSION + "=" + ErasureHarmonicGeneralityMetric.VERSION,
    ServiceProperties.MODALITY + "=" + ServiceProperties.MODALITY_TEXT_TO_IMAGE})
public final class ErasureHarmonicGeneralityMetric implements Metric {

    /** The metric's name: {@value}. */
    public static final String NAME = "erasure-harmonic-generality";

    /** The definition's version: {@value}. */
    public static final String VERSION = "1";

    /** The split its result names: {@value}. */
    public static final String SPLIT = Roles.ERASED_PROMPTS + "+" + Roles.GENERALITY_PROMPTS + "+"
            + Roles.PRESERVE_PROMPTS;

    private final ErasureSampling sampling;

    /**
     * @param sampling the shared classifier and sampler
     */
    @Activate
    public ErasureHarmonicGeneralityMetric(@Reference(name = "sampling") ErasureSampling sampling) {
        this.sampling = sampling;
    }

    /**
     * @param task the model under test, the erased concepts, the erased and preserve prompts, and
     *     optionally the generality prompts
     * @return the one result; none when the erased concepts, the erased or the preserve prompts are missing
     * @throws LetheException (invalid input) as {@link ErasureAccuracyMetric},
     *     {@link GeneralityAccuracyMetric} and {@link PreservationAccuracyMetric} refuse
     */
    @Override
    public List<MetricResult> evaluate(Task task) {
        if (!ErasureRun.hasErasedConcepts(task) || !ErasureRun.hasPrompts(task, Roles.ERASED_PROMPTS)
                || !ErasureRun.hasPrompts(task, Roles.PRESERVE_PROMPTS)) {
            return List.of();
        }
        try (ErasureRun run = sampling.open(task, NAME)) {
            double accE = run.erasureAccuracy().aggregate();
            double accP = PreservationAccuracyMetric.mean(run.preservationPerItem());
            List<GeneratedSample> generality = new ArrayList<>();
            String pooled = GeneralityAccuracyMetric.PERTURBED_SPLIT;
            if (run.hasPrompts(Roles.GENERALITY_PROMPTS)) {
                generality.addAll(run.samples(Roles.GENERALITY_PROMPTS));
                pooled = Roles.GENERALITY_PROMPTS + "+" + pooled;
            }
            generality.addAll(run.perturbedSamples());
            double accG = ConceptAccuracy.of(run.erasedConcepts(), generality, pooled).aggregate();
            Map<String, Double> components = new LinkedHashMap<>();
            components.put(Roles.ERASED_PROMPTS + "." + ErasureAccuracyMetric.NAME, accE);
            components.put(Roles.PRESERVE_PROMPTS + "." + PreservationAccuracyMetric.NAME, accP);
            components.put(pooled + "." + GeneralityAccuracyMetric.NAME, accG);
            return List.of(new MetricResult(NAME, VERSION, SPLIT, ErasureScores.harmonicMean(1 - accE, accP, 1 - accG),
                    components, Direction.HIGHER_IS_BETTER, false));
        }
    }
}
