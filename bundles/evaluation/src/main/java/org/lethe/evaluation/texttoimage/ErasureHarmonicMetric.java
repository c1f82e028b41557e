package org.lethe.evaluation.texttoimage;

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
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * H, the erasure's overall score (research/methods-gen.md §8; ANT's and MACE's H_c): the harmonic
 * mean of the efficacy 1 − Acc_e ({@link ErasureAccuracyMetric}) and the specificity Acc_p
 * ({@link PreservationAccuracyMetric}), 0 when either is 0. Split {@value #SPLIT}, higher is better;
 * the per-item values are its two components, keyed {@code <split>.<metric>}.
 */
@Component(service = Metric.class, property = {
    ServiceProperties.METRIC + "=" + ErasureHarmonicMetric.NAME,
    ServiceProperties.METRIC_VERSION + "=" + ErasureHarmonicMetric.VERSION,
    ServiceProperties.MODALITY + "=" + ServiceProperties.MODALITY_TEXT_TO_IMAGE})
public final class ErasureHarmonicMetric implements Metric {

    /** The metric's name: {@value}. */
    public static final String NAME = "erasure-harmonic";

    /** The definition's version: {@value}. */
    public static final String VERSION = "1";

    /** The split its result names: {@value}. */
    public static final String SPLIT = Roles.ERASED_PROMPTS + "+" + Roles.PRESERVE_PROMPTS;

    private final ErasureSampling sampling;

    /**
     * @param sampling the shared classifier and sampler
     */
    @Activate
    public ErasureHarmonicMetric(@Reference(name = "sampling") ErasureSampling sampling) {
        this.sampling = sampling;
    }

    /**
     * @param task the model under test, the erased concepts, the erased and the preserve prompts
     * @return the one result; none when any of them is missing
     * @throws LetheException (invalid input) as {@link ErasureAccuracyMetric} and
     *     {@link PreservationAccuracyMetric} refuse
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
            Map<String, Double> components = new LinkedHashMap<>();
            components.put(Roles.ERASED_PROMPTS + "." + ErasureAccuracyMetric.NAME, accE);
            components.put(Roles.PRESERVE_PROMPTS + "." + PreservationAccuracyMetric.NAME, accP);
            return List.of(new MetricResult(NAME, VERSION, SPLIT, ErasureScores.harmonicMean(1 - accE, accP),
                    components, Direction.HIGHER_IS_BETTER, false));
        }
    }
}
