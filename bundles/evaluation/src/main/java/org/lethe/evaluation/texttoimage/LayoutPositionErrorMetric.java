package org.lethe.evaluation.texttoimage;

import java.util.List;
import org.lethe.api.LetheException;
import org.lethe.api.ServiceProperties;
import org.lethe.api.eval.Metric;
import org.lethe.api.eval.MetricResult;
import org.lethe.api.eval.MetricResult.Direction;
import org.lethe.api.method.Task;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Layout preservation by position (research/methods-gen.md §8, "Structure preservation"): for each
 * prompt sampled with the same seed by the model under test and by the reference (as for
 * {@link LayoutIouMetric}), the distance in pixels between the centroids of the two object
 * silhouettes. The aggregate is the mean over the prompts where both silhouettes are non-empty; a
 * prompt where either is empty has NaN as its own value, and the aggregate is NaN when no prompt has
 * both. Measured on {@code erased_prompts} and {@code preserve_prompts}, whichever the task has.
 * Lower is better; it needs the reference.
 */
@Component(service = Metric.class, property = {
    ServiceProperties.METRIC + "=" + LayoutPositionErrorMetric.NAME,
    ServiceProperties.METRIC_VERSION + "=" + LayoutPositionErrorMetric.VERSION,
    ServiceProperties.MODALITY + "=" + ServiceProperties.MODALITY_TEXT_TO_IMAGE})
public final class LayoutPositionErrorMetric implements Metric {

    /** The metric's name: {@value}. */
    public static final String NAME = "layout-position-error";

    /** The definition's version: {@value}. */
    public static final String VERSION = "1";

    private final ErasureSampling sampling;

    /**
     * @param sampling the shared classifier and sampler
     */
    @Activate
    public LayoutPositionErrorMetric(@Reference(name = "sampling") ErasureSampling sampling) {
        this.sampling = sampling;
    }

    /**
     * @param task the model under test, its reference, and erased and/or preserve prompts
     * @return one result per split the task has
     * @throws LetheException (invalid input) when the model or the reference is not a text-to-image
     *     model, or the classifier is missing or does not know a label
     */
    @Override
    public List<MetricResult> evaluate(Task task) {
        return LayoutComparison.measure(sampling, task, NAME, (role, layout) -> new MetricResult(NAME, VERSION, role,
                layout.scores().meanPositionError(), layout.positionError(), Direction.LOWER_IS_BETTER, true));
    }
}
