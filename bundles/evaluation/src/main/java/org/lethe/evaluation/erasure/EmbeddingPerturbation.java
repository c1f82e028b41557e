package org.lethe.evaluation.erasure;

import java.util.List;
import java.util.Objects;

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
public record EmbeddingPerturbation(List<String> words, double scale, long seed) {

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

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
