package org.lethe.evaluation.metrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lethe.api.LetheException;
import org.lethe.api.ServiceProperties;
import org.lethe.api.data.QaItem;
import org.lethe.api.eval.Metric;
import org.lethe.api.eval.MetricResult;
import org.lethe.api.eval.MetricResult.Direction;
import org.lethe.api.eval.Roles;
import org.lethe.api.method.Task;
import org.lethe.api.model.language.LanguageModel;
import org.lethe.evaluation.scoring.AnswerScoring;
import org.lethe.evaluation.scoring.Statistics;
import org.osgi.service.component.annotations.Component;

/**
 * Model utility as TOFU defines it (open-unlearning's {@code model_utility}, handler
 * {@code hm_aggregate}), adapted to the roles Lethe has: the harmonic mean of six values, the mean
 * answer probability ({@link AnswerProbabilityMetric}), the mean ROUGE-L recall
 * ({@link RougeLRecallMetric}) and the truth-ratio score {@code mean(max(0, 1 − TR))}
 * ({@link TruthRatioMetric}), each on retain and on world. TOFU's third set, real authors, has no
 * counterpart in the built-in worlds, so it has six values where TOFU has nine. It is 0 when any of
 * the six is 0. Split {@value #SPLIT}, higher is better; the per-item values are the six components,
 * keyed {@code <role>.<metric>}. A task without retain or world items gets no result; one whose
 * retain or world items carry no perturbed answers is refused (the truth-ratio component cannot be
 * computed).
 */
@Component(service = Metric.class, property = {
    ServiceProperties.METRIC + "=" + ModelUtilityMetric.NAME,
    ServiceProperties.METRIC_VERSION + "=" + ModelUtilityMetric.VERSION,
    ServiceProperties.MODALITY + "=" + ServiceProperties.MODALITY_LANGUAGE})
public final class ModelUtilityMetric implements Metric {

    /** The metric's name: {@value}. */
    public static final String NAME = "model-utility";

    /** The definition's version: {@value}. */
    public static final String VERSION = "1";

    /** The split its result names: {@value}. */
    public static final String SPLIT = Roles.RETAIN + "+" + Roles.WORLD;

    /**
     * @param task the model under test and the data by role
     * @return the one result, or none when the task lacks retain or world items
     * @throws LetheException (invalid input) when the retain or world items carry no perturbed answers
     */
    @Override
    public List<MetricResult> evaluate(Task task) {
        for (String role : List.of(Roles.RETAIN, Roles.WORLD)) {
            if (!task.has(role) || task.qa(role).items().isEmpty()) {
                return List.of();
            }
        }
        LanguageModel model = task.model(LanguageModel.class);
        Map<String, Double> components = new LinkedHashMap<>();
        for (String role : List.of(Roles.RETAIN, Roles.WORLD)) {
            List<QaItem> items = task.qa(role).items();
            double truthRatio = TruthRatioMetric.trueBetterScore(model, items)
                    .orElseThrow(() -> LetheException.invalidInput(NAME + ": no " + role
                            + " item has perturbed answers, so its truth-ratio component cannot be computed"));
            components.put(role + "." + AnswerProbabilityMetric.NAME,
                    Statistics.mean(AnswerProbabilityMetric.probabilities(model, items)));
            components.put(role + "." + RougeLRecallMetric.NAME, Statistics.mean(AnswerScoring.rougeLRecalls(model, items)));
            components.put(role + "." + TruthRatioMetric.NAME, truthRatio);
        }
        double utility = Statistics.harmonicMean(components.values().stream().mapToDouble(Double::doubleValue).toArray());
        return List.of(new MetricResult(NAME, VERSION, SPLIT, utility, components, Direction.HIGHER_IS_BETTER, false));
    }
}
