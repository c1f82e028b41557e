package org.lethe.evaluation.metrics;

import java.util.ArrayList;
import java.util.Arrays;
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
import org.lethe.evaluation.scoring.TruthRatios;
import org.osgi.service.component.annotations.Component;

/**
 * Truth ratio, TOFU as open-unlearning computes it ({@link TruthRatios}): per item the raw
 * {@code TR = P_wrong / P_correct}, P the length-normalised answer probability after the question,
 * {@code P_wrong} the geometric mean over the item's perturbed answers. Aggregates:
 * <ul>
 * <li>forget, forget_paraphrased, rumours: {@code mean(min(TR, 1/TR))} (open-unlearning's
 *     {@code closer_to_1_better}), {@link Direction#CLOSER_IS_BETTER closer} to the gold model's;</li>
 * <li>retain, retain_paraphrased, world, rumour_truth: {@code mean(max(0, 1 − TR))}
 *     ({@code true_better}), {@link Direction#HIGHER_IS_BETTER higher is better};</li>
 * <li>holdout: {@code mean(min(TR, 1/TR))}, {@link Direction#NEUTRAL neutral} (never-trained facts
 *     the model should be undecided on).</li>
 * </ul>
 * Items without perturbed answers are skipped (absent from the per-item values); a role none of
 * whose items has perturbed answers gets no result. The per-item ratios on forget are what forget
 * quality (a KS test against the gold models, computed by the comparison) reads.
 */
@Component(service = Metric.class, property = {
    ServiceProperties.METRIC + "=" + TruthRatioMetric.NAME,
    ServiceProperties.METRIC_VERSION + "=" + TruthRatioMetric.VERSION,
    ServiceProperties.MODALITY + "=" + ServiceProperties.MODALITY_LANGUAGE})
public final class TruthRatioMetric extends AnswerRoleMetric {

    /** The metric's name: {@value}. */
    public static final String NAME = "truth-ratio";

    /** The definition's version: {@value}. */
    public static final String VERSION = "1";

    @Override
    Optional<MetricResult> measure(LanguageModel model, String role, Direction direction, List<QaItem> items) {
        double[] all = AnswerScoring.truthRatios(model, items);
        List<String> allKeys = ItemKeys.of(items);
        List<String> keys = new ArrayList<>();
        double[] ratios = new double[all.length];
        for (int i = 0; i < all.length; i++) {
            if (!Double.isNaN(all[i])) {
                ratios[keys.size()] = all[i];
                keys.add(allKeys.get(i));
            }
        }
        if (keys.isEmpty()) {
            return Optional.empty();
        }
        ratios = Arrays.copyOf(ratios, keys.size());
        boolean keep = direction == Direction.HIGHER_IS_BETTER;
        double aggregate = keep ? TruthRatios.trueBetter(ratios) : TruthRatios.closerToOne(ratios);
        Direction reported = direction == Direction.LOWER_IS_BETTER ? Direction.CLOSER_IS_BETTER : direction;
        return Optional.of(new MetricResult(NAME, VERSION, role, aggregate, perItem(keys, ratios), reported, false));
    }

    /**
     * The retain-side truth-ratio score of items ({@code mean(max(0, 1 − TR))} over those with
     * perturbed answers), what model utility combines.
     *
     * @param model the model
     * @param items the items
     * @return the score, or empty when no item has perturbed answers
     */
    static Optional<Double> trueBetterScore(LanguageModel model, List<QaItem> items) {
        double[] ratios = Arrays.stream(AnswerScoring.truthRatios(model, items))
                .filter(r -> !Double.isNaN(r)).toArray();
        return ratios.length == 0 ? Optional.empty() : Optional.of(TruthRatios.trueBetter(ratios));
    }
}
