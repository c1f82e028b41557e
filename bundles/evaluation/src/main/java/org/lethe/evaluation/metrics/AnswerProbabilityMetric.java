package org.lethe.evaluation.metrics;

import java.util.List;
import java.util.Optional;
import org.lethe.api.ServiceProperties;
import org.lethe.api.data.QaItem;
import org.lethe.api.eval.Metric;
import org.lethe.api.eval.MetricResult;
import org.lethe.api.eval.MetricResult.Direction;
import org.lethe.api.model.language.LanguageModel;
import org.lethe.evaluation.scoring.AnswerScore;
import org.lethe.evaluation.scoring.AnswerScoring;
import org.lethe.evaluation.scoring.ItemKeys;
import org.lethe.evaluation.scoring.Statistics;
import org.osgi.service.component.annotations.Component;

/**
 * Answer probability with TOFU's length normalisation: per item {@code exp(mean log p(a_t | q, a_<t))}
 * over the gold answer's tokens (the end marker not counted), in (0, 1]; the aggregate is the mean.
 * Same roles and directions as {@link ExactMatchMetric}.
 */
@Component(service = Metric.class, property = {
    ServiceProperties.METRIC + "=" + AnswerProbabilityMetric.NAME,
    ServiceProperties.METRIC_VERSION + "=" + AnswerProbabilityMetric.VERSION,
    ServiceProperties.MODALITY + "=" + ServiceProperties.MODALITY_LANGUAGE})
public final class AnswerProbabilityMetric extends AnswerRoleMetric {

    /** The metric's name: {@value}. */
    public static final String NAME = "answer-probability";

    /** The definition's version: {@value}. */
    public static final String VERSION = "1";

    @Override
    Optional<MetricResult> measure(LanguageModel model, String role, Direction direction, List<QaItem> items) {
        double[] values = probabilities(model, items);
        return Optional.of(new MetricResult(NAME, VERSION, role, Statistics.mean(values),
                perItem(ItemKeys.of(items), values), direction, false));
    }

    /**
     * @param model the model
     * @param items the items
     * @return each item's length-normalised answer probability, in order
     */
    static double[] probabilities(LanguageModel model, List<QaItem> items) {
        return AnswerScoring.scoreQuestions(model, items).stream().mapToDouble(AnswerScore::probability).toArray();
    }
}
