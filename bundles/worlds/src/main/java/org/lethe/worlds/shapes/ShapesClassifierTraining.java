package org.lethe.worlds.shapes;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.lethe.api.model.classifier.ConceptClassifier;
import org.lethe.api.run.RunContext;

/**
 * The shapes world's concept classifier ({@code shapes-clf}): its heads and labels, its training on
 * ground-truth procedural images only (research/methods-gen.md §8: never on generator output), and
 * its accuracy per head.
 *
 * <p>Heads: {@value #COLOUR}, {@value #SHAPE}, {@value #TEXTURE} over the world's concept names, and
 * {@value #OBJECT} ({@code present}, {@code none}) for images without an object (background only or
 * noise; the "no object" rate of the evaluation). An image without an object has no colour or shape
 * label, and noise has no texture label.
 */
public final class ShapesClassifierTraining {

    /** The colour head. */
    public static final String COLOUR = "colour";
    /** The shape head. */
    public static final String SHAPE = "shape";
    /** The texture head. */
    public static final String TEXTURE = "texture";
    /** The object head: {@code present} or {@code none}. */
    public static final String OBJECT = "object";
    /** The object head's classes. */
    public static final List<String> OBJECT_CLASSES = List.of("present", "none");

    private ShapesClassifierTraining() {
    }

    /**
     * @return the classifier's architecture settings for the shapes world: its heads and classes
     *     (sizes and augmentation at the architecture's defaults)
     */
    public static Map<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("heads", String.join(" ", COLOUR, SHAPE, TEXTURE, OBJECT));
        s.put("classes." + COLOUR, String.join(" ", names(ShapesLexicon.COLOURS)));
        s.put("classes." + SHAPE, String.join(" ", names(ShapesLexicon.SHAPES)));
        s.put("classes." + TEXTURE, String.join(" ", names(ShapesLexicon.TEXTURES)));
        s.put("classes." + OBJECT, String.join(" ", OBJECT_CLASSES));
        return s;
    }

    private static List<String> names(List<ShapesConcept> concepts) {
        return concepts.stream().map(ShapesConcept::name).toList();
    }

    /**
     * @param images images
     * @return per head, one class index per image ({@link ConceptClassifier#UNLABELLED} where the
     *     image has none)
     */
    public static Map<String, int[]> labels(List<ShapesImage> images) {
        int n = images.size();
        int[] colour = new int[n];
        int[] shape = new int[n];
        int[] texture = new int[n];
        int[] object = new int[n];
        for (int i = 0; i < n; i++) {
            ShapesImage image = images.get(i);
            colour[i] = index(ShapesLexicon.COLOURS, image.colour().orElse(null));
            shape[i] = index(ShapesLexicon.SHAPES, image.shape().orElse(null));
            texture[i] = index(ShapesLexicon.TEXTURES, image.texture().orElse(null));
            object[i] = image.kind() == ShapesImage.Kind.OBJECT ? 0 : 1;
        }
        Map<String, int[]> out = new LinkedHashMap<>();
        out.put(COLOUR, colour);
        out.put(SHAPE, shape);
        out.put(TEXTURE, texture);
        out.put(OBJECT, object);
        return out;
    }

    /**
     * @param concepts an attribute's concepts
     * @param name a concept name, or null
     * @return its index, or {@link ConceptClassifier#UNLABELLED} for null
     */
    static int index(List<ShapesConcept> concepts, String name) {
        if (name == null) {
            return ConceptClassifier.UNLABELLED;
        }
        for (int i = 0; i < concepts.size(); i++) {
            if (concepts.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException("unknown concept '" + name + "'");
    }

    /**
     * @param images images
     * @return their pixels, concatenated (CHW each, in [0, 1])
     */
    static float[] pixels(List<ShapesImage> images) {
        float[] out = new float[images.size() * ShapesLexicon.PIXELS];
        for (int i = 0; i < images.size(); i++) {
            System.arraycopy(images.get(i).pixels(), 0, out, i * ShapesLexicon.PIXELS, ShapesLexicon.PIXELS);
        }
        return out;
    }

    /**
     * Trains the classifier on images through the run's optimisation loop: Adam at a fixed learning
     * rate, {@code epochs} passes of shuffled batches (the run's random source), every batch
     * augmented by the classifier's own recipe ({@link ConceptClassifier#augment}) from a generator
     * seeded with the run's seed.
     *
     * @param classifier the classifier (changed in place)
     * @param images its training images (ground truth only)
     * @param epochs passes over the images
     * @param batchSize images per batch
     * @param learningRate Adam's learning rate
     * @param run the run
     * @return the loss of every step
     */
    public static float[] train(ConceptClassifier classifier, List<ShapesImage> images, int epochs, int batchSize,
            float learningRate, RunContext run) {
        List<Integer> rows = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            rows.add(i);
        }
        float[] pixels = pixels(images);
        Map<String, int[]> labels = labels(images);
        int steps = epochs * ((images.size() + batchSize - 1) / batchSize);
        RunContext.Batches<Integer> batches = run.batches(rows, batchSize);
        Random augmentation = new Random(run.seed() ^ 0x636c617373696679L); // "classify"
        int per = ShapesLexicon.PIXELS;
        return run.optimise(classifier.model(), Optimizer.adam().optLearningRateTracker(Tracker.fixed(learningRate))
                .build(), steps, (step, scope) -> {
                    List<Integer> batch = batches.next();
                    float[] x = new float[batch.size() * per];
                    Map<String, int[]> y = new LinkedHashMap<>();
                    labels.forEach((head, all) -> y.put(head, new int[batch.size()]));
                    for (int i = 0; i < batch.size(); i++) {
                        int row = batch.get(i);
                        System.arraycopy(pixels, row * per, x, i * per, per);
                        for (Map.Entry<String, int[]> e : y.entrySet()) {
                            e.getValue()[i] = labels.get(e.getKey())[row];
                        }
                    }
                    NDArray input = scope.create(classifier.augment(x, augmentation),
                            new Shape(batch.size(), ShapesLexicon.CHANNELS, ShapesLexicon.SIZE, ShapesLexicon.SIZE));
                    return classifier.loss(input, y, true);
                });
    }

    /**
     * @param classifier the classifier
     * @param images float32 images in [0, 1], host values, CHW each
     * @param count how many
     * @param manager where scratch arrays live (closed scopes are made under it)
     * @return per head, the predicted class of every image
     */
    public static Map<String, int[]> predict(ConceptClassifier classifier, float[] images, int count,
            NDManager manager) {
        Map<String, int[]> out = new LinkedHashMap<>();
        int per = ShapesLexicon.PIXELS;
        for (int from = 0; from < count; from += 256) {
            int n = Math.min(256, count - from);
            float[] chunk = new float[n * per];
            System.arraycopy(images, from * per, chunk, 0, n * per);
            try (NDManager scope = manager.newSubManager()) {
                Map<String, int[]> p = classifier.predict(scope.create(chunk,
                        new Shape(n, ShapesLexicon.CHANNELS, ShapesLexicon.SIZE, ShapesLexicon.SIZE)));
                for (Map.Entry<String, int[]> e : p.entrySet()) {
                    int[] all = out.computeIfAbsent(e.getKey(), k -> new int[count]);
                    System.arraycopy(e.getValue(), 0, all, from, n);
                }
            }
        }
        return out;
    }

    /**
     * The accuracy of every head over the images labelled for it.
     *
     * @param classifier the classifier
     * @param images images with ground truth
     * @param manager where scratch arrays live
     * @return per head, the share of its labelled images classified right (NaN for a head no image is labelled for)
     */
    public static Map<String, Double> accuracy(ConceptClassifier classifier, List<ShapesImage> images,
            NDManager manager) {
        Map<String, int[]> truth = labels(images);
        Map<String, int[]> predicted = predict(classifier, pixels(images), images.size(), manager);
        Map<String, Double> out = new LinkedHashMap<>();
        for (Map.Entry<String, int[]> e : truth.entrySet()) {
            int[] p = predicted.get(e.getKey());
            int right = 0;
            int labelled = 0;
            for (int i = 0; i < p.length; i++) {
                if (e.getValue()[i] != ConceptClassifier.UNLABELLED) {
                    labelled++;
                    right += p[i] == e.getValue()[i] ? 1 : 0;
                }
            }
            out.put(e.getKey(), labelled == 0 ? Double.NaN : right / (double) labelled);
        }
        return out;
    }

    /**
     * @param accuracy per head
     * @return e.g. {@code colour 0.998, shape 0.990, texture 1.000, object 1.000}
     */
    public static String format(Map<String, Double> accuracy) {
        StringBuilder out = new StringBuilder();
        accuracy.forEach((head, value) -> out.append(out.length() == 0 ? "" : ", ").append(head).append(' ')
                .append(String.format(Locale.ROOT, "%.3f", value)));
        return out.toString();
    }
}
