package org.lethe.evaluation.erasure;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import org.lethe.api.LetheException;
import org.lethe.api.model.diffusion.DiffusionModel;

/**
 * How an erased prompt's condition is moved to a random neighbour e + η of the erased concept
 * (research/methods-gen.md §8, "Acc_g ... on held-out random neighbors e+η"; RealEra's neighbour
 * concepts, Liu et al., arXiv 2410.09140 §3.1): the text encoder's output at every position of an
 * erased-concept word gets Gaussian noise η ~ N(0, σ²I) with σ = {@code scale}·‖e‖/√d, so that
 * ‖η‖ ≈ scale·‖e‖ for that position's embedding e of width d. Each prompt draws its noise from its
 * own generator, seeded from {@code seed} and the prompt's id, so a prompt's neighbour does not
 * depend on the other prompts or on the batch.
 *
 * @param words the erased concepts' words (names and erasure aliases); a prompt's positions that
 *     spell one of them are perturbed
 * @param scale the relative noise scale, finite and not negative
 * @param seed the seed the per-prompt generators derive from
 */
public record EmbeddingPerturbation(List<String> words, double scale, long seed) implements ConditionEdit {

    /** Copies the words and checks the scale. */
    public EmbeddingPerturbation {
        words = List.copyOf(Objects.requireNonNull(words, "words"));
        if (words.isEmpty()) {
            throw new IllegalArgumentException("a perturbation needs at least one concept word");
        }
        if (!(scale >= 0) || Double.isInfinite(scale)) {
            throw new IllegalArgumentException("the perturbation scale must be finite and not negative, not " + scale);
        }
    }

    /**
     * The seed of one prompt's noise generator: SplitMix64's finaliser over the perturbation's seed
     * and the prompt id's {@link String#hashCode()} (which the Java language fixes).
     *
     * @param promptId the prompt's id
     * @return the seed
     */
    public long noiseSeed(String promptId) {
        return mix(seed ^ mix(0x9E3779B97F4A7C15L + promptId.hashCode()));
    }

    /**
     * The batch's encodings with the noise added at the positions that spell a perturbed word (host
     * arithmetic, deterministic).
     *
     * @param model the model
     * @param texts the prompts, each containing at least one of the words
     * @param promptIds their ids (each one's noise seed, {@link #noiseSeed})
     * @param scope where the result lives
     * @return the perturbed condition
     * @throws LetheException (invalid input) naming the prompt, when a prompt contains none of the words
     */
    @Override
    public NDArray condition(DiffusionModel model, List<String> texts, List<String> promptIds, NDManager scope) {
        NDArray encoded = model.encode(texts, scope);
        Shape shape = encoded.getShape();
        int length = (int) shape.get(1);
        int width = (int) shape.get(2);
        float[] e = encoded.toType(DataType.FLOAT32, false).toFloatArray();
        boolean[][] marked = ConceptWords.positions(model, texts, words, scope);
        for (int i = 0; i < texts.size(); i++) {
            if (!ConceptWords.any(marked[i])) {
                throw LetheException.invalidInput("prompt '" + promptIds.get(i) + "' ('" + texts.get(i)
                        + "') names none of the erased concepts' words " + words
                        + ", so it has no concept embedding to perturb");
            }
            Random random = new Random(noiseSeed(promptIds.get(i)));
            for (int p = 0; p < length; p++) {
                if (!marked[i][p]) {
                    continue;
                }
                int base = (i * length + p) * width;
                double norm = 0;
                for (int k = 0; k < width; k++) {
                    norm += (double) e[base + k] * e[base + k];
                }
                double sigma = scale * Math.sqrt(norm) / Math.sqrt(width);
                for (int k = 0; k < width; k++) {
                    e[base + k] = (float) (e[base + k] + sigma * random.nextGaussian());
                }
            }
        }
        return scope.create(e, shape);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
