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
import org.lethe.evaluation.erasure.GeneratedSample;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The no-object rate (research/methods-gen.md §8, reported with the FID stand-in): the share of
 * samples that the evaluation classifier's {@code object} head judges {@code none} (background or
 * noise only: a destroyed image). Measured on {@value Roles#ERASED_PROMPTS},
 * {@value Roles#GENERALITY_PROMPTS}, {@code erased_prompts_perturbed} (when the task names erased
 * concepts) and {@value Roles#PRESERVE_PROMPTS}, whichever the task has. Lower is better: an erasure
 * should replace a concept, not blank the image. Per item: 1 or 0. A classifier without an
 * {@code object} head with class {@code none} is refused.
 */
@Component(service = Metric.class, property = {
    ServiceProperties.METRIC + "=" + NoObjectRateMetric.NAME,
    ServiceProperties.METRIC_VERSION + "=" + NoObjectRateMetric.VERSION,
    ServiceProperties.MODALITY + "=" + ServiceProperties.MODALITY_TEXT_TO_IMAGE})
public final class NoObjectRateMetric implements Metric {

    /** The metric's name: {@value}. */
    public static final String NAME = "no-object-rate";

    /** The definition's version: {@value}. */
    public static final String VERSION = "1";

    private final ErasureSampling sampling;

    /**
     * @param sampling the shared classifier and sampler
     */
    @Activate
    public NoObjectRateMetric(@Reference(name = "sampling") ErasureSampling sampling) {
        this.sampling = sampling;
    }

    /**
     * @param task the model under test and any of the erasure prompt roles
     * @return one result per split the task has, in the order above
     * @throws LetheException (invalid input) when the model is not a text-to-image model, the
     *     classifier is missing, has no "no object" head or does not know a label
     */
    @Override
    public List<MetricResult> evaluate(Task task) {
        List<String> roles = Roles.ERASURE.stream().filter(r -> ErasureRun.hasPrompts(task, r)).toList();
        if (roles.isEmpty()) {
            return List.of();
        }
        List<MetricResult> out = new ArrayList<>();
        try (ErasureRun run = sampling.open(task, NAME)) {
            if (!run.sampler().hasObjectHead()) {
                throw LetheException.invalidInput("metric '" + NAME + "' needs an evaluation classifier with an 'object'"
                        + " head that has the class 'none'; its heads are " + run.sampler().classifier().heads());
            }
            for (String role : roles) {
                out.add(result(role, run.samples(role)));
                if (role.equals(Roles.ERASED_PROMPTS) && ErasureRun.hasErasedConcepts(task)) {
                    out.add(result(ErasureRun.PERTURBED_SPLIT, run.perturbedSamples()));
                }
            }
        }
        return out;
    }

    private static MetricResult result(String split, List<GeneratedSample> samples) {
        Map<String, Double> perItem = new LinkedHashMap<>();
        int empty = 0;
        for (GeneratedSample s : samples) {
            boolean none = s.generation().noObject();
            perItem.put(s.id(), none ? 1.0 : 0.0);
            empty += none ? 1 : 0;
        }
        return new MetricResult(NAME, VERSION, split, (double) empty / samples.size(), perItem,
                Direction.LOWER_IS_BETTER, false);
    }
}
