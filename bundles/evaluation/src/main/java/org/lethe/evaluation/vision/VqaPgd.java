package org.lethe.evaluation.vision;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
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
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Targeted projected gradient descent on the image (Madry et al., ICLR 2018; research/methods-gen.md
 * §8: "PGD on the image (L∞ 8/255, 20 steps) against the hooked model"): each vqa_forget image is
 * perturbed within an L∞ ball so that the model, as loaded with every intervention hook it carries,
 * answers the item's gold answer, the unlearned concept, again.
 *
 * <pre>
 * x₀ = the image in the model's units, 2p − 1 ∈ [−1, 1]; ε' = 2ε and α' = 2α (ε, α in pixel units)
 * x = x₀ (+ U(−ε', ε') with randomStart)
 * for s in 1..S: x ← clip_[−1,1](clip_[x₀−ε', x₀+ε'](x − α' · sign ∇ₓ CE(logits(x, q), c)))
 * answer every item on its x (argmax, no gradient)
 * </pre>
 *
 * The model's parameters are frozen on the probe's private copy; only the images carry gradients.
 * The update and both clips run in float32 on the host, so the result lies in the ε-ball and in
 * [−1, 1] exactly. Reports {@code vqa-pgd-unlearning-quality} (higher is better) and
 * {@code vqa-pgd-concept-answer-rate} (the attack's success) on {@value Roles#VQA_FORGET}, and
 * {@value #LINF}, the largest perturbation applied in pixel units (neutral, ≤ ε).
 */
@Component(service = Probe.class, configurationPid = VqaPgd.PID, property = {
    ServiceProperties.PROBE + "=" + VqaPgd.NAME,
    ServiceProperties.METRIC_VERSION + "=" + VqaPgd.VERSION,
    ServiceProperties.MODALITY + "=" + ServiceProperties.MODALITY_VISION_LANGUAGE})
@Designate(ocd = VqaPgd.Config.class)
public final class VqaPgd implements Probe {

    /** The probe's name: {@value}. */
    public static final String NAME = "vqa-pgd";
    /** The version of what it reports: {@value}. */
    public static final String VERSION = "1";
    /** Configuration PID: {@value}. */
    public static final String PID = "org.lethe.evaluation.vqapgd";
    /** The largest perturbation of a pixel, in pixel units: {@value}. */
    public static final String LINF = "vqa-pgd-linf";

    /** Settings of the image PGD probe. */
    @ObjectClassDefinition(name = "Lethe VQA image PGD probe", description = "Perturbs the images within an L∞ ball"
            + " so that the model as loaded answers the unlearned concept (research/methods-gen.md §8).")
    public @interface Config {

        /** @return the L∞ radius, in pixel units ([0, 1]) */
        @AttributeDefinition(min = "0", description = "L∞ radius in pixel units (pixels in [0, 1]; the model's"
                + " [−1, 1] inputs move by twice this). Default 8/255: research/methods-gen.md §8.")
        double epsilon() default 8.0 / 255;

        /** @return the step size, in pixel units */
        @AttributeDefinition(min = "0", description = "Step size in pixel units. Default 2/255: the standard PGD"
                + " step for ε 8/255 (Madry et al. 2018's ε/4).")
        double stepSize() default 2.0 / 255;

        /** @return the number of steps */
        @AttributeDefinition(min = "1", description = "Sign-gradient steps. Default 20: research/methods-gen.md §8.")
        int steps() default 20;

        /** @return whether to start from a random point of the ball */
        @AttributeDefinition(description = "Start from a seeded uniform point of the ball instead of the clean image."
                + " Default false (deterministic from the clean image).")
        boolean randomStart() default false;

        /** @return images attacked at once */
        @AttributeDefinition(min = "1", description = "Images attacked at once. Default 64.")
        int batchSize() default 64;
    }

    private volatile Config config;

    /** @param config the settings */
    @Activate
    public VqaPgd(Config config) {
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
        Random random = new Random(FineTuning.seed(run, NAME));
        int[] answers = new int[items.size()];
        double linf = 0;
        for (int start = 0; start < items.size(); start += c.batchSize()) {
            run.checkCancelled();
            List<VqaItem> batch = items.subList(start, Math.min(items.size(), start + c.batchSize()));
            try (NDManager scope = model.model().getNDManager().newSubManager()) {
                NDArray clean = model.images(batch.stream().map(VqaItem::image).toList(), scope);
                float[] x0 = clean.toFloatArray();
                float[] x = attack(model, batch, clean.getShape(), x0, c, random);
                for (int i = 0; i < x.length; i++) {
                    linf = Math.max(linf, Math.abs(x[i] - x0[i]) / 2.0);
                }
                long[] argmax = model.logits(scope.create(x, clean.getShape()),
                        batch.stream().map(VqaItem::question).toList(), false).argMax(1).toLongArray();
                for (int i = 0; i < argmax.length; i++) {
                    answers[start + i] = (int) argmax[i];
                }
            }
            run.progress(Math.min(items.size(), start + c.batchSize()), items.size(), Double.NaN);
        }
        run.log(String.format("%s: %d images, ε %.5f, %d steps, largest perturbation %.5f (pixel units)", NAME,
                items.size(), c.epsilon(), c.steps(), linf));
        List<MetricResult> out = new ArrayList<>(VqaData.attackResults(NAME, VERSION, model, items, answers, concepts));
        out.add(new MetricResult(LINF, VERSION, Roles.VQA_FORGET, linf, Map.of(), Direction.NEUTRAL, false));
        return out;
    }

    /**
     * The attack on one batch.
     *
     * @param model the model (frozen), with whatever hooks it carries
     * @param batch the items; each one's gold answer is the target
     * @param shape the images' shape (batch, channels, height, width)
     * @param x0 the clean images in the model's units, row-major
     * @param c the settings
     * @param random the source of a random start
     * @return the perturbed images, row-major: within 2ε of x0 in every value and in [−1, 1]
     */
    static float[] attack(VisionLanguageModel model, List<VqaItem> batch, Shape shape, float[] x0, Config c,
            Random random) {
        float eps = (float) (2 * c.epsilon());
        float alpha = (float) (2 * c.stepSize());
        float[] x = x0.clone();
        if (c.randomStart()) {
            for (int i = 0; i < x.length; i++) {
                x[i] = project(x0[i] + eps * (2 * random.nextFloat() - 1), x0[i], eps);
            }
        }
        List<String> questions = batch.stream().map(VqaItem::question).toList();
        long[] targets = model.answerIndices(batch);
        Engine engine = model.model().getNDManager().getEngine();
        for (int s = 0; s < c.steps(); s++) {
            float[] gradient;
            try (NDManager step = model.model().getNDManager().newSubManager()) {
                NDArray input = step.create(x, shape);
                input.setRequiresGradient(true);
                NDArray target = step.create(targets).reshape(targets.length, 1);
                try (GradientCollector collector = engine.newGradientCollector()) {
                    NDArray loss = model.logits(input, questions, true).logSoftmax(1).gather(target, 1).neg().sum();
                    collector.backward(loss);
                }
                gradient = input.getGradient().toType(DataType.FLOAT32, false).toFloatArray();
            }
            for (int i = 0; i < x.length; i++) {
                x[i] = project(x[i] - alpha * Math.signum(gradient[i]), x0[i], eps);
            }
        }
        return x;
    }

    /** Clips a value into [x0 − ε, x0 + ε] ∩ [−1, 1]. */
    private static float project(float value, float x0, float eps) {
        float v = Math.min(Math.max(value, x0 - eps), x0 + eps);
        return Math.min(Math.max(v, -1f), 1f);
    }

    private static Config checked(Config c) {
        if (!(c.epsilon() >= 0) || c.epsilon() > 1 || !(c.stepSize() >= 0) || c.stepSize() > 1) {
            throw LetheException.invalidInput("settings 'epsilon' and 'stepSize' of " + PID + " are pixel units in [0, 1],"
                    + " not " + c.epsilon() + " and " + c.stepSize());
        }
        if (c.steps() < 1 || c.batchSize() < 1) {
            throw LetheException.invalidInput("settings 'steps' and 'batchSize' of " + PID + " must be ≥ 1: " + c.steps()
                    + ", " + c.batchSize());
        }
        return c;
    }
}
