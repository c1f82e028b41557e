package org.lethe.evaluation.texttoimage;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.lethe.api.eval.MetricResult;
import org.lethe.api.method.Task;
import org.lethe.evaluation.erasure.GeneratedSample;
import org.lethe.evaluation.erasure.LayoutScores;

/**
 * The layout of the model's samples against the reference's samples of the same prompts with the
 * same seeds ({@link LayoutScores}): per prompt the silhouette IoU and the centroid distance (NaN
 * where either silhouette is empty), and their aggregate.
 *
 * @param scores the aggregate
 * @param iou each prompt's IoU, by prompt id
 * @param positionError each prompt's centroid distance in pixels, by prompt id (NaN where undefined)
 */
record LayoutComparison(LayoutScores scores, Map<String, Double> iou, Map<String, Double> positionError) {

    /** The splits layout is compared on: the erased prompts (ANT's structure claim) and the preserve prompts. */
    static final List<String> SPLITS = List.of(org.lethe.api.eval.Roles.ERASED_PROMPTS,
            org.lethe.api.eval.Roles.PRESERVE_PROMPTS);

    /**
     * The layout metrics' shared loop: one result per layout split the task has.
     *
     * @param sampling the shared classifier and sampler
     * @param task the model under test, its reference, and erased and/or preserve prompts
     * @param metric the metric's name (for refusals)
     * @param result the metric's result from one split's comparison
     * @return one result per split the task has; none when it has neither
     */
    static List<MetricResult> measure(ErasureSampling sampling, Task task, String metric,
            BiFunction<String, LayoutComparison, MetricResult> result) {
        List<String> roles = SPLITS.stream().filter(r -> ErasureRun.hasPrompts(task, r)).toList();
        List<MetricResult> out = new ArrayList<>();
        if (roles.isEmpty()) {
            return out;
        }
        try (ErasureRun run = sampling.open(task, metric)) {
            for (String role : roles) {
                out.add(result.apply(role, of(run, role)));
            }
        }
        return out;
    }

    /**
     * @param run the metric's run
     * @param role a prompt role the task has
     * @return the comparison of the model's and the reference's samples
     */
    static LayoutComparison of(ErasureRun run, String role) {
        List<GeneratedSample> model = run.samples(role);
        List<GeneratedSample> reference = run.referenceSamples(role);
        List<boolean[][]> before = new ArrayList<>();
        List<boolean[][]> after = new ArrayList<>();
        Map<String, Double> iou = new LinkedHashMap<>();
        Map<String, Double> error = new LinkedHashMap<>();
        for (int i = 0; i < model.size(); i++) {
            boolean[][] b = reference.get(i).generation().silhouette();
            boolean[][] a = model.get(i).generation().silhouette();
            before.add(b);
            after.add(a);
            iou.put(model.get(i).id(), LayoutScores.iou(b, a));
            error.put(model.get(i).id(), LayoutScores.positionError(b, a));
        }
        return new LayoutComparison(LayoutScores.of(before, after), iou, error);
    }
}
