package org.lethe.evaluation.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.lethe.api.LetheException;
import org.lethe.api.data.Concept;
import org.lethe.api.data.VqaItem;
import org.lethe.api.eval.MetricResult;
import org.lethe.api.eval.MetricResult.Direction;
import org.lethe.api.eval.Roles;
import org.lethe.api.method.Task;
import org.lethe.api.model.vision.VisionLanguageModel;
import org.lethe.evaluation.scoring.ItemKeys;
import org.lethe.evaluation.scoring.Statistics;

/**
 * What the vision-language metrics and probes share: the roles they read, the unlearned concepts,
 * and the model's answers (the argmax of its scores over the answer vocabulary), computed in batches
 * without a gradient collector.
 */
final class VqaData {

    /** The answer of a true yes/no question: {@value}. */
    static final String YES = "yes";

    /** Items per forward pass when only the answers are needed. */
    static final int BATCH = 256;

    /** The roles {@code vqa-accuracy} measures, in report order. */
    static final List<String> ACCURACY_ROLES = List.of(Roles.VQA_FORGET, Roles.VQA_SELECTIVITY, Roles.VQA_UTILITY,
            Roles.VQA_PARAPHRASE, Roles.VQA_YES_NO, Task.FORGET, Task.RETAIN);

    private VqaData() {
    }

    /** The scores of one batch (what an attack changes: the images, or extra question tokens). */
    @FunctionalInterface
    interface Scores {

        /**
         * @param images the batch's images, float32 (batch, channels, height, width) in [−1, 1]
         * @param batch the batch's items
         * @param scope where the batch's arrays live
         * @return float32 (batch, answers)
         */
        NDArray logits(NDArray images, List<VqaItem> batch, NDManager scope);
    }

    /**
     * @param task the task
     * @param component the metric or probe, for the message
     * @return the model under test as a vision-language model
     * @throws LetheException (invalid input) when the model is not one
     */
    static VisionLanguageModel model(Task task, String component) {
        try {
            return task.model(VisionLanguageModel.class);
        } catch (LetheException e) {
            throw LetheException.invalidInput(component + " measures vision-language models: " + e.getMessage());
        }
    }

    /**
     * Whether the task has visual questions for a role. The vision-language roles ({@code vqa_*})
     * must hold them when present; {@code forget} and {@code retain} count only when they do (a
     * language model's are question–answer items, which these metrics do not read).
     *
     * @param task the task
     * @param role a role
     * @return whether the role is present with visual questions
     * @throws LetheException (invalid input) when a {@code vqa_*} role holds another kind of data
     */
    static boolean has(Task task, String role) {
        if (!task.has(role)) {
            return false;
        }
        if (role.startsWith("vqa_")) {
            task.vqa(role);
            return true;
        }
        try {
            task.vqa(role);
            return true;
        } catch (LetheException e) {
            return false;
        }
    }

    /**
     * @param role an accuracy role
     * @return which way is better for accuracy on it: lower on what was to be forgotten, higher on
     *     what must be kept, neutral on the yes/no role (its true questions should lose their "yes",
     *     its false ones keep their "no")
     */
    static Direction accuracyDirection(String role) {
        return switch (role) {
            case Roles.VQA_FORGET, Roles.VQA_PARAPHRASE, Task.FORGET -> Direction.LOWER_IS_BETTER;
            case Roles.VQA_YES_NO -> Direction.NEUTRAL;
            default -> Direction.HIGHER_IS_BETTER;
        };
    }

    /**
     * The unlearned concepts: the names of the {@link Task#ERASE} concepts, or, when the task names
     * none, the gold answers of {@value Roles#VQA_FORGET} (which are unlearned concepts by that role's
     * definition).
     *
     * @param task the task
     * @return the concept names, in the task's order; empty when the task has neither role
     */
    static Set<String> concepts(Task task) {
        Set<String> out = new LinkedHashSet<>();
        if (task.has(Task.ERASE)) {
            for (Concept c : task.concepts(Task.ERASE).items()) {
                out.add(c.name());
            }
        } else if (task.has(Roles.VQA_FORGET)) {
            for (VqaItem item : task.vqa(Roles.VQA_FORGET).items()) {
                out.add(item.answer());
            }
        }
        return out;
    }

    /**
     * The model's answers, without recording gradients.
     *
     * @param model the model
     * @param items the items
     * @return each item's answer index in {@link VisionLanguageModel#answers()}
     */
    static int[] answers(VisionLanguageModel model, List<VqaItem> items) {
        return answers(model, items, BATCH,
                (images, batch, scope) -> model.logits(images, batch.stream().map(VqaItem::question).toList(), false));
    }

    /**
     * The argmax of some scores of the items, batch by batch, each batch in its own memory scope.
     *
     * @param model the model (its images and memory)
     * @param items the items
     * @param batchSize items per batch
     * @param scores the scores of a batch
     * @return each item's answer index
     */
    static int[] answers(VisionLanguageModel model, List<VqaItem> items, int batchSize, Scores scores) {
        int[] out = new int[items.size()];
        for (int start = 0; start < items.size(); start += batchSize) {
            List<VqaItem> batch = items.subList(start, Math.min(items.size(), start + batchSize));
            try (NDManager scope = model.model().getNDManager().newSubManager()) {
                NDArray images = model.images(batch.stream().map(VqaItem::image).toList(), scope);
                long[] argmax = scores.logits(images, batch, scope).argMax(1).toLongArray();
                for (int i = 0; i < argmax.length; i++) {
                    out[start + i] = (int) argmax[i];
                }
            }
        }
        return out;
    }

    /**
     * @param model the model
     * @param items the items
     * @param answers each item's answer index
     * @return 1 where the answer is the gold one, else 0
     * @throws IllegalArgumentException naming the first item whose gold answer the model cannot give
     */
    static double[] correct(VisionLanguageModel model, List<VqaItem> items, int[] answers) {
        long[] gold = model.answerIndices(items);
        double[] out = new double[items.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = answers[i] == gold[i] ? 1.0 : 0.0;
        }
        return out;
    }

    /**
     * @param model the model
     * @param answers each item's answer index
     * @param concepts the unlearned concepts
     * @return 1 where the answer is one of the concepts, else 0
     */
    static double[] conceptAnswers(VisionLanguageModel model, int[] answers, Set<String> concepts) {
        List<String> vocabulary = model.answers();
        double[] out = new double[answers.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = concepts.contains(vocabulary.get(answers[i])) ? 1.0 : 0.0;
        }
        return out;
    }

    /**
     * @param values values
     * @return each value subtracted from 1
     */
    static double[] complement(double[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = 1.0 - values[i];
        }
        return out;
    }

    /**
     * @param items the items
     * @return the true yes/no questions among them (gold answer {@value #YES})
     */
    static List<VqaItem> trueItems(List<VqaItem> items) {
        List<VqaItem> out = new ArrayList<>();
        for (VqaItem item : items) {
            if (YES.equals(item.answer())) {
                out.add(item);
            }
        }
        return out;
    }

    /**
     * @param metric the result's name
     * @param version its version
     * @param role the split
     * @param items the items measured
     * @param values their values
     * @param direction which way is better
     * @return the result: the mean over the items, each item's value keyed by its id
     */
    static MetricResult result(String metric, String version, String role, List<VqaItem> items, double[] values,
            Direction direction) {
        List<String> keys = ItemKeys.ofIds(items.stream().map(VqaItem::id).toList());
        Map<String, Double> perItem = new LinkedHashMap<>();
        for (int i = 0; i < values.length; i++) {
            perItem.put(keys.get(i), values[i]);
        }
        return new MetricResult(metric, version, role, Statistics.mean(values), perItem, direction, false);
    }

    /**
     * What every vision-language probe reports after its attack, on {@value Roles#VQA_FORGET}:
     * {@code <probe>-unlearning-quality} (1 − accuracy, higher is better: the unlearning resisted) and
     * {@code <probe>-concept-answer-rate} (the attack's success: the share answered with an unlearned
     * concept, lower is better).
     *
     * @param probe the probe's name
     * @param version the version of what it reports
     * @param model the model
     * @param items the {@value Roles#VQA_FORGET} items
     * @param answers the answers after the attack
     * @param concepts the unlearned concepts
     * @return the two results
     */
    static List<MetricResult> attackResults(String probe, String version, VisionLanguageModel model,
            List<VqaItem> items, int[] answers, Set<String> concepts) {
        return List.of(
                result(probe + "-" + UnlearningQualityMetric.NAME, version, Roles.VQA_FORGET, items,
                        complement(correct(model, items, answers)), Direction.HIGHER_IS_BETTER),
                result(probe + "-" + ConceptAnswerRateMetric.NAME, version, Roles.VQA_FORGET, items,
                        conceptAnswers(model, answers, concepts), Direction.LOWER_IS_BETTER));
    }

    /**
     * The {@value Roles#VQA_FORGET} items a probe attacks.
     *
     * @param task the task
     * @param probe the probe's name
     * @return the items, at least one
     * @throws LetheException (invalid input) naming the probe when the role is missing or empty
     */
    static List<VqaItem> forgetItems(Task task, String probe) {
        if (!task.has(Roles.VQA_FORGET) || task.vqa(Roles.VQA_FORGET).items().isEmpty()) {
            throw LetheException.invalidInput("probe " + probe + " needs the questions whose answer is an unlearned"
                    + " concept (data role '" + Roles.VQA_FORGET + "'), which this evaluation does not have");
        }
        return task.vqa(Roles.VQA_FORGET).items();
    }
}
