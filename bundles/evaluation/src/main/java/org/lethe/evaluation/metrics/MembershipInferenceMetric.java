package org.lethe.evaluation.metrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lethe.api.data.QaItem;
import org.lethe.api.eval.Metric;
import org.lethe.api.eval.MetricResult;
import org.lethe.api.eval.MetricResult.Direction;
import org.lethe.api.eval.Roles;
import org.lethe.api.method.Task;
import org.lethe.api.model.language.LanguageModel;
import org.lethe.evaluation.scoring.ItemKeys;
import org.lethe.evaluation.scoring.Statistics;

/**
 * What the membership-inference AUCs share: members are the forget items, non-members the holdout
 * items; a per-item score that should be higher for members; the AUC by the Mann–Whitney statistic
 * (ties count 1/2, {@link Statistics#auc}). Split {@code forget}, {@link Direction#CLOSER_IS_BETTER
 * closer} to the gold model's AUC is better, and it needs the gold reference: privacy leakage,
 * {@code (AUC_unlearned − AUC_gold) / AUC_gold · 100}, is computed by the comparison. The per-item
 * values are every forget item's score under its key, then every holdout item's under
 * {@code holdout:<key>}. A task without forget or holdout items gets no result.
 */
abstract class MembershipInferenceMetric implements Metric {

    /** Prefix of the non-members' keys in the per-item values: {@value}. */
    static final String NON_MEMBER_PREFIX = Roles.HOLDOUT + ":";

    /**
     * @param task the model under test and the data by role
     * @return the one result on {@code forget}, or none when the task lacks forget or holdout items
     */
    @Override
    public final List<MetricResult> evaluate(Task task) {
        for (String role : List.of(Roles.FORGET, Roles.HOLDOUT)) {
            if (!task.has(role) || task.qa(role).items().isEmpty()) {
                return List.of();
            }
        }
        LanguageModel model = task.model(LanguageModel.class);
        List<QaItem> members = task.qa(Roles.FORGET).items();
        List<QaItem> nonMembers = task.qa(Roles.HOLDOUT).items();
        double[] memberScores = scores(model, members);
        double[] nonMemberScores = scores(model, nonMembers);
        Map<String, Double> perItem = new LinkedHashMap<>();
        List<String> memberKeys = ItemKeys.of(members);
        for (int i = 0; i < memberScores.length; i++) {
            perItem.put(memberKeys.get(i), memberScores[i]);
        }
        List<String> nonMemberKeys = ItemKeys.of(nonMembers);
        for (int i = 0; i < nonMemberScores.length; i++) {
            perItem.put(NON_MEMBER_PREFIX + nonMemberKeys.get(i), nonMemberScores[i]);
        }
        return List.of(new MetricResult(name(), version(), Roles.FORGET, Statistics.auc(memberScores, nonMemberScores),
                perItem, Direction.CLOSER_IS_BETTER, true));
    }

    /** @return the metric's name */
    abstract String name();

    /** @return the definition's version */
    abstract String version();

    /**
     * @param model the model
     * @param items the items
     * @return each item's membership score, higher meaning more likely trained on, in order
     */
    abstract double[] scores(LanguageModel model, List<QaItem> items);
}
