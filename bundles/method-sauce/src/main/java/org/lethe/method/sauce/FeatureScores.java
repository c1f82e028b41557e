package org.lethe.method.sauce;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Collectors;
import org.lethe.api.LetheException;

/**
 * Picks a concept's features from autoencoder codes (methods-gen.md §4.2). Codes are summarised
 * per input (one image with its question): the sum and the maximum of each feature over the
 * input's hooked positions. D_c are the inputs that show the concept, D_¬c inputs that do not.
 */
final class FeatureScores {

    /** The scoring rules. */
    enum Method {
        /** s_j = mean over D_c's positions of z_j; the k highest (SAUCE's notes; the default). */
        MEAN_ACTIVATION("mean-activation"),
        /**
         * s = p_x − p_o with p = mean z / Σ mean z on D_c and D_¬c; the k highest
         * (SAeUron's {@code compute_feature_importance}, with k instead of a quantile).
         */
        CONTRASTIVE("contrastive"),
        /**
         * ∪ over D_c inputs of their top-m features by maximum over positions, minus the union of
         * D_¬c inputs' top-m (ItD's {@code find_the_threshold_for_*}); at most k, by mean activation.
         */
        SET_DIFFERENCE("set-difference"),
        /** k features drawn uniformly among those active on D_c, seeded: the ablation of §8. */
        RANDOM("random");

        private final String code;

        Method(String code) {
            this.code = code;
        }

        /** @return the setting's word for it */
        String code() {
            return code;
        }

        /**
         * @param code a setting's value
         * @param field the setting, as the error names it
         * @return the method
         * @throws LetheException (invalid input) naming the field and the valid values
         */
        static Method of(String code, String field) {
            for (Method m : values()) {
                if (m.code.equals(code.trim().toLowerCase(Locale.ROOT))) {
                    return m;
                }
            }
            throw LetheException.invalidInput(field + " must be one of "
                    + Arrays.stream(values()).map(Method::code).collect(Collectors.joining(", ")) + ", not '" + code + "'");
        }
    }

    /**
     * One input's codes, summarised over its positions.
     *
     * @param sum Σ over positions of z_j, per feature
     * @param max max over positions of z_j, per feature
     * @param positions how many positions were summed
     */
    record Summary(float[] sum, float[] max, int positions) {
    }

    private FeatureScores() {
    }

    /**
     * @param method the rule
     * @param concept D_c, at least one input
     * @param others D_¬c (needed by contrastive and set-difference)
     * @param k how many features at most
     * @param top set-difference's m
     * @param random the ablation's random source
     * @return the selected feature indices, ascending
     */
    static int[] select(Method method, List<Summary> concept, List<Summary> others, int k, int top, Random random) {
        int[] ranked = rank(method, concept, others, k, top, random);
        return Arrays.stream(ranked).sorted().toArray();
    }

    /**
     * The same features as {@link #select}, best first, so that its first k' entries are what
     * {@code select} gives for k' ≤ k (the adaptive choice of k tries those prefixes).
     *
     * @param method the rule
     * @param concept D_c, at least one input
     * @param others D_¬c (needed by contrastive and set-difference)
     * @param k how many features at most
     * @param top set-difference's m
     * @param random the ablation's random source
     * @return the selected feature indices, best score first (random: in drawing order)
     */
    static int[] rank(Method method, List<Summary> concept, List<Summary> others, int k, int top, Random random) {
        return switch (method) {
            case MEAN_ACTIVATION -> rankMeanActivation(concept, k);
            case CONTRASTIVE -> rankContrastive(concept, others, k);
            case SET_DIFFERENCE -> rankSetDifference(concept, others, top, k);
            case RANDOM -> rankRandom(concept, k, random);
        };
    }

    /**
     * @param inputs inputs' summaries
     * @return mean over all their positions of each feature
     */
    static double[] meanCodes(List<Summary> inputs) {
        int d = inputs.get(0).sum().length;
        double[] mean = new double[d];
        long positions = 0;
        for (Summary s : inputs) {
            for (int j = 0; j < d; j++) {
                mean[j] += s.sum()[j];
            }
            positions += s.positions();
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= Math.max(1, positions);
        }
        return mean;
    }

    /** The k highest mean activations on D_c among the features active there. */
    static int[] meanActivation(List<Summary> concept, int k) {
        return Arrays.stream(rankMeanActivation(concept, k)).sorted().toArray();
    }

    private static int[] rankMeanActivation(List<Summary> concept, int k) {
        return rankPositive(meanCodes(concept), k);
    }

    /** The k highest p_x − p_o among the positive ones. */
    static int[] contrastive(List<Summary> concept, List<Summary> others, int k) {
        return Arrays.stream(rankContrastive(concept, others, k)).sorted().toArray();
    }

    private static int[] rankContrastive(List<Summary> concept, List<Summary> others, int k) {
        requireOthers(others, Method.CONTRASTIVE);
        double[] px = normalised(meanCodes(concept));
        double[] po = normalised(meanCodes(others));
        double[] s = new double[px.length];
        for (int j = 0; j < s.length; j++) {
            s[j] = px[j] - po[j];
        }
        return rankPositive(s, k);
    }

    /** ItD's set difference, capped at k by mean activation on D_c. */
    static int[] setDifference(List<Summary> concept, List<Summary> others, int top, int k) {
        return Arrays.stream(rankSetDifference(concept, others, top, k)).sorted().toArray();
    }

    private static int[] rankSetDifference(List<Summary> concept, List<Summary> others, int top, int k) {
        requireOthers(others, Method.SET_DIFFERENCE);
        BitSet target = new BitSet();
        for (Summary s : concept) {
            for (int j : topPositive(toDouble(s.max()), top)) {
                target.set(j);
            }
        }
        for (Summary s : others) {
            for (int j : topPositive(toDouble(s.max()), top)) {
                target.clear(j);
            }
        }
        double[] mean = meanCodes(concept);
        double[] masked = new double[mean.length];
        for (int j = target.nextSetBit(0); j >= 0; j = target.nextSetBit(j + 1)) {
            masked[j] = Math.max(mean[j], Double.MIN_VALUE);
        }
        return rankPositive(masked, k);
    }

    /** k features drawn without replacement among those active on D_c (all features when fewer are). */
    static int[] random(List<Summary> concept, int k, Random random) {
        return Arrays.stream(rankRandom(concept, k, random)).sorted().toArray();
    }

    private static int[] rankRandom(List<Summary> concept, int k, Random random) {
        double[] mean = meanCodes(concept);
        List<Integer> pool = new ArrayList<>();
        for (int j = 0; j < mean.length; j++) {
            if (mean[j] > 0) {
                pool.add(j);
            }
        }
        if (pool.size() < k) {
            pool.clear();
            for (int j = 0; j < mean.length; j++) {
                pool.add(j);
            }
        }
        java.util.Collections.shuffle(pool, random);
        return pool.subList(0, Math.min(k, pool.size())).stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * @param scores a score per feature
     * @param k how many at most
     * @return the (at most k) features with the highest positive scores, ties to the lower index, ascending
     */
    static int[] topPositive(double[] scores, int k) {
        return Arrays.stream(rankPositive(scores, k)).sorted().toArray();
    }

    /**
     * @param scores a score per feature
     * @param k how many at most
     * @return the (at most k) features with the highest positive scores, best first, ties to the lower index
     */
    static int[] rankPositive(double[] scores, int k) {
        Integer[] order = new Integer[scores.length];
        for (int j = 0; j < order.length; j++) {
            order[j] = j;
        }
        Arrays.sort(order, Comparator.<Integer>comparingDouble(j -> -scores[j]).thenComparingInt(j -> j));
        List<Integer> out = new ArrayList<>();
        for (int j : order) {
            if (out.size() >= k || !(scores[j] > 0)) {
                break;
            }
            out.add(j);
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private static double[] normalised(double[] mean) {
        double total = 0;
        for (double v : mean) {
            total += v;
        }
        double[] out = new double[mean.length];
        if (total > 0) {
            for (int j = 0; j < out.length; j++) {
                out[j] = mean[j] / total;
            }
        }
        return out;
    }

    private static double[] toDouble(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    private static void requireOthers(List<Summary> others, Method method) {
        if (others.isEmpty()) {
            throw LetheException.invalidInput("scoring '" + method.code() + "' compares with inputs that do not show the"
                    + " concept, and the run has none (give a retain set)");
        }
    }
}
