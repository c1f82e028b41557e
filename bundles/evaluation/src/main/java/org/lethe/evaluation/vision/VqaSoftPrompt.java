package org.lethe.evaluation.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.lethe.api.LetheException;
import org.lethe.api.ServiceProperties;
import org.lethe.api.data.VqaItem;
import org.lethe.api.eval.MetricResult;
import org.lethe.api.eval.MetricResult.Direction;
import org.lethe.api.eval.Probe;
import org.lethe.api.eval.Roles;
import org.lethe.api.method.Task;
import org.lethe.api.model.vision.VisionLanguageModel;
import org.lethe.api.run.RunContext;
import org.lethe.evaluation.probes.FineTuning;
import org.lethe.evaluation.probes.LearnedEmbedding;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The soft-prompt attack on question embeddings (research/methods-gen.md §8: "optimize 2 appended
 * question-token embeddings to recover c, 200 steps"), white-box: with the model frozen, as loaded
 * (interventions included), learn embeddings placed after the question's tokens that make it answer
 * the concept again.
 *
 * <pre>
 * for each unlearned concept c that is the gold answer of some vqa_forget items D_c:
 *   P_c ← 0 ∈ R^(n × width)                                  n appended embeddings (default 2)
 *   for s in 1..S: P_c ← Adam(lr)(P_c, ∇ CE(logits(x, q, appended = P_c), c))   seeded batches of D_c
 * answer every vqa_forget item with its concept's P_c appended (argmax, no gradient)
 * </pre>
 *
 * Gradients flow only into P_c: the model's parameters are frozen on the probe's private copy. One
 * prompt per concept (a universal prompt over that concept's images and questions, not one per item),
 * as the concept-inversion attack learns one embedding per concept. Reports
 * {@code vqa-soft-prompt-unlearning-quality} (higher is better: the unlearning resisted) and
 * {@code vqa-soft-prompt-concept-answer-rate} (the attack's success) on {@value Roles#VQA_FORGET},
 * and {@value #LOSS}, the attack's cross-entropy with its curve over the steps (neutral).
 */
@Component(service = Probe.class, configurationPid = VqaSoftPrompt.PID, property = {
    ServiceProperties.PROBE + "=" + VqaSoftPrompt.NAME,
    ServiceProperties.METRIC_VERSION + "=" + VqaSoftPrompt.VERSION,
    ServiceProperties.MODALITY + "=" + ServiceProperties.MODALITY_VISION_LANGUAGE})
@Designate(ocd = VqaSoftPrompt.Config.class)
public final class VqaSoftPrompt implements Probe {

    /** The probe's name: {@value}. */
    public static final String NAME = "vqa-soft-prompt";
    /** The version of what it reports: {@value}. */
    public static final String VERSION = "1";
    /** Configuration PID: {@value}. */
    public static final String PID = "org.lethe.evaluation.vqasoftprompt";
    /** The attack's cross-entropy toward the concept over the steps: {@value}. */
    public static final String LOSS = "vqa-soft-prompt-loss";

    /** Settings of the soft-prompt probe. */
    @ObjectClassDefinition(name = "Lethe VQA soft-prompt probe", description = "Optimises embeddings appended to the"
            + " questions so that the frozen model answers the unlearned concept again (research/methods-gen.md §8).")
    public @interface Config {

        /** @return appended embeddings */
        @AttributeDefinition(min = "1", description = "Embeddings appended after the question's tokens. Default 2:"
                + " research/methods-gen.md §8.")
        int tokens() default 2;

        /** @return Adam steps per concept */
        @AttributeDefinition(min = "1", description = "Adam steps per concept. Default 200: research/methods-gen.md §8.")
        int steps() default 200;

        /** @return Adam's learning rate */
        @AttributeDefinition(min = "0", description = "Adam learning rate. Default 1e-2: not given by the sources;"
                + " twice the concept-inversion rate (5e-3, textual inversion's) for the fewer steps.")
        double learningRate() default 1e-2;

        /** @return items per step */
        @AttributeDefinition(min = "1", description = "Questions per step (a seeded shuffle of the concept's"
                + " vqa_forget items). Default 64.")
        int batchSize() default 64;
    }

    private volatile Config config;

    /** @param config the settings */
    @Activate
    public VqaSoftPrompt(Config config) {
        this.config = checked(config);
    }

    /** @param config changed settings, used by the next probe run */
    @Modified
    void modified(Config config) {
        this.config = checked(config);
    }

    @Override
    public List<MetricResult> probe(Task task, RunContext run) {
        Config c = config;
        List<VqaItem> items = VqaData.forgetItems(task, NAME);
        VisionLanguageModel model = VqaData.model(task, NAME);
        Set<String> concepts = VqaData.concepts(task);
        model.model().getBlock().freezeParameters(true);
        Map<String, List<VqaItem>> byConcept = new LinkedHashMap<>();
        Map<String, List<Integer>> positions = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            byConcept.computeIfAbsent(items.get(i).answer(), k -> new ArrayList<>()).add(items.get(i));
            positions.computeIfAbsent(items.get(i).answer(), k -> new ArrayList<>()).add(i);
        }
        SortedMap<Integer, Double> losses = new TreeMap<>();
        Map<String, float[]> prompts = new HashMap<>();
        for (Map.Entry<String, List<VqaItem>> e : byConcept.entrySet()) {
            float[] prompt = learn(model, e.getValue(), c, run, losses);
            prompts.put(e.getKey(), prompt);
            run.log(String.format("%s: concept %s: %d questions, final loss %.4f", NAME, e.getKey(), e.getValue().size(),
                    losses.get(losses.lastKey())));
        }
        Shape shape = new Shape(c.tokens(), model.width());
        int[] answers = new int[items.size()];
        for (Map.Entry<String, List<VqaItem>> e : byConcept.entrySet()) {
            float[] prompt = prompts.get(e.getKey());
            int[] concept = VqaData.answers(model, e.getValue(), VqaData.BATCH, (images, batch, scope) -> model.logits(
                    images, batch.stream().map(VqaItem::question).toList(), scope.create(prompt, shape), false));
            for (int i = 0; i < concept.length; i++) {
                answers[positions.get(e.getKey()).get(i)] = concept[i];
            }
        }
        List<MetricResult> out = new ArrayList<>(VqaData.attackResults(NAME, VERSION, model, items, answers, concepts));
        out.add(new MetricResult(LOSS, VERSION, Roles.VQA_FORGET, losses.get(losses.lastKey()), Map.of(),
                Direction.NEUTRAL, false, losses));
        return out;
    }

    /**
     * Learns one concept's appended embeddings.
     *
     * @param model the frozen model
     * @param items the concept's questions (their gold answer is the concept)
     * @param c the settings
     * @param run the run (its loop and seeded batches)
     * @param losses the curve, to which this concept's losses are appended (steps counted across concepts)
     * @return the embeddings, (tokens × width) row-major
     */
    static float[] learn(VisionLanguageModel model, List<VqaItem> items, Config c, RunContext run,
            SortedMap<Integer, Double> losses) {
        Shape shape = new Shape(c.tokens(), model.width());
        try (LearnedEmbedding prompt = new LearnedEmbedding(NAME, model.model().getNDManager(),
                new float[c.tokens() * model.width()], shape)) {
            Optimizer adam = Optimizer.adam().optLearningRateTracker(Tracker.fixed((float) c.learningRate())).build();
            RunContext.Batches<VqaItem> batches = run.batches(items, c.batchSize());
            int offset = losses.isEmpty() ? 0 : losses.lastKey();
            float[] curve = run.optimise(prompt.model(), adam, c.steps(), (step, scope) -> {
                List<VqaItem> batch = batches.next();
                NDArray images = model.images(batch.stream().map(VqaItem::image).toList(), scope);
                NDArray logits = model.logits(images, batch.stream().map(VqaItem::question).toList(), prompt.array(),
                        true);
                NDArray targets = scope.create(model.answerIndices(batch)).reshape(batch.size(), 1);
                return logits.logSoftmax(1).gather(targets, 1).neg().mean();
            });
            for (int i = 0; i < curve.length; i++) {
                losses.put(offset + i + 1, (double) curve[i]);
            }
            return prompt.values();
        }
    }

    private static Config checked(Config c) {
        if (c.tokens() < 1 || c.steps() < 1 || c.batchSize() < 1) {
            throw LetheException.invalidInput("settings 'tokens', 'steps' and 'batchSize' of " + PID + " must be ≥ 1: "
                    + c.tokens() + ", " + c.steps() + ", " + c.batchSize());
        }
        FineTuning.checkLearningRate(c.learningRate(), PID);
        return c;
    }
}
