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
 * Layout preservation by silhouette IoU (research/methods-gen.md §8, "Structure preservation"; ANT's
 * claim, Li et al., ACM MM 2025): for each prompt, the model under test and the reference (in an
 * evaluation, the evaluated version's root ancestor: the base model) sample it with the same seed,
 * and the object silhouettes (pixels whose largest channel deviates from the image's median
 * background by more than {@code silhouetteThreshold}) are compared by intersection over union, 1
 * when both are empty. The aggregate is the mean. Measured on {@code erased_prompts} (does the
 * erasure keep the layout while changing the concept?) and {@code preserve_prompts}, whichever the
 * task has. Higher is better; it needs the reference.
 */
@Component(service = Metric.class, property = {
    ServiceProperties.METRIC + "=" + LayoutIouMetric.NAME,
    ServiceProperties.METRIC_VERSION + "=" + LayoutIouMetric.VERSION,
    ServiceProperties.MODALITY + "=" + ServiceProperties.MODALITY_TEXT_TO_IMAGE})
public final class LayoutIouMetric implements Metric {

    /** The metric's name: {@value}. */
    public static final String NAME = "layout-iou";

    /** The definition's version: {@value}. */
    public static final String VERSION = "1";

    private final ErasureSampling sampling;

    /**
     * @param sampling the shared classifier and sampler
     */
    @Activate
    public LayoutIouMetric(@Reference(name = "sampling") ErasureSampling sampling) {
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
        return LayoutComparison.measure(sampling, task, NAME, (role, layout) -> new MetricResult(NAME, VERSION, role, layout.scores().meanIou(), layout.iou(),
                Direction.HIGHER_IS_BETTER, true));
    }
}
