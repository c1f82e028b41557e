package org.lethe.evaluation.texttoimage;

import java.util.List;
import org.lethe.api.LetheException;
import org.lethe.api.ServiceProperties;
import org.lethe.api.eval.Metric;
import org.lethe.api.eval.MetricResult;
import org.lethe.api.eval.MetricResult.Direction;
import org.lethe.api.eval.Roles;
import org.lethe.api.method.Task;
import org.lethe.evaluation.erasure.FrechetDistance;
import org.lethe.evaluation.erasure.GeneratedSample;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The feature Fréchet distance, the FID stand-in of research/methods-gen.md §8 ("FID-lite"): the
 * squared 2-Wasserstein distance between Gaussian fits of the evaluation classifier's penultimate
 * features (64-d for shapes-clf) of the model's samples and of the reference's samples of the
 * {@value Roles#PRESERVE_PROMPTS} prompts, the same prompts with the same seeds
 * ({@link FrechetDistance}, no ridge). §8 compares generated with real images; the evaluation has
 * no real images of its prompts, and the reference in an evaluation is the evaluated version's root
 * ancestor (the base model), so this measures how far the erasure moved the preserved images'
 * distribution away from the base model's. 0 for the base model itself; lower is better; it needs the
 * reference. No per-item values (a distance between two distributions). At least two preserve
 * prompts are needed.
 */
@Component(service = Metric.class, property = {
    ServiceProperties.METRIC + "=" + FeatureFrechetMetric.NAME,
    ServiceProperties.METRIC_VERSION + "=" + FeatureFrechetMetric.VERSION,
    ServiceProperties.MODALITY + "=" + ServiceProperties.MODALITY_TEXT_TO_IMAGE})
public final class FeatureFrechetMetric implements Metric {

    /** The metric's name: {@value}. */
    public static final String NAME = "feature-frechet-distance";

    /** The definition's version: {@value}. */
    public static final String VERSION = "1";

    private final ErasureSampling sampling;

    /**
     * @param sampling the shared classifier and sampler
     */
    @Activate
    public FeatureFrechetMetric(@Reference(name = "sampling") ErasureSampling sampling) {
        this.sampling = sampling;
    }

    /**
     * @param task the model under test, its reference and the preserve prompts
     * @return the result on {@value Roles#PRESERVE_PROMPTS}; none when the task has no preserve prompts
     * @throws LetheException (invalid input) when the model or the reference is not a text-to-image
     *     model, the classifier is missing or does not know a label, or fewer than two preserve
     *     prompts are sampled
     */
    @Override
    public List<MetricResult> evaluate(Task task) {
        if (!ErasureRun.hasPrompts(task, Roles.PRESERVE_PROMPTS)) {
            return List.of();
        }
        try (ErasureRun run = sampling.open(task, NAME)) {
            List<GeneratedSample> model = run.samples(Roles.PRESERVE_PROMPTS);
            if (model.size() < 2) {
                throw LetheException.invalidInput("metric '" + NAME + "' fits a covariance and needs at least two "
                        + Roles.PRESERVE_PROMPTS + ", not " + model.size());
            }
            List<GeneratedSample> reference = run.referenceSamples(Roles.PRESERVE_PROMPTS);
            double distance = FrechetDistance.of(features(reference), features(model));
            return List.of(new MetricResult(NAME, VERSION, Roles.PRESERVE_PROMPTS, distance, java.util.Map.of(),
                    Direction.LOWER_IS_BETTER, true));
        }
    }

    private static double[][] features(List<GeneratedSample> samples) {
        double[][] out = new double[samples.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = samples.get(i).generation().features();
        }
        return out;
    }
}
