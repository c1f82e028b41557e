package org.lethe.evaluation.erasure;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.lethe.api.LetheException;
import org.lethe.api.data.Prompt;
import org.lethe.api.model.classifier.ConceptClassifier;
import org.lethe.api.model.diffusion.DiffusionModel;
import org.lethe.api.model.diffusion.DiffusionModel.SampleRequest;

/**
 * Generates one image per evaluation prompt with a text-to-image model and reads it with the
 * evaluation classifier (research/methods-gen.md §8): DDIM with classifier-free guidance from the
 * prompt's own start noise, mapped from [−1, 1] to [0, 1], then the classifier's class per head, its
 * "no object" verdict, its penultimate features, and the object silhouette against the image's
 * median background ({@link LayoutScores#medianBackground}).
 *
 * <p><b>Start noise.</b> A prompt's x_T is drawn from {@code new java.util.Random(seed)}, one
 * {@code nextGaussian()} per value in (channel, row, column) order: the same draw as the built-in
 * model's {@code sample} with that seed for a batch of one, and independent of the batch the prompt
 * is sampled in. Prompts with the same seed start from the same noise and differ only in their words.
 *
 * <p><b>Cache.</b> Several metrics read the same samples in one evaluation, and every evaluation of
 * a comparison compares with the same root model, so each image is made once: samples are kept per
 * model content (a checksum of its parameters' names and bits, taken on every call; the
 * {@value #MODELS_CACHED} most recently used models) under the prompt's text, its seed, the sampler
 * settings and, for a perturbed condition, the perturbation and the prompt's noise seed. Two
 * instances with the same weights share their samples (the root model loaded again as the next
 * evaluation's reference), and an instance whose weights changed between calls (a probe that trains
 * it) is sampled afresh. Forward hooks are not parameters: a caller that adds one to a model it already
 * evaluated must evaluate another instance. The samples depend on the classifier too, so a sampler
 * belongs to one classifier; a new classifier version gets a new sampler with an empty cache.
 *
 * <p>Batches of {@link SamplerSettings#batchSize()} prompts each run in a sub-manager of the
 * model's manager that is closed with the batch; no gradient is recorded (call it outside a
 * gradient collector). Thread-safe: one model's cache is updated under a lock.
 */
public final class ClassifiedSampler {

    /** The classifier head that tells whether an image shows an object: {@value}. */
    public static final String OBJECT_HEAD = "object";

    /** The class of {@link #OBJECT_HEAD} that means "no object": {@value}. */
    public static final String NO_OBJECT_CLASS = "none";

    private final ConceptClassifier classifier;
    private final SamplerSettings settings;
    /** Models whose samples are kept: {@value}. */
    static final int MODELS_CACHED = 4;

    private final Map<Long, ModelSamples> cache = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, ModelSamples> eldest) {
            return size() > MODELS_CACHED;
        }
    };
    private final AtomicLong imagesGenerated = new AtomicLong();

    /** The samples of the models with one parameter checksum. */
    private static final class ModelSamples {
        final Map<SampleKey, Generation> generations = new HashMap<>();
    }

    /** What makes two samples the same image (an edited condition may depend on the prompt's id). */
    private record SampleKey(String text, long seed, SamplerSettings settings, ConditionEdit edit, String promptId) {
    }

    /** One sample to make: its key and where its result goes. */
    private record Pending(SampleKey key, String text, long seed, String promptId) {
    }

    /**
     * @param classifier the evaluation classifier
     * @param settings the sampler settings
     */
    public ClassifiedSampler(ConceptClassifier classifier, SamplerSettings settings) {
        this.classifier = Objects.requireNonNull(classifier, "classifier");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** @return the evaluation classifier */
    public ConceptClassifier classifier() {
        return classifier;
    }

    /** @return the sampler settings */
    public SamplerSettings settings() {
        return settings;
    }

    /** @return how many images this sampler has generated so far (cached samples not counted again) */
    public long imagesGenerated() {
        return imagesGenerated.get();
    }

    /** @return whether the classifier has a "no object" head ({@value #OBJECT_HEAD} with class {@value #NO_OBJECT_CLASS}) */
    public boolean hasObjectHead() {
        return classifier.heads().contains(OBJECT_HEAD) && classifier.classes(OBJECT_HEAD).contains(NO_OBJECT_CLASS);
    }

    /**
     * Refuses a model whose images the classifier cannot read.
     *
     * @param model the text-to-image model
     * @throws LetheException (invalid input) naming both sizes, when the image sizes or channels differ
     */
    public void requireCompatible(DiffusionModel model) {
        if (model.imageSize() != classifier.imageSize() || model.channels() != classifier.channels()) {
            throw LetheException.invalidInput("the evaluation classifier reads " + classifier.channels() + "×"
                    + classifier.imageSize() + "×" + classifier.imageSize() + " images, but the model under test makes "
                    + model.channels() + "×" + model.imageSize() + "×" + model.imageSize()
                    + " images; evaluate it with a classifier trained on its world's images");
        }
    }

    /**
     * The labels of a prompt that the classifier judges: those whose attribute is one of its heads
     * (other than {@value #OBJECT_HEAD}); other attributes (layout words such as {@code context}) are
     * left out.
     *
     * @param prompt a prompt
     * @param role the role it came from, for the message
     * @return head → class, in the classifier's head order
     * @throws LetheException (invalid input) naming the prompt, when a judged label's value is not a class of its head
     */
    public Map<String, String> truth(Prompt prompt, String role) {
        Map<String, String> truth = new LinkedHashMap<>();
        for (String head : classifier.heads()) {
            String value = prompt.labels().get(head);
            if (head.equals(OBJECT_HEAD) || value == null) {
                continue;
            }
            List<String> classes = classifier.classes(head);
            if (!classes.contains(value)) {
                throw LetheException.invalidInput("prompt '" + prompt.id() + "' of " + role + ": label " + head + "="
                        + value + " is not a class the evaluation classifier knows; its '" + head + "' classes are "
                        + classes);
            }
            truth.put(head, value);
        }
        return truth;
    }

    /**
     * One sample per prompt, from the cache where it holds them.
     *
     * @param model the text-to-image model
     * @param role the prompts' role, for messages and the samples' records
     * @param prompts the prompts
     * @param seeds one start-noise seed per prompt
     * @return the samples, in the prompts' order
     * @throws LetheException (invalid input) when a label is not a class of its head, the sizes do not
     *     fit or a prompt is longer than the model takes
     */
    public List<GeneratedSample> samples(DiffusionModel model, String role, List<Prompt> prompts, long[] seeds) {
        return generate(model, role, prompts, seeds, null);
    }

    /**
     * One sample per prompt whose condition is the prompt's encoding with the erased concept's word
     * positions moved to a random neighbour ({@link EmbeddingPerturbation}).
     *
     * @param model the text-to-image model
     * @param split the split the samples are reported under
     * @param prompts prompts that each contain at least one of the perturbation's words
     * @param seeds one start-noise seed per prompt
     * @param perturbation the words to perturb, the scale and the seed
     * @return the samples, in the prompts' order
     * @throws LetheException (invalid input) naming the prompt, when a prompt contains none of the words
     */
    public List<GeneratedSample> perturbedSamples(DiffusionModel model, String split, List<Prompt> prompts,
            long[] seeds, EmbeddingPerturbation perturbation) {
        return generate(model, split, prompts, seeds, Objects.requireNonNull(perturbation, "perturbation"));
    }

    /**
     * One sample per prompt whose condition a {@link ConditionEdit} makes from the prompt (e.g. a
     * learned concept embedding in place of the concept's words).
     *
     * @param model the text-to-image model
     * @param split the split the samples are reported under
     * @param prompts the prompts
     * @param seeds one start-noise seed per prompt
     * @param edit how each batch's condition is made; samples are cached under it (its {@code equals})
     * @return the samples, in the prompts' order
     */
    public List<GeneratedSample> editedSamples(DiffusionModel model, String split, List<Prompt> prompts, long[] seeds,
            ConditionEdit edit) {
        return generate(model, split, prompts, seeds, Objects.requireNonNull(edit, "edit"));
    }

    private List<GeneratedSample> generate(DiffusionModel model, String role, List<Prompt> prompts, long[] seeds,
            ConditionEdit edit) {
        Objects.requireNonNull(model, "model");
        if (seeds.length != prompts.size()) {
            throw new IllegalArgumentException(seeds.length + " seeds for " + prompts.size() + " prompts");
        }
        requireCompatible(model);
        List<Map<String, String>> truths = new ArrayList<>();
        List<SampleKey> keys = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            Prompt p = prompts.get(i);
            truths.add(truth(p, role));
            keys.add(new SampleKey(p.prompt(), seeds[i], settings, edit, edit == null ? null : p.id()));
        }
        long checksum = checksum(model);
        ModelSamples samples;
        synchronized (cache) {
            samples = cache.computeIfAbsent(checksum, m -> new ModelSamples());
        }
        Map<SampleKey, Generation> found = new HashMap<>();
        synchronized (samples) {
            Map<SampleKey, Pending> missing = new LinkedHashMap<>();
            for (int i = 0; i < prompts.size(); i++) {
                SampleKey key = keys.get(i);
                Generation cached = samples.generations.get(key);
                if (cached != null) {
                    found.put(key, cached);
                } else {
                    missing.putIfAbsent(key, new Pending(key, prompts.get(i).prompt(), seeds[i], prompts.get(i).id()));
                }
            }
            List<Pending> todo = new ArrayList<>(missing.values());
            for (int from = 0; from < todo.size(); from += settings.batchSize()) {
                List<Pending> batch = todo.subList(from, Math.min(todo.size(), from + settings.batchSize()));
                List<Generation> made = sampleBatch(model, batch, edit);
                for (int k = 0; k < batch.size(); k++) {
                    samples.generations.put(batch.get(k).key(), made.get(k));
                    found.put(batch.get(k).key(), made.get(k));
                }
            }
        }
        List<GeneratedSample> out = new ArrayList<>(prompts.size());
        for (int i = 0; i < prompts.size(); i++) {
            out.add(new GeneratedSample(role, prompts.get(i).id(), seeds[i], truths.get(i), found.get(keys.get(i))));
        }
        return out;
    }

    /** Samples and classifies one batch, in a sub-manager closed with it. */
    private List<Generation> sampleBatch(DiffusionModel model, List<Pending> batch, ConditionEdit edit) {
        int n = batch.size();
        int channels = model.channels();
        int size = model.imageSize();
        int perImage = channels * size * size;
        List<String> texts = batch.stream().map(Pending::text).toList();
        try (NDManager scope = model.model().getNDManager().newSubManager()) {
            NDArray condition;
            try {
                condition = edit == null ? model.encode(texts, scope)
                        : edit.condition(model, texts, batch.stream().map(Pending::promptId).toList(), scope);
            } catch (IllegalArgumentException e) {
                throw LetheException.invalidInput("cannot encode the evaluation prompts " + texts + ": " + e.getMessage());
            }
            float[] start = new float[n * perImage];
            for (int i = 0; i < n; i++) {
                Random random = new Random(batch.get(i).seed());
                for (int v = 0; v < perImage; v++) {
                    start[i * perImage + v] = (float) random.nextGaussian();
                }
            }
            NDArray x0 = scope.create(start, new Shape(n, channels, size, size));
            DiffusionModel.Sample sample = model.sample(new SampleRequest(condition, settings.guidance(),
                    settings.ddimSteps(), settings.ddimSteps(), 0L, x0), scope);
            NDArray images = sample.latent().add(1).div(2).clip(0, 1).toType(DataType.FLOAT32, false);
            float[] pixels = images.toFloatArray();
            ConceptClassifier.Output read = classifier.forward(images, false);
            Map<String, long[]> classes = new LinkedHashMap<>();
            Map<String, float[]> softmax = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : read.logits().entrySet()) {
                classes.put(e.getKey(), e.getValue().argMax(1).toType(DataType.INT64, false).toLongArray());
                softmax.put(e.getKey(), e.getValue().softmax(1).toType(DataType.FLOAT32, false).toFloatArray());
            }
            float[] features = read.features().toType(DataType.FLOAT32, false).toFloatArray();
            int width = classifier.featureWidth();
            boolean objectHead = hasObjectHead();
            List<Generation> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                Map<String, String> predicted = new LinkedHashMap<>();
                for (Map.Entry<String, long[]> e : classes.entrySet()) {
                    predicted.put(e.getKey(), classifier.classes(e.getKey()).get((int) e.getValue()[i]));
                }
                boolean noObject = objectHead && NO_OBJECT_CLASS.equals(predicted.get(OBJECT_HEAD));
                double[] feature = new double[width];
                for (int k = 0; k < width; k++) {
                    feature[k] = features[i * width + k];
                }
                double[][][] image = new double[channels][size][size];
                for (int c = 0; c < channels; c++) {
                    for (int y = 0; y < size; y++) {
                        for (int xx = 0; xx < size; xx++) {
                            image[c][y][xx] = pixels[i * perImage + (c * size + y) * size + xx];
                        }
                    }
                }
                boolean[][] mask = LayoutScores.silhouette(image, LayoutScores.medianBackground(image),
                        settings.silhouetteThreshold());
                Map<String, double[]> probabilities = new LinkedHashMap<>();
                for (Map.Entry<String, float[]> e : softmax.entrySet()) {
                    int k = classifier.classes(e.getKey()).size();
                    double[] p = new double[k];
                    for (int j = 0; j < k; j++) {
                        p[j] = e.getValue()[i * k + j];
                    }
                    probabilities.put(e.getKey(), p);
                }
                out.add(new Generation(predicted, noObject, feature, mask, probabilities));
            }
            imagesGenerated.addAndGet(n);
            return out;
        }
    }

    /**
     * A 64-bit checksum of every parameter's name and float bits, in {@link DiffusionModel#parameters()}
     * order (FNV-1a over the words): whether a model instance still has the weights it was sampled with.
     */
    static long checksum(DiffusionModel model) {
        long h = 0xcbf29ce484222325L;
        for (Map.Entry<String, Parameter> e : model.parameters().entrySet()) {
            h = (h ^ e.getKey().hashCode()) * 0x100000001b3L;
            Parameter p = e.getValue();
            if (!p.isInitialized()) {
                continue;
            }
            NDArray array = p.getArray();
            float[] values;
            if (array.getDataType() == DataType.FLOAT32) {
                values = array.toFloatArray();
            } else {
                try (NDArray converted = array.toType(DataType.FLOAT32, true)) {
                    values = converted.toFloatArray();
                }
            }
            for (float v : values) {
                h = (h ^ Float.floatToRawIntBits(v)) * 0x100000001b3L;
            }
        }
        return h;
    }
}
