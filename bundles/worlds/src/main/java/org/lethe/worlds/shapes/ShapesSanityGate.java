package org.lethe.worlds.shapes;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.lethe.api.model.classifier.ConceptClassifier;
import org.lethe.api.model.diffusion.DiffusionModel;
import org.lethe.api.run.RunContext;

/**
 * The sanity gate before any erasure (issue 7; research/methods-gen.md §6): samples of full prompts
 * ({@code <colour> <shape> on <texture>}, every concept by its name) from the base generator, DDIM
 * with classifier-free guidance, classified by the independent classifier; the share of samples
 * whose colour, shape and texture are recognised.
 */
public final class ShapesSanityGate {

    private ShapesSanityGate() {
    }

    /**
     * What the gate measured.
     *
     * @param samples how many samples were classified
     * @param colour the share whose colour was recognised
     * @param shape the share whose shape was recognised
     * @param texture the share whose texture was recognised
     * @param noObject the share classified as having no object
     */
    public record Result(int samples, double colour, double shape, double texture, double noObject) {

        /** @return e.g. {@code colour 0.96, shape 0.93, texture 0.88 (no object 0.01) on 288 samples} */
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "colour %.3f, shape %.3f, texture %.3f (no object %.3f) on %d samples",
                    colour, shape, texture, noObject, samples);
        }
    }

    /**
     * The gate's prompts: every colour × shape × texture combination {@code perCombination} times,
     * by the concepts' names, without context words.
     *
     * @param perCombination samples per combination, ≥ 1
     * @return the prompts (72 × perCombination), combinations in lexicon order, repeated
     */
    public static List<ShapesPrompt> prompts(int perCombination) {
        List<ShapesPrompt> out = new ArrayList<>();
        for (int r = 0; r < perCombination; r++) {
            for (ShapesConcept c : ShapesLexicon.COLOURS) {
                for (ShapesConcept s : ShapesLexicon.SHAPES) {
                    for (ShapesConcept t : ShapesLexicon.TEXTURES) {
                        out.add(new ShapesPrompt("gate-" + out.size(), c.name(), s.name(), t.name(), c.name(),
                                s.name(), t.name(), java.util.Optional.empty(), java.util.Optional.empty(),
                                java.util.OptionalInt.empty(), java.util.OptionalLong.empty()));
                    }
                }
            }
        }
        return out;
    }

    /**
     * Samples the prompts and classifies the samples.
     *
     * @param generator the base generator
     * @param classifier the classifier
     * @param prompts full prompts
     * @param seed the samples' start noise: sample i starts from a generator seeded with {@code seed + i}
     * @param steps DDIM steps
     * @param guidance the classifier-free guidance scale
     * @param batchSize samples per sampling call
     * @param run the run (its manager, cancellation, progress)
     * @return the measured shares
     */
    public static Result measure(DiffusionModel generator, ConceptClassifier classifier, List<ShapesPrompt> prompts,
            long seed, int steps, double guidance, int batchSize, RunContext run) {
        int n = prompts.size();
        int per = ShapesLexicon.PIXELS;
        float[] images = new float[n * per];
        int size = generator.imageSize();
        for (int from = 0; from < n; from += batchSize) {
            run.checkCancelled();
            int count = Math.min(batchSize, n - from);
            float[] start = new float[count * per];
            for (int i = 0; i < count; i++) {
                Random random = new Random(seed + from + i);
                for (int j = 0; j < per; j++) {
                    start[i * per + j] = (float) random.nextGaussian();
                }
            }
            List<String> text = prompts.subList(from, from + count).stream().map(ShapesPrompt::text).toList();
            try (NDManager scope = run.manager().newSubManager()) {
                NDArray condition = generator.encode(text, scope);
                DiffusionModel.Sample sample = generator.sample(new DiffusionModel.SampleRequest(condition, guidance,
                        steps, steps, seed + from, scope.create(start, new Shape(count, 3, size, size))), scope);
                float[] x = sample.latent().toFloatArray();
                for (int i = 0; i < x.length; i++) {
                    float v = (x[i] + 1f) / 2f;
                    images[from * per + i] = v < 0f ? 0f : (v > 1f ? 1f : v);
                }
            }
            run.progress(from + count, n, Double.NaN);
        }
        Map<String, int[]> predicted = ShapesClassifierTraining.predict(classifier, images, n, run.manager());
        Map<String, Integer> right = new LinkedHashMap<>();
        int none = 0;
        for (int i = 0; i < n; i++) {
            ShapesPrompt p = prompts.get(i);
            count(right, ShapesClassifierTraining.COLOUR, predicted, i,
                    ShapesClassifierTraining.index(ShapesLexicon.COLOURS, p.colour()));
            count(right, ShapesClassifierTraining.SHAPE, predicted, i,
                    ShapesClassifierTraining.index(ShapesLexicon.SHAPES, p.shape()));
            count(right, ShapesClassifierTraining.TEXTURE, predicted, i,
                    ShapesClassifierTraining.index(ShapesLexicon.TEXTURES, p.texture()));
            none += predicted.get(ShapesClassifierTraining.OBJECT)[i] == 1 ? 1 : 0;
        }
        return new Result(n, right.getOrDefault(ShapesClassifierTraining.COLOUR, 0) / (double) n,
                right.getOrDefault(ShapesClassifierTraining.SHAPE, 0) / (double) n,
                right.getOrDefault(ShapesClassifierTraining.TEXTURE, 0) / (double) n, none / (double) n);
    }

    private static void count(Map<String, Integer> right, String head, Map<String, int[]> predicted, int i, int truth) {
        if (predicted.get(head)[i] == truth) {
            right.merge(head, 1, Integer::sum);
        }
    }
}
