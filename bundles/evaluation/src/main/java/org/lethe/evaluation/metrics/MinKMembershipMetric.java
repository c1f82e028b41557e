package org.lethe.evaluation.metrics;

import java.util.List;
import org.lethe.api.ServiceProperties;
import org.lethe.api.data.QaItem;
import org.lethe.api.eval.Metric;
import org.lethe.api.model.language.LanguageModel;
import org.lethe.evaluation.scoring.AnswerScoring;
import org.lethe.evaluation.scoring.MinKPercent;
import org.osgi.service.component.annotations.Component;

/**
 * Min-K% membership inference (Shi et al., ICLR 2024; open-unlearning's {@code mia_min_k}): the
 * score of an item is the mean of the lowest k = {@value MinKPercent#DEFAULT_FRACTION} of the token
 * log-probabilities (log-softmax of {@link LanguageModel#logits}) of its whole question-and-answer
 * sequence, every token after the first (the facts world's answers are one or two tokens, too few
 * to rank on their own; open-unlearning scores the answer only), keeping {@code max(1, ⌊n·k⌋)}
 * tokens; the result is the AUC of forget (members) against holdout (non-members); see
 * {@link MembershipInferenceMetric} for the split, direction and reference.
 */
@Component(service = Metric.class, property = {
    ServiceProperties.METRIC + "=" + MinKMembershipMetric.NAME,
    ServiceProperties.METRIC_VERSION + "=" + MinKMembershipMetric.VERSION,
    ServiceProperties.MODALITY + "=" + ServiceProperties.MODALITY_LANGUAGE})
public final class MinKMembershipMetric extends MembershipInferenceMetric {

    /** The metric's name: {@value}. */
    public static final String NAME = "mia-min-k";

    /** The definition's version: {@value}. */
    public static final String VERSION = "1";

    @Override
    String name() {
        return NAME;
    }

    @Override
    String version() {
        return VERSION;
    }

    @Override
    double[] scores(LanguageModel model, List<QaItem> items) {
        List<double[]> sequences = AnswerScoring.sequenceLogProbs(model, items.stream().map(QaItem::question).toList(),
                items.stream().map(QaItem::answer).toList());
        return sequences.stream().mapToDouble(lp -> MinKPercent.score(lp, MinKPercent.DEFAULT_FRACTION)).toArray();
    }
}
