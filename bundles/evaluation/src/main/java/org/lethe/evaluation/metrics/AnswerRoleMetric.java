package org.lethe.evaluation.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.lethe.api.data.QaItem;
import org.lethe.api.eval.Metric;
import org.lethe.api.eval.MetricResult;
import org.lethe.api.eval.MetricResult.Direction;
import org.lethe.api.method.Task;
import org.lethe.api.model.language.LanguageModel;

/**
 * What the per-role answer metrics share: they visit the {@link AnswerRoles} the task has, in
 * order, skipping a role with no items, and measure each on the task's language model (taken only
 * when there is something to measure).
 */
abstract class AnswerRoleMetric implements Metric {

    /**
     * @param task the model under test and the data by role
     * @return one result per role of {@link AnswerRoles} the task has with items, in that order
     */
    @Override
    public final List<MetricResult> evaluate(Task task) {
        List<MetricResult> out = new ArrayList<>();
        LanguageModel model = null;
        for (Map.Entry<String, Direction> role : AnswerRoles.DIRECTIONS.entrySet()) {
            if (!task.has(role.getKey())) {
                continue;
            }
            List<QaItem> items = task.qa(role.getKey()).items();
            if (items.isEmpty()) {
                continue;
            }
            if (model == null) {
                model = task.model(LanguageModel.class);
            }
            measure(model, role.getKey(), role.getValue(), items).ifPresent(out::add);
        }
        return out;
    }

    /**
     * @param model the model under test
     * @param role the role measured
     * @param direction which way is better on it
     * @param items its items, at least one
     * @return the result, or empty when none of the items can be measured
     */
    abstract Optional<MetricResult> measure(LanguageModel model, String role, Direction direction, List<QaItem> items);

    /**
     * @param keys item keys
     * @param values one value per key
     * @return key → value, in the keys' order
     */
    static Map<String, Double> perItem(List<String> keys, double[] values) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (int i = 0; i < values.length; i++) {
            out.put(keys.get(i), values[i]);
        }
        return out;
    }
}
