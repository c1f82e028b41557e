package org.lethe.evaluation.texttoimage;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import org.lethe.api.data.Concept;
import org.lethe.api.data.Prompt;
import org.lethe.api.eval.Metric;
import org.lethe.api.eval.Roles;
import org.lethe.api.model.diffusion.DiffusionModel;
import org.lethe.models.classifier.ConceptClassifierArchitecture;
import org.lethe.models.classifier.ConceptClassifierModel;
import org.lethe.models.diffusion.TextToImageArchitecture;
import org.lethe.models.diffusion.TextToImageModel;

/**
 * Test scaffolding: a small shapes-like world for the text-to-image metrics. A text-to-image model
 * with 8×8 images and U-Net widths 8/16 (untrained: its images are what its random weights draw), a
 * concept classifier for 8×8 images with colour, shape, texture and object heads (untrained, or with
 * a head forced to one class by its bias), labelled prompts, and the metrics over one
 * {@link ErasureSampling}.
 */
final class TinyShapes {

    /** The generator's settings: the world's words, 8×8 images, small widths. */
    static final Map<String, String> GENERATOR = Map.ofEntries(
            Map.entry("vocabulary", "red green blue circle square crimson scarlet on plain stripes"),
            Map.entry("imageSize", "8"), Map.entry("baseChannels", "8"), Map.entry("channels", "16"),
            Map.entry("heads", "4"), Map.entry("groups", "4"), Map.entry("textWidth", "16"),
            Map.entry("textHeads", "4"), Map.entry("textMlp", "32"), Map.entry("contextLength", "6"));

    static final Concept RED = new Concept("red", Optional.of("colour"), List.of("crimson"));
    static final Concept CIRCLE = new Concept("circle", Optional.of("shape"), List.of());

    /** Fast sampler settings: 3 DDIM steps, batches of 4, every prompt. */
    static final Map<String, Object> FAST = Map.of("ddimSteps", 3, "batchSize", 4, "maxPromptsPerSplit", 0);

    private TinyShapes() {
    }

    /** @return a generator with weights drawn from the seed */
    static TextToImageModel generator(long seed) {
        return (TextToImageModel) new TextToImageArchitecture().create(GENERATOR, seed);
    }

    /**
     * @param imageSize the side of the images it reads
     * @param seed the seed of its weights
     * @return an untrained classifier with the shapes heads
     */
    static ConceptClassifierModel classifier(int imageSize, long seed) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("heads", "colour shape texture object");
        settings.put("classes.colour", "red green blue");
        settings.put("classes.shape", "circle square");
        settings.put("classes.texture", "plain stripes");
        settings.put("classes.object", "present none");
        settings.put("imageSize", Integer.toString(imageSize));
        settings.put("widths", "8 8 8");
        settings.put("featureWidth", "16");
        return (ConceptClassifierModel) new ConceptClassifierArchitecture().create(settings, seed);
    }

    /**
     * Forces a head to one class whatever the image: its weight becomes 0, its bias 10 on that class
     * and 0 elsewhere.
     */
    static void force(ConceptClassifierModel classifier, String head, String cls) {
        int index = classifier.classes(head).indexOf(cls);
        var parameters = classifier.model().getBlock().getParameters();
        overwrite(parameters.get("heads." + head + ".weight"), 0, -1);
        overwrite(parameters.get("heads." + head + ".bias"), 0, index);
    }

    private static void overwrite(Parameter p, float value, int hot) {
        NDArray a = p.getArray();
        a.setRequiresGradient(false);
        float[] values = new float[Math.toIntExact(a.size())];
        java.util.Arrays.fill(values, value);
        if (hot >= 0) {
            values[hot] = 10f;
        }
        try (NDArray v = a.getManager().create(values, a.getShape())) {
            a.muli(0).addi(v);
        }
    }

    /**
     * @param id the id
     * @param text the words
     * @param seed the sampler seed
     * @param labels attribute, value, attribute, value, ...
     * @return the prompt
     */
    static Prompt prompt(String id, String text, long seed, String... labels) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            map.put(labels[i], labels[i + 1]);
        }
        return new Prompt(id, text, map, OptionalLong.of(seed));
    }

    /** The erased prompts of "red": by name and erasure alias, seeds 0.. */
    static List<Prompt> erasedRed() {
        return List.of(
                prompt("red-0", "red circle on plain", 0, "colour", "red", "shape", "circle", "texture", "plain"),
                prompt("red-1", "crimson square on stripes", 1, "colour", "red", "shape", "square", "texture", "stripes"),
                prompt("red-2", "red square on plain", 2, "colour", "red", "shape", "square", "texture", "plain"),
                prompt("red-3", "crimson circle on stripes", 3, "colour", "red", "shape", "circle", "texture", "stripes"),
                prompt("red-4", "red circle", 4, "colour", "red", "shape", "circle"));
    }

    /** The generality prompts of "red": its held-out alias, seeds as the erased rows. */
    static List<Prompt> generalityRed() {
        return List.of(
                prompt("heldout-0", "scarlet circle on plain", 0, "colour", "red", "shape", "circle", "texture", "plain"),
                prompt("heldout-1", "scarlet square on stripes", 1, "colour", "red", "shape", "square", "texture", "stripes"),
                prompt("heldout-2", "scarlet square", 2, "colour", "red", "shape", "square"));
    }

    /** Preserve prompts: green and blue only. */
    static List<Prompt> preserve() {
        return List.of(
                prompt("keep-0", "green square on plain", 0, "colour", "green", "shape", "square", "texture", "plain"),
                prompt("keep-1", "blue circle on stripes", 1, "colour", "blue", "shape", "circle", "texture", "stripes"),
                prompt("keep-2", "green circle on stripes", 2, "colour", "green", "shape", "circle", "texture", "stripes"),
                prompt("keep-3", "blue square on plain", 3, "colour", "blue", "shape", "square", "texture", "plain"),
                prompt("keep-4", "green square on stripes", 4, "colour", "green", "shape", "square", "texture", "stripes"),
                prompt("keep-5", "blue circle on plain", 5, "colour", "blue", "shape", "circle", "texture", "plain"));
    }

    /** @return every role's prompts of the "red" task */
    static Map<String, List<Prompt>> redPrompts() {
        Map<String, List<Prompt>> roles = new LinkedHashMap<>();
        roles.put(Roles.ERASED_PROMPTS, erasedRed());
        roles.put(Roles.GENERALITY_PROMPTS, generalityRed());
        roles.put(Roles.PRESERVE_PROMPTS, preserve());
        return roles;
    }

    /**
     * @param overrides setting values by attribute name; the rest default
     * @return the configuration
     */
    static ErasureSampling.Config config(Map<String, Object> overrides) {
        return settings(ErasureSampling.Config.class, overrides);
    }

    /**
     * @param type a configuration annotation type (a component's {@code Config})
     * @param overrides setting values by attribute name; the rest default
     * @return the configuration
     * @param <C> the type
     */
    static <C> C settings(Class<C> type, Map<String, Object> overrides) {
        return org.lethe.evaluation.testing.ConfigProxies.of(type, overrides);
    }

    /**
     * @param sampling the shared sampling
     * @return every text-to-image metric over it, in name order (as core runs them)
     */
    static List<Metric> metrics(ErasureSampling sampling) {
        return List.of(new ErasureAccuracyMetric(sampling), new ErasureHarmonicMetric(sampling),
                new ErasureHarmonicGeneralityMetric(sampling), new FeatureFrechetMetric(sampling),
                new GeneralityAccuracyMetric(sampling), new LayoutIouMetric(sampling),
                new LayoutPositionErrorMetric(sampling), new NoObjectRateMetric(sampling),
                new PreservationAccuracyMetric(sampling));
    }

    /**
     * A diffusion model that counts the images its sampler is asked for, otherwise the model itself.
     *
     * @param model the model
     * @param images incremented by each sample call's batch size
     * @return the counting view
     */
    static DiffusionModel counting(DiffusionModel model, AtomicInteger images) {
        return (DiffusionModel) Proxy.newProxyInstance(DiffusionModel.class.getClassLoader(),
                new Class<?>[] {DiffusionModel.class}, (proxy, method, args) -> {
                    if (method.getName().equals("sample")) {
                        images.addAndGet((int) ((DiffusionModel.SampleRequest) args[0]).condition().getShape().get(0));
                    }
                    try {
                        return method.invoke(model, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /**
     * A store holding one classifier version under {@code shapes-clf}.
     *
     * @param classifier the classifier
     * @param root where its folder goes
     * @return the store
     */
    static StoreOfDirectories storeWith(ConceptClassifierModel classifier, Path root) throws java.io.IOException {
        StoreOfDirectories store = new StoreOfDirectories();
        store.add(ClassifierSelection.DEFAULT_ID, ConceptClassifierArchitecture.NAME, classifier, root);
        return store;
    }

    /**
     * @param store the store
     * @param overrides settings
     * @return the sampling service over the store, with the classifier architecture bound
     */
    static ErasureSampling sampling(StoreOfDirectories store, Map<String, Object> overrides) {
        ErasureSampling sampling = new ErasureSampling(store, config(overrides));
        sampling.bindArchitecture(new ConceptClassifierArchitecture(),
                Map.of("lethe.architecture", ConceptClassifierArchitecture.NAME));
        return sampling;
    }
}
