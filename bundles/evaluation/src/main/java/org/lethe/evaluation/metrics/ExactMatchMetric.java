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
 * Exact match (research/methods-llm.md §3.3): an item scores 1 when, given its question and the
 * gold answer tokens before each position, the most likely token at every answer position is the
 * gold one (all tokens of a multi-token answer; the end marker after it is not required), else 0.
 * The aggregate is the mean. Measured on forget, forget_paraphrased and rumours (lower is better),
 * retain, retain_paraphrased, world and rumour_truth (higher is better) and holdout (neutral),
 * whichever the task has; only each item's question is scored (paraphrased questions are their
 * own role).
 */
@Component(service = Metric.class, property = {
    ServiceProperties.METRIC + "=" + ExactMatchMetric.NAME,
    ServiceProperties.METRIC_VERSION + "=" + ExactMatchMetric.VERSION,
    ServiceProperties.MODALITY + "=" + ServiceProperties.MODALITY_LANGUAGE})
public final class ExactMatchMetric extends AnswerRoleMetric {

    /** The metric's name: {@value}. */
    public static final String NAME = "exact-match";

    /** The definition's version: {@value}. */
    public static final String VERSION = "1";

    @Override
    Optional<MetricResult> measure(LanguageModel model, String role, Direction direction, List<QaItem> items) {
        List<AnswerScore> scores = AnswerScoring.scoreQuestions(model, items);
        double[] values = scores.stream().mapToDouble(s -> s.exactMatch() ? 1.0 : 0.0).toArray();
        return Optional.of(new MetricResult(NAME, VERSION, role, Statistics.mean(values),
                perItem(ItemKeys.of(items), values), direction, false));
    }
}
