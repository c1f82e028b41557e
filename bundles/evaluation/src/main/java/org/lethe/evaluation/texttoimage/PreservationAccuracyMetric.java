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
import org.lethe.evaluation.erasure.ClassifiedSample;
import org.lethe.evaluation.erasure.Concept;
import org.lethe.evaluation.erasure.GeneratedSample;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Acc_p, the erasure's specificity (research/methods-gen.md §8; ANT's Acc_p): the share of the
 * samples of the {@value Roles#PRESERVE_PROMPTS} prompts whose every judged label (colour, shape,
 * texture: all attributes, not only the erased one) the evaluation classifier recognises, and that
 * it does not judge "no object". Higher is better. Per item: 1 or 0. When the task names erased
 * concepts, a preserve prompt that targets one is refused; without them it is the plain prompt
 * accuracy of the model (the CLIP-score stand-in of §8).
 */
@Component(service = Metric.class, property = {
    ServiceProperties.METRIC + "=" + PreservationAccuracyMetric.NAME,
    ServiceProperties.METRIC_VERSION + "=" + PreservationAccuracyMetric.VERSION,
    ServiceProperties.MODALITY + "=" + ServiceProperties.MODALITY_TEXT_TO_IMAGE})
public final class PreservationAccuracyMetric implements Metric {

    /** The metric's name: {@value}. */
    public static final String NAME = "preservation-accuracy";

    /** The definition's version: {@value}. */
    public static final String VERSION = "1";

    private final ErasureSampling sampling;

    /**
     * @param sampling the shared classifier and sampler
     */
    @Activate
    public PreservationAccuracyMetric(@Reference(name = "sampling") ErasureSampling sampling) {
        this.sampling = sampling;
    }

    /**
     * @param task the model under test and the preserve prompts (and the erased concepts, if any)
     * @return the result on {@value Roles#PRESERVE_PROMPTS}; none when the task has no preserve prompts
     * @throws LetheException (invalid input) when the model is not a text-to-image model, the
     *     classifier is missing or does not know a label, or a preserve prompt targets an erased concept
     */
    @Override
    public List<MetricResult> evaluate(Task task) {
        if (!ErasureRun.hasPrompts(task, Roles.PRESERVE_PROMPTS)) {
            return List.of();
        }
        try (ErasureRun run = sampling.open(task, NAME)) {
            Map<String, Double> perItem = run.preservationPerItem();
            return List.of(new MetricResult(NAME, VERSION, Roles.PRESERVE_PROMPTS, mean(perItem), perItem,
                    Direction.HIGHER_IS_BETTER, false));
        }
    }

    /**
     * @param erased the erased concepts (may be empty)
     * @param samples the preserve samples
     * @return 1 for every fully recognised sample, else 0, by prompt id
     * @throws LetheException (invalid input) naming the prompt, when a sample targets an erased concept
     */
    static Map<String, Double> perItem(List<Concept> erased, List<GeneratedSample> samples) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (GeneratedSample s : samples) {
            for (Concept c : erased) {
                if (s.targets(c)) {
                    throw LetheException.invalidInput("preserve prompt '" + s.id() + "' targets the erased concept " + c
                            + "; preserve prompts must name only concepts that survive the erasure");
                }
            }
            ClassifiedSample classified = s.classified();
            out.put(s.id(), classified.fullyCorrect() ? 1.0 : 0.0);
        }
        return out;
    }

    /**
     * @param values per-item values, at least one
     * @return their mean
     */
    static double mean(Map<String, Double> values) {
        return values.values().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }
}
