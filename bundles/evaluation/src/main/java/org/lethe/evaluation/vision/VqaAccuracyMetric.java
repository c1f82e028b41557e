package org.lethe.evaluation.vision;

import java.util.ArrayList;
import java.util.List;
import org.lethe.api.LetheException;
import org.lethe.api.ServiceProperties;
import org.lethe.api.data.VqaItem;
import org.lethe.api.eval.Metric;
import org.lethe.api.eval.MetricResult;
import org.lethe.api.eval.Roles;
import org.lethe.api.method.Task;
import org.lethe.api.model.vision.VisionLanguageModel;
import org.osgi.service.component.annotations.Component;

/**
 * Visual question-answering accuracy (research/methods-gen.md §8): an item scores 1 when the
 * model's answer, the argmax of {@link VisionLanguageModel#logits} over its answer vocabulary, is
 * the gold answer, else 0; the aggregate is the mean. Measured on every vision-language role the
 * task has: {@value Roles#VQA_FORGET}, {@value Roles#VQA_PARAPHRASE} and {@code forget} (lower is
 * better), {@value Roles#VQA_SELECTIVITY}, {@value Roles#VQA_UTILITY} and {@code retain} (higher is
 * better), {@value Roles#VQA_YES_NO} (neutral: its true questions should lose their "yes", its false
 * ones keep their "no"; {@code unlearning-quality} reads the true ones alone).
 */
@Component(service = Metric.class, property = {
    ServiceProperties.METRIC + "=" + VqaAccuracyMetric.NAME,
    ServiceProperties.METRIC_VERSION + "=" + VqaAccuracyMetric.VERSION,
    ServiceProperties.MODALITY + "=" + ServiceProperties.MODALITY_VISION_LANGUAGE})
public final class VqaAccuracyMetric implements Metric {

    /** The metric's name: {@value}. */
    public static final String NAME = "vqa-accuracy";

    /** The definition's version: {@value}. */
    public static final String VERSION = "1";

    /**
     * @param task the model under test and the visual questions by role
     * @return one result per role present, in the order of the class description; none for a role
     *     the task lacks or that holds no item
     * @throws LetheException (invalid input) when the model is not a vision-language model or a
     *     {@code vqa_*} role holds another kind of data
     */
    @Override
    public List<MetricResult> evaluate(Task task) {
        List<MetricResult> out = new ArrayList<>();
        VisionLanguageModel model = null;
        for (String role : VqaData.ACCURACY_ROLES) {
            if (!VqaData.has(task, role)) {
                continue;
            }
            List<VqaItem> items = task.vqa(role).items();
            if (items.isEmpty()) {
                continue;
            }
            if (model == null) {
                model = VqaData.model(task, NAME);
            }
            double[] correct = VqaData.correct(model, items, VqaData.answers(model, items));
            out.add(VqaData.result(NAME, VERSION, role, items, correct, VqaData.accuracyDirection(role)));
        }
        return out;
    }
}
