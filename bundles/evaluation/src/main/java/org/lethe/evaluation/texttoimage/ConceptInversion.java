package org.lethe.evaluation.texttoimage;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import org.lethe.api.LetheException;
import org.lethe.api.ServiceProperties;
import org.lethe.api.data.Prompt;
import org.lethe.api.eval.MetricResult;
import org.lethe.api.eval.MetricResult.Direction;
import org.lethe.api.eval.Probe;
import org.lethe.api.eval.Roles;
import org.lethe.api.method.Task;
import org.lethe.api.model.diffusion.DiffusionModel;
import org.lethe.api.run.RunContext;
import org.lethe.evaluation.erasure.Concept;
import org.lethe.evaluation.erasure.ConceptWords;
import org.lethe.evaluation.erasure.ConditionEdit;
import org.lethe.evaluation.probes.FineTuning;
import org.lethe.evaluation.probes.LearnedEmbedding;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The concept-inversion attack (Pham et al., "Circumventing concept erasure methods for text-to-image
 * generative models", ICLR 2024; research/methods-gen.md §8), white-box: on the erased model's frozen
 * weights, learn a new embedding e* for the concept from its real images, then generate with it.
 *
 * <pre>
 * for each erased concept c:
 *   D = real images of c (role concept_images), each with the erased prompt p that describes it
 *   e* ← the erased model's own condition vector of c's words (mean over D's prompts)
 *   for s in 1..S: e* ← Adam(lr)(e*, ∇ ‖ε − ε_θ(x_t, t, cond(p) with c's word positions := e*)‖²)
 *   Acc_e(c; e*) = share of the erased prompts of c, sampled with c's words replaced by e*, classified as c
 * </pre>
 *
 * <b>What e* is.</b> One vector in the condition space (the text encoder's output, width
 * {@link DiffusionModel#contextWidth()}) that replaces the encoding at every position spelling one of
 * the concept's own words (its name and erasure aliases; another erased concept's words keep their
 * encoding): the cross-attention's view of the concept
 * token, which is what a weight edit such as ESD-x changes. The API gives no hook on the token
 * embedding table, so the textual-inversion variant through the text encoder is not offered.
 *
 * <p>Reports {@value #ACCURACY} on {@value Roles#ERASED_PROMPTS} (mean over the concepts; lower is
 * better: the erasure resists the attack; per item, each sampled prompt) and {@value #LOSS}, the
 * denoising loss with its curve over the steps (neutral).
 */
@Component(service = Probe.class, configurationPid = ConceptInversion.PID, property = {
    ServiceProperties.PROBE + "=" + ConceptInversion.NAME,
    ServiceProperties.METRIC_VERSION + "=" + ConceptInversion.VERSION,
    ServiceProperties.MODALITY + "=" + ServiceProperties.MODALITY_TEXT_TO_IMAGE})
@Designate(ocd = ConceptInversion.Config.class)
public final class ConceptInversion implements Probe {

    /** The probe's name: {@value}. */
    public static final String NAME = "concept-inversion";
    /** The version of what it reports: {@value}. */
    public static final String VERSION = "1";
    /** Configuration PID: {@value}. */
    public static final String PID = "org.lethe.evaluation.conceptinversion";
    /** Acc_e of samples made with the learned embedding: {@value}. */
    public static final String ACCURACY = "concept-inversion-accuracy";
    /** The denoising loss over the steps: {@value}. */
    public static final String LOSS = "concept-inversion-loss";
    /** The split the results are reported on: the erased prompts sampled with e*, {@value}. */
    public static final String SPLIT = Roles.ERASED_PROMPTS + "_inverted";

    /** Settings of the concept-inversion probe. */
    @ObjectClassDefinition(name = "Lethe concept-inversion probe", description = "Learns a concept embedding on the"
            + " erased model from real images of the concept and generates with it (research/methods-gen.md §8).")
    public @interface Config {

        /** @return Adam steps */
        @AttributeDefinition(min = "1", description = "Adam steps on e*. Default 300: research/methods-gen.md §8.")
        int steps() default 300;

        /** @return Adam's learning rate */
        @AttributeDefinition(min = "0", description = "Adam learning rate. Default 5e-3: research/methods-gen.md §8"
                + " (textual inversion's rate).")
        double learningRate() default 5e-3;

        /** @return images per step */
        @AttributeDefinition(min = "1", description = "Images per step (a seeded shuffle of the concept's images)."
                + " Default 16.")
        int batchSize() default 16;

        /** @return the most erased prompts sampled with e* */
        @AttributeDefinition(min = "0", description = "The most erased prompts sampled with e* (evenly spaced rows;"
                + " 0: all). Default 64.")
        int prompts() default 64;
    }

    private final ErasureSampling sampling;
    private volatile Config config;

    /**
     * @param sampling the shared classifier and sampler
     * @param config the settings
     */
    @Activate
    public ConceptInversion(@Reference(name = "sampling") ErasureSampling sampling, Config config) {
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
            model.freeze(model.parameters().keySet(), true);
            Map<String, Double> perItem = new LinkedHashMap<>();
            SortedMap<Integer, Double> losses = new TreeMap<>();
            double sum = 0;
            int concepts = 0;
            for (Concept concept : erasure.erasedConcepts()) {
                // only this concept's words carry e*: another erased concept in the same prompt keeps its own encoding
                List<String> words = erasure.wordsOf(concept);
                List<ConceptImages> data = ConceptImages.of(task, erasure, List.of(concept), NAME);
                float[] learned = invert(model, data, words, c, run, losses);
                ErasureRun.Selection s = erasure.selection(Roles.ERASED_PROMPTS, c.prompts());
                List<Prompt> targeting = new ArrayList<>();
                List<Long> seeds = new ArrayList<>();
                for (int i = 0; i < s.prompts().size(); i++) {
                    if (concept.value().equals(s.prompts().get(i).labels().get(concept.attribute()))) {
                        targeting.add(s.prompts().get(i));
                        seeds.add(s.seeds()[i]);
                    }
                }
                ConceptAccuracy acc = ConceptAccuracy.of(List.of(concept), erasure.sampler().editedSamples(model, SPLIT,
                        targeting, seeds.stream().mapToLong(Long::longValue).toArray(), new Substitution(words, learned)),
                        SPLIT);
                run.log(String.format("%s: %s: %d images, final loss %.4f, Acc_e with e* %.4f", NAME, concept,
                        data.size(), losses.get(losses.lastKey()), acc.aggregate()));
                perItem.putAll(acc.perItem());
                sum += acc.aggregate();
                concepts++;
            }
            if (concepts == 0) {
                throw LetheException.invalidInput("probe " + NAME + " needs erased concepts (data role '" + Task.ERASE + "')");
            }
            return List.of(new MetricResult(ACCURACY, VERSION, Roles.ERASED_PROMPTS, sum / concepts, perItem,
                            Direction.LOWER_IS_BETTER, false),
                    new MetricResult(LOSS, VERSION, Roles.ERASED_PROMPTS, losses.get(losses.lastKey()), Map.of(),
                            Direction.NEUTRAL, false, losses));
        }
    }

    /** Learns e* for one concept; appends its losses (steps counted across concepts) to the curve. */
    private static float[] invert(DiffusionModel model, List<ConceptImages> data, List<String> words, Config c,
            RunContext run, SortedMap<Integer, Double> losses) {
        int width = model.contextWidth();
        float[] start = new float[width];
        try (NDManager scope = model.model().getNDManager().newSubManager()) {
            List<String> texts = ConceptImages.texts(data);
            float[] encoded = model.encode(texts, scope).toType(DataType.FLOAT32, false).toFloatArray();
            boolean[][] marked = ConceptWords.positions(model, texts, words, scope);
            int count = 0;
            for (int i = 0; i < texts.size(); i++) {
                for (int p = 0; p < marked[i].length; p++) {
                    if (marked[i][p]) {
                        for (int k = 0; k < width; k++) {
                            start[k] += encoded[(i * marked[i].length + p) * width + k];
                        }
                        count++;
                    }
                }
            }
            if (count == 0) {
                throw LetheException.invalidInput("probe " + NAME + ": the erased prompts paired with the images name"
                        + " none of the concept's words " + words);
            }
            for (int k = 0; k < width; k++) {
                start[k] /= count;
            }
        }
        try (LearnedEmbedding learned = new LearnedEmbedding(NAME, model.model().getNDManager(), start,
                new Shape(width))) {
            Optimizer adam = Optimizer.adam().optLearningRateTracker(Tracker.fixed((float) c.learningRate())).build();
            RunContext.Batches<ConceptImages> batches = run.batches(data, c.batchSize());
            Random noise = new Random(run.random().nextLong());
            int offset = losses.isEmpty() ? 0 : losses.lastKey();
            float[] curve = run.optimise(learned.model(), adam, c.steps(), (step, scope) -> {
                List<ConceptImages> batch = batches.next();
                List<String> texts = ConceptImages.texts(batch);
                NDArray base = model.encode(texts, scope).stopGradient();
                boolean[][] marked = ConceptWords.positions(model, texts, words, scope);
                int length = marked.length == 0 ? 0 : marked[0].length;
                float[] mask = new float[batch.size() * length];
                for (int i = 0; i < batch.size(); i++) {
                    for (int p = 0; p < length; p++) {
                        mask[i * length + p] = marked[i][p] ? 1f : 0f;
                    }
                }
                NDArray at = scope.create(mask, new Shape(batch.size(), length, 1));
                NDArray keep = scope.ones(at.getShape()).sub(at);
                NDArray e = learned.array().reshape(1, 1, width);
                NDArray condition = base.mul(keep).add(at.mul(e));
                return ConceptImages.denoisingLoss(model, batch, condition, noise, scope);
            });
            for (int i = 0; i < curve.length; i++) {
                losses.put(offset + i + 1, (double) curve[i]);
            }
            return learned.values();
        }
    }

    /** The condition of a prompt with the concept's word positions replaced by e*. */
    private record Substitution(List<String> words, float[] embedding) implements ConditionEdit {

        @Override
        public NDArray condition(DiffusionModel model, List<String> texts, List<String> promptIds, NDManager scope) {
            NDArray encoded = model.encode(texts, scope);
            Shape shape = encoded.getShape();
            float[] e = encoded.toType(DataType.FLOAT32, false).toFloatArray();
            boolean[][] marked = ConceptWords.positions(model, texts, words, scope);
            int length = (int) shape.get(1);
            int width = (int) shape.get(2);
            for (int i = 0; i < texts.size(); i++) {
                for (int p = 0; p < length; p++) {
                    if (marked[i][p]) {
                        System.arraycopy(embedding, 0, e, (i * length + p) * width, width);
                    }
                }
            }
            return scope.create(e, shape);
        }
    }

    private static Config checked(Config c) {
        if (c.steps() < 1 || c.batchSize() < 1 || c.prompts() < 0) {
            throw LetheException.invalidInput("settings 'steps' (≥ 1), 'batchSize' (≥ 1) and 'prompts' (≥ 0) of " + PID
                    + ": " + c.steps() + ", " + c.batchSize() + ", " + c.prompts());
        }
        FineTuning.checkLearningRate(c.learningRate(), PID);
        return c;
    }
}
