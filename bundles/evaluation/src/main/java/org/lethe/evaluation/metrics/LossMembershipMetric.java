package org.lethe.evaluation.metrics;

import java.util.List;
import org.lethe.api.ServiceProperties;
import org.lethe.api.data.QaItem;
import org.lethe.api.eval.Metric;
import org.lethe.api.model.language.LanguageModel;
import org.lethe.evaluation.scoring.AnswerScore;
import org.lethe.evaluation.scoring.AnswerScoring;
import org.osgi.service.component.annotations.Component;

/**
 * Loss-based membership inference (Yeom et al., CSF 2018; open-unlearning's {@code mia_loss}): the
 * score of an item is {@code −(mean answer-token NLL)} of its gold answer after its question (the
 * end marker not counted), and the result is the AUC of forget (members) against holdout
 * (non-members); see {@link MembershipInferenceMetric} for the split, direction and reference.
 */
@Component(service = Metric.class, property = {
    ServiceProperties.METRIC + "=" + LossMembershipMetric.NAME,
    ServiceProperties.METRIC_VERSION + "=" + LossMembershipMetric.VERSION,
    ServiceProperties.MODALITY + "=" + ServiceProperties.MODALITY_LANGUAGE})
public final class LossMembershipMetric extends MembershipInferenceMetric {

    /** The metric's name: {@value}. */
    public static final String NAME = "mia-loss";

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
        return AnswerScoring.scoreQuestions(model, items).stream().mapToDouble(AnswerScore::meanLogProb).toArray();
    }
}
