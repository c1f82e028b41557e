package org.lethe.evaluation.vision;

import java.util.ArrayList;
import java.util.List;
import org.lethe.api.LetheException;
import org.lethe.api.ServiceProperties;
import org.lethe.api.data.VqaItem;
import org.lethe.api.eval.Metric;
import org.lethe.api.eval.MetricResult;
import org.lethe.api.eval.MetricResult.Direction;
import org.lethe.api.eval.Roles;
import org.lethe.api.method.Task;
import org.lethe.api.model.vision.VisionLanguageModel;
import org.osgi.service.component.annotations.Component;

/**
 * Unlearning quality, UQ (research/methods-gen.md §8; SAUCE, Li et al., ICCV 2025): 1 − accuracy on
 * the questions whose gold answer is an unlearned concept, so an item scores 1 when the model no
 * longer gives the concept ({@link VqaAccuracyMetric}'s answer is not the gold one), else 0; the
 * aggregate is the mean. Measured on {@value Roles#VQA_FORGET} (held-out templates),
 * {@value Roles#VQA_PARAPHRASE} (held-out paraphrases) and the true questions of
 * {@value Roles#VQA_YES_NO} ("is it red" on a red object, gold "yes"; the false ones are left out,
 * their per-item keys absent), whichever the task has. Higher is better.
 */
@Component(service = Metric.class, property = {
    ServiceProperties.METRIC + "=" + UnlearningQualityMetric.NAME,
    ServiceProperties.METRIC_VERSION + "=" + UnlearningQualityMetric.VERSION,
    ServiceProperties.MODALITY + "=" + ServiceProperties.MODALITY_VISION_LANGUAGE})
public final class UnlearningQualityMetric implements Metric {

    /** The metric's name: {@value}. */
    public static final String NAME = "unlearning-quality";

    /** The definition's version: {@value}. */
    public static final String VERSION = "1";

    /** The roles measured, in report order. */
    static final List<String> ROLES = List.of(Roles.VQA_FORGET, Roles.VQA_PARAPHRASE, Roles.VQA_YES_NO);

    /**
     * @param task the model under test and the visual questions by role
     * @return one result per role present with at least one item measured
     * @throws LetheException (invalid input) when the model is not a vision-language model or a role
     *     holds another kind of data
     */
    @Override
    public List<MetricResult> evaluate(Task task) {
        List<MetricResult> out = new ArrayList<>();
        VisionLanguageModel model = null;
        for (String role : ROLES) {
            if (!VqaData.has(task, role)) {
                continue;
            }
            List<VqaItem> items = task.vqa(role).items();
            if (role.equals(Roles.VQA_YES_NO)) {
                items = VqaData.trueItems(items);
            }
            if (items.isEmpty()) {
                continue;
            }
            if (model == null) {
                model = VqaData.model(task, NAME);
            }
            double[] quality = VqaData.complement(VqaData.correct(model, items, VqaData.answers(model, items)));
            out.add(VqaData.result(NAME, VERSION, role, items, quality, Direction.HIGHER_IS_BETTER));
        }
        return out;
    }
}
