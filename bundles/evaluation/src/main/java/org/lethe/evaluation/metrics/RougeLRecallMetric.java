package org.lethe.evaluation.metrics;

import java.util.List;
import java.util.Optional;
import org.lethe.api.ServiceProperties;
import org.lethe.api.data.QaItem;
import org.lethe.api.eval.Metric;
import org.lethe.api.eval.MetricResult;
import org.lethe.api.eval.MetricResult.Direction;
import org.lethe.api.model.language.LanguageModel;
import org.lethe.evaluation.scoring.AnswerScoring;
import org.lethe.evaluation.scoring.ItemKeys;
import org.lethe.evaluation.scoring.Statistics;
import org.osgi.service.component.annotations.Component;

/**
 * ROUGE-L recall of the model's own answer (TOFU's ROUGE, recall variant): per item, greedy
 * decoding of at most the gold answer's token count + 2 tokens after the question (stopping at the
 * end marker), then {@code LCS(generated words, gold words) / |gold words|} over lower-cased
 * whitespace-separated words; the aggregate is the mean. Unlike exact match, this scores what the
 * model says on its own, not what it predicts with the gold answer as context. Same roles and
 * directions as {@link ExactMatchMetric}.
 */
@Component(service = Metric.class, property = {
    ServiceProperties.METRIC + "=" + RougeLRecallMetric.NAME,
    ServiceProperties.METRIC_VERSION + "=" + RougeLRecallMetric.VERSION,
    ServiceProperties.MODALITY + "=" + ServiceProperties.MODALITY_LANGUAGE})
public final class RougeLRecallMetric extends AnswerRoleMetric {

    /** The metric's name: {@value}. */
    public static final String NAME = "rouge-l-recall";

    /** The definition's version: {@value}. */
    public static final String VERSION = "1";

    @Override
    Optional<MetricResult> measure(LanguageModel model, String role, Direction direction, List<QaItem> items) {
        double[] values = AnswerScoring.rougeLRecalls(model, items);
        return Optional.of(new MetricResult(NAME, VERSION, role, Statistics.mean(values),
                perItem(ItemKeys.of(items), values), direction, false));
    }
}
