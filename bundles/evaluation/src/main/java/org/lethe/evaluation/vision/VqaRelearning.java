package org.lethe.evaluation.vision;

import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
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
import org.lethe.evaluation.scoring.Statistics;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Relearning a vision-language unlearning (research/methods-gen.md §8, the relearning probe of the
 * weight-editing baselines: "50 fine-tuning steps ...; measure how fast [the concept] returns";
 * Hu et al., arXiv 2406.13356, for the language form): the probe's copy of the model, as loaded, is
 * fine-tuned on the forget questions, and unlearning quality on the held-out {@value Roles#VQA_FORGET}
 * questions is followed over the steps. A weight edit that only hid the concept gives it back after
 * a few steps.
 *
 * <pre>
 * D = the forget role's questions (answer = an unlearned concept, on images that show it; the unlearning data)
 * measure UQ(vqa_forget) at step 0
 * for s in 1..S: θ ← AdamW(lr, wd 0)(θ, ∇ CE(logits(x, q), a))    seeded batches of D
 *     measure UQ(vqa_forget) at each checkpoint s
 * </pre>
 *
 * Fine-tuning runs through the probes' shared loop ({@link FineTuning#follow}: one optimiser across
 * the chunks between measurements) on {@link VisionLanguageModel#answerLoss}. Reports
 * {@code vqa-relearning-unlearning-quality} on {@value Roles#VQA_FORGET} with its curve (higher is
 * better: the unlearning resists relearning), {@code vqa-relearning-concept-answer-rate} after the
 * last step (the attack's success), and {@value #GAIN}, the fall of unlearning quality (first − last,
 * lower is better).
 */
@Component(service = Probe.class, configurationPid = VqaRelearning.PID, property = {
    ServiceProperties.PROBE + "=" + VqaRelearning.NAME,
    ServiceProperties.METRIC_VERSION + "=" + VqaRelearning.VERSION,
    ServiceProperties.MODALITY + "=" + ServiceProperties.MODALITY_VISION_LANGUAGE})
@Designate(ocd = VqaRelearning.Config.class)
public final class VqaRelearning implements Probe {

    /** The probe's name: {@value}. */
    public static final String NAME = "vqa-relearning";
    /** The version of what it reports: {@value}. */
    public static final String VERSION = "1";
    /** Configuration PID: {@value}. */
    public static final String PID = "org.lethe.evaluation.vqarelearning";
    /** Unlearning quality before relearning minus after: {@value}. */
    public static final String GAIN = "vqa-relearning-gain";

    /** Settings of the vision-language relearning probe. */
    @ObjectClassDefinition(name = "Lethe VQA relearning probe", description = "Fine-tunes a copy of the model on the"
            + " forget questions and follows unlearning quality (research/methods-gen.md §8).")
    public @interface Config {

        /** @return the steps after which unlearning quality is measured, ascending; the last is the number of steps */
        @AttributeDefinition(description = "Fine-tuning steps after which unlearning quality is measured (it is also"
                + " measured before the first), ascending; the last is the number of steps. Default 10, 20, 30, 40,"
                + " 50: research/methods-gen.md §8 (50 steps).")
        int[] checkpoints() default {10, 20, 30, 40, 50};

        /** @return AdamW's learning rate */
        @AttributeDefinition(min = "0", description = "AdamW learning rate (weight decay 0). Default 1e-3: the"
                + " probes' relearning rate (research/methods-llm.md §3.5).")
        double learningRate() default FineTuning.LEARNING_RATE;

        /** @return questions per step */
        @AttributeDefinition(min = "1", description = "Questions per step (a seeded shuffle of the forget role)."
                + " Default 64.")
        int batchSize() default 64;
    }

    private volatile Config config;

    /** @param config the settings */
    @Activate
    public VqaRelearning(Config config) {
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
        FineTuning.require(task, NAME, Task.FORGET);
        List<VqaItem> train = task.vqa(Task.FORGET).items();
        if (train.isEmpty()) {
            throw LetheException.invalidInput("probe " + NAME + ": the '" + Task.FORGET + "' data ("
                    + task.vqa(Task.FORGET).name() + ") has no question to relearn on");
        }
        VisionLanguageModel model = VqaData.model(task, NAME);
        model.answerIndices(train); // refuses, naming it, a forget question whose answer the model cannot give
        Set<String> concepts = VqaData.concepts(task);
        List<Integer> checkpoints = FineTuning.checkpoints(c.checkpoints(), PID);
        Optimizer adamW = Optimizer.adamW().optLearningRateTracker(Tracker.fixed((float) c.learningRate()))
                .optWeightDecays(FineTuning.WEIGHT_DECAY).build();
        RunContext.Batches<VqaItem> batches = run.batches(train, c.batchSize());
        SortedMap<Integer, Double> curve = new TreeMap<>();
        int[][] last = new int[1][];
        FineTuning.follow(run, model.model(), adamW, (step, scope) -> model.answerLoss(batches.next(), scope, true),
                checkpoints, step -> {
                    last[0] = VqaData.answers(model, items);
                    double quality = 1.0 - Statistics.mean(VqaData.correct(model, items, last[0]));
                    curve.put(step, quality);
                    run.log(String.format("%s: step %d: unlearning quality %.4f", NAME, step, quality));
                });
        List<MetricResult> attack = VqaData.attackResults(NAME, VERSION, model, items, last[0], concepts);
        MetricResult quality = attack.get(0);
        return List.of(new MetricResult(quality.metric(), VERSION, Roles.VQA_FORGET, quality.aggregate(),
                        quality.perItem(), Direction.HIGHER_IS_BETTER, false, curve),
                attack.get(1),
                new MetricResult(GAIN, VERSION, Roles.VQA_FORGET, curve.get(curve.firstKey()) - curve.get(curve.lastKey()),
                        Map.of(), Direction.LOWER_IS_BETTER, false));
    }

    private static Config checked(Config c) {
        FineTuning.checkpoints(c.checkpoints(), PID);
        FineTuning.checkLearningRate(c.learningRate(), PID);
        if (c.batchSize() < 1) {
            throw LetheException.invalidInput("setting 'batchSize' of " + PID + " must be ≥ 1, not " + c.batchSize());
        }
        return c;
    }
}
