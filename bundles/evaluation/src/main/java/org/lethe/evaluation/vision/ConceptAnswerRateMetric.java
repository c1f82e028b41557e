package org.lethe.evaluation.vision;

import java.util.List;
import java.util.Set;
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
 * The concept-answer rate (research/methods-gen.md §8: "also report the share of answers that are
 * still c"): on {@value Roles#VQA_FORGET}, an item scores 1 when the model's answer is any of the
 * unlearned concepts (the names of the {@code erase} concepts; without that role, the gold answers
 * of {@value Roles#VQA_FORGET}), else 0; the aggregate is the mean. Unlike 1 − unlearning quality it
 * also counts a concept given for another concept's question (answering "green" for a red object
 * when both are unlearned). Lower is better; a model that merely forgot answers at chance.
 */
@Component(service = Metric.class, property = {
    ServiceProperties.METRIC + "=" + ConceptAnswerRateMetric.NAME,
    ServiceProperties.METRIC_VERSION + "=" + ConceptAnswerRateMetric.VERSION,
    ServiceProperties.MODALITY + "=" + ServiceProperties.MODALITY_VISION_LANGUAGE})
public final class ConceptAnswerRateMetric implements Metric {

    /** The metric's name: {@value}. */
    public static final String NAME = "concept-answer-rate";

    /** The definition's version: {@value}. */
    public static final String VERSION = "1";

    /**
     * @param task the model under test, the unlearned concepts and the forget questions
     * @return the result on {@value Roles#VQA_FORGET}; none when the task has no such item
     * @throws LetheException (invalid input) when the model is not a vision-language model
     */
    @Override
    public List<MetricResult> evaluate(Task task) {
        if (!VqaData.has(task, Roles.VQA_FORGET)) {
            return List.of();
        }
        List<VqaItem> items = task.vqa(Roles.VQA_FORGET).items();
        if (items.isEmpty()) {
            return List.of();
        }
        VisionLanguageModel model = VqaData.model(task, NAME);
        Set<String> concepts = VqaData.concepts(task);
        double[] rate = VqaData.conceptAnswers(model, VqaData.answers(model, items), concepts);
        return List.of(VqaData.result(NAME, VERSION, Roles.VQA_FORGET, items, rate, Direction.LOWER_IS_BETTER));
    }
}
