package org.lethe.evaluation.texttoimage;

import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.List;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import org.lethe.api.LetheException;
import org.lethe.api.ServiceProperties;
import org.lethe.api.eval.MetricResult;
import org.lethe.api.eval.MetricResult.Direction;
import org.lethe.api.eval.Probe;
import org.lethe.api.eval.Roles;
import org.lethe.api.method.Task;
import org.lethe.api.model.diffusion.DiffusionModel;
import org.lethe.api.run.RunContext;
import org.lethe.evaluation.probes.FineTuning;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Relearning a text-to-image erasure (research/methods-gen.md §8, "Relearning: 50 fine-tuning steps
 * on 64 real images of c; measure how fast Acc_e returns"): a weight edit that only hid the concept
 * gives it back after a few steps of plain fine-tuning.
 *
 * <pre>
 * D = the real images of the erased concepts (role concept_images), each with the erased prompt that describes it
 * freeze every parameter but the trained group (default: the U-Net)
 * measure Acc_e on the erased prompts at step 0
 * for s in 1..S: θ ← Adam(lr)(θ, ∇ ‖ε − ε_θ(x_t, t, c(prompt))‖²)   a seeded batch of D, t ~ U, ε ~ N(0, I)
 *     measure Acc_e at each checkpoint s
 * </pre>
 *
 * Reports {@value #ACCURACY} on {@value Roles#ERASED_PROMPTS} (its curve over the checkpoints; lower
 * is better: the erasure resists relearning) and {@value #GAIN} (last − first). Named
 * {@value #NAME} because probe names are one namespace and {@code relearning} is the language
 * probe's.
 */
@Component(service = Probe.class, configurationPid = TextToImageRelearning.PID, property = {
    ServiceProperties.PROBE + "=" + TextToImageRelearning.NAME,
    ServiceProperties.METRIC_VERSION + "=" + TextToImageRelearning.VERSION,
    ServiceProperties.MODALITY + "=" + ServiceProperties.MODALITY_TEXT_TO_IMAGE})
@Designate(ocd = TextToImageRelearning.Config.class)
public final class TextToImageRelearning implements Probe {

    /** The probe's name: {@value}. */
    public static final String NAME = "t2i-relearning";
    /** The version of what it reports: {@value}. */
    public static final String VERSION = "1";
    /** Configuration PID: {@value}. */
    public static final String PID = "org.lethe.evaluation.t2irelearning";
    /** Acc_e over the relearning steps: {@value}. */
    public static final String ACCURACY = "t2i-relearning-accuracy";
    /** Acc_e after relearning minus before: {@value}. */
    public static final String GAIN = "t2i-relearning-gain";

    /** Settings of the text-to-image relearning probe. */
    @ObjectClassDefinition(name = "Lethe text-to-image relearning probe", description = "Fine-tunes a copy of the"
            + " erased model on real images of the erased concept and follows Acc_e (research/methods-gen.md §8).")
    public @interface Config {

        /** @return the steps after which Acc_e is measured, ascending; the last is the number of steps */
        @AttributeDefinition(description = "Fine-tuning steps after which Acc_e is measured (it is also measured"
                + " before the first), ascending; the last is the number of steps. Default 10, 25, 50:"
                + " research/methods-gen.md §8 (50 steps).")
        int[] checkpoints() default {10, 25, 50};

        /** @return Adam's learning rate */
        @AttributeDefinition(min = "0", description = "Adam learning rate. Default 1e-4, the erasure methods' own"
                + " fine-tuning rate on this model (ESD, research/methods-gen.md Part B); not from a relearning paper.")
        double learningRate() default 1e-4;

        /** @return images per step */
        @AttributeDefinition(min = "1", description = "Images per fine-tuning step (a seeded shuffle of the"
                + " concept images). Default 16.")
        int batchSize() default 16;

        /** @return the parameter group trained */
        @AttributeDefinition(description = "The parameter group fine-tuned (unet, attn2, text_encoder, ...). Default"
                + " unet: standard fine-tuning of a diffusion model.")
        String group() default DiffusionModel.GROUP_UNET;

        /** @return the most erased prompts sampled per measurement */
        @AttributeDefinition(min = "0", description = "The most erased prompts sampled at each measurement (evenly"
                + " spaced rows; 0: all). Default 64.")
        int prompts() default 64;
    }

    private final ErasureSampling sampling;
    private volatile Config config;

    /**
     * @param sampling the shared classifier and sampler
     * @param config the settings
     */
    @Activate
    public TextToImageRelearning(@Reference(name = "sampling") ErasureSampling sampling, Config config) {
        this.sampling = sampling;
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
        try (ErasureRun erasure = sampling.open(task, NAME)) {
            DiffusionModel model = erasure.model();
            List<ConceptImages> data = ConceptImages.of(task, erasure, erasure.erasedConcepts(), NAME);
            model.freeze(model.parameters().keySet(), true);
            model.freeze(trainedGroup(model, c.group()), false);
            Optimizer adam = Optimizer.adam().optLearningRateTracker(Tracker.fixed((float) c.learningRate())).build();
            RunContext.Batches<ConceptImages> batches = run.batches(data, c.batchSize());
            Random noise = new Random(run.random().nextLong());
            SortedMap<Integer, Double> curve = new TreeMap<>();
            ConceptAccuracy first = erasure.erasureAccuracy(c.prompts());
            ConceptAccuracy last = first;
            curve.put(0, first.aggregate());
            run.log(String.format("%s: %d images, Acc_e %.4f before relearning", NAME, data.size(), first.aggregate()));
            int done = 0;
            for (int checkpoint : c.checkpoints()) {
                float[] losses = run.optimise(model.model(), adam, checkpoint - done, (step, scope) -> {
                    List<ConceptImages> batch = batches.next();
                    return ConceptImages.denoisingLoss(model, batch, model.encode(ConceptImages.texts(batch), scope),
                            noise, scope);
                });
                done = checkpoint;
                last = erasure.erasureAccuracy(c.prompts());
                curve.put(done, last.aggregate());
                run.log(String.format("%s: step %d: loss %.4f, Acc_e %.4f", NAME, done, losses[losses.length - 1],
                        last.aggregate()));
            }
            return List.of(new MetricResult(ACCURACY, VERSION, Roles.ERASED_PROMPTS, last.aggregate(), last.perItem(),
                            Direction.LOWER_IS_BETTER, false, curve),
                    new MetricResult(GAIN, VERSION, Roles.ERASED_PROMPTS, last.aggregate() - first.aggregate(),
                            java.util.Map.of(), Direction.LOWER_IS_BETTER, false));
        }
    }

    private static List<String> trainedGroup(DiffusionModel model, String group) {
        if (!model.parameterGroups().contains(group)) {
            throw LetheException.invalidInput("setting 'group' of " + PID + ": '" + group + "' is not a parameter group of"
                    + " the model (its groups: " + model.parameterGroups() + ")");
        }
        return model.parameterGroup(group);
    }

    private static Config checked(Config c) {
        FineTuning.checkpoints(c.checkpoints(), PID);
        FineTuning.checkLearningRate(c.learningRate(), PID);
        if (c.batchSize() < 1 || c.prompts() < 0) {
            throw LetheException.invalidInput("settings 'batchSize' (≥ 1) and 'prompts' (≥ 0) of " + PID + ": "
                    + c.batchSize() + ", " + c.prompts());
        }
        return c;
    }
}
