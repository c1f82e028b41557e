package org.lethe.evaluation.probes;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.lethe.api.data.QaItem;
import org.lethe.api.eval.MetricResult;
import org.lethe.api.model.language.LanguageModel;
import org.lethe.evaluation.scoring.ItemKeys;

/**
 * A set of prompt–answer pairs whose exact match a probe follows over fine-tuning steps: the
 * aggregate at every measured step (the curve) and the per-item values of the first and the latest
 * measurement. Pairs longer than the model takes are left out when the set is made, and counted.
 */
final class Tracked {

    private final List<String> ids = new ArrayList<>();
    private final List<String> prompts = new ArrayList<>();
    private final List<String> answers = new ArrayList<>();
    private final int skipped;
    private final SortedMap<Integer, Double> curve = new TreeMap<>();
    private double[] first;
    private double[] last;

    private Tracked(LanguageModel lm, List<String> ids, List<String> prompts, List<String> answers) {
        int left = 0;
        try (NDManager scope = lm.model().getNDManager().newSubManager()) {
            for (int i = 0; i < ids.size(); i++) {
                if (ProbeScoring.fits(lm, scope, prompts.get(i), answers.get(i))) {
                    this.ids.add(ids.get(i));
                    this.prompts.add(prompts.get(i));
                    this.answers.add(answers.get(i));
                } else {
                    left++;
                }
            }
        }
        this.skipped = left;
    }

    /**
     * @param lm the model (its length limit decides what fits)
     * @param items items, scored on their own question and answer, keyed as the metrics key them
     *     ({@link ItemKeys}: the id, or {@code #<index>} for a blank or repeated one)
     * @return the set, in the items' order
     */
    static Tracked of(LanguageModel lm, List<QaItem> items) {
        return new Tracked(lm, ItemKeys.of(items), items.stream().map(QaItem::question).toList(),
                items.stream().map(QaItem::answer).toList());
    }

    /**
     * @param lm the model
     * @param ids the pairs' ids
     * @param prompts their prompts
     * @param answers their answers
     * @return the set, in the given order
     */
    static Tracked of(LanguageModel lm, List<String> ids, List<String> prompts, List<String> answers) {
        return new Tracked(lm, ids, prompts, answers);
    }

    /** @return the number of pairs measured */
    int size() {
        return ids.size();
    }

    /** @return the number of pairs left out because they do not fit the model */
    int skipped() {
        return skipped;
    }

    /** @return the prompts measured */
    List<String> prompts() {
        return prompts;
    }

    /** @return the answers measured */
    List<String> answers() {
        return answers;
    }

    /**
     * Measures exact match now and records it as the curve's point at {@code step}.
     *
     * @param lm the model
     * @param step the number of fine-tuning steps taken so far
     * @return the aggregate (mean) exact match
     */
    double measure(LanguageModel lm, int step) {
        double[] em = ProbeScoring.exactMatch(lm, prompts, answers);
        if (first == null) {
            first = em;
        }
        last = em;
        double mean = ProbeScoring.mean(em);
        curve.put(step, mean);
        return mean;
    }

    /** @return the aggregate of the first measurement */
    double firstAggregate() {
        return curve.get(curve.firstKey());
    }

    /** @return the aggregate of the latest measurement */
    double lastAggregate() {
        return curve.get(curve.lastKey());
    }

    /**
     * The result of the latest measurement, with the curve of every measurement.
     *
     * @param metric the metric's name
     * @param version its version
     * @param split the split it names
     * @param direction which way is better
     * @return the result
     */
    MetricResult result(String metric, String version, String split, MetricResult.Direction direction) {
        return new MetricResult(metric, version, split, lastAggregate(), perItem(last), direction, false, curve);
    }

    /**
     * The latest measurement minus the first, per item and on aggregate, without a curve.
     *
     * @param metric the metric's name
     * @param version its version
     * @param split the split it names
     * @param direction which way is better
     * @return the result
     */
    MetricResult gain(String metric, String version, String split, MetricResult.Direction direction) {
        double[] difference = new double[last.length];
        for (int i = 0; i < last.length; i++) {
            difference[i] = last[i] - first[i];
        }
        return new MetricResult(metric, version, split, lastAggregate() - firstAggregate(), perItem(difference), direction,
                false);
    }

    /**
     * A result of one measurement without a curve (a prompt attack).
     *
     * @param lm the model
     * @param metric the metric's name
     * @param version its version
     * @param split the split it names
     * @param direction which way is better
     * @return the result
     */
    MetricResult once(LanguageModel lm, String metric, String version, String split, MetricResult.Direction direction) {
        double[] em = ProbeScoring.exactMatch(lm, prompts, answers);
        return new MetricResult(metric, version, split, ProbeScoring.mean(em), perItem(em), direction, false);
    }

    private Map<String, Double> perItem(double[] values) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (int i = 0; i < values.length; i++) {
            out.put(ids.get(i), values[i]);
        }
        return out;
    }
}
