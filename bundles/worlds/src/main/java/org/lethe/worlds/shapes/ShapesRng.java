package org.lethe.worlds.shapes;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded random streams whose output is fixed by the Java specification: one
 * {@link java.util.Random} (its algorithm is specified) per purpose and index, seeded from the
 * world's seed, the purpose's name and the index through SplitMix64. Every image, prompt and
 * permutation has its own stream, so any item can be made again on its own and adding a purpose
 * never shifts another's numbers.
 */
final class ShapesRng {

    private final Random random;

    private ShapesRng(long seed) {
        this.random = new Random(seed);
    }

    /**
     * @param seed the world's seed
     * @param purpose a fixed name ({@code train}, {@code classifier_holdout}, ...)
     * @param index the item's index within the purpose
     * @return the stream for that item
     */
    static ShapesRng stream(long seed, String purpose, long index) {
        return new ShapesRng(derive(seed, purpose, index));
    }

    /**
     * @param seed a seed
     * @return a stream seeded directly (an image's own render seed)
     */
    static ShapesRng of(long seed) {
        return new ShapesRng(mix(seed ^ 0x5DEECE66DL));
    }

    /**
     * @param seed the world's seed
     * @param purpose a fixed name
     * @param index the item's index
     * @return a well-mixed seed for that item, in [0, 2^53) so that it survives every JSON reader
     */
    static long derive(long seed, String purpose, long index) {
        long h = mix(seed);
        for (int i = 0; i < purpose.length(); i++) {
            h = mix(h + purpose.charAt(i));
        }
        return mix(h ^ mix(index)) & ((1L << 53) - 1);
    }

    private static long mix(long z) {
        z += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** @return a uniform int in [0, bound) */
    int nextInt(int bound) {
        return random.nextInt(bound);
    }

    /** @return a uniform double in [0, 1) */
    double nextDouble() {
        return random.nextDouble();
    }

    /** @return a uniform float in [lo, hi) */
    float uniform(double lo, double hi) {
        return (float) (lo + (hi - lo) * random.nextDouble());
    }

    /** @return a uniform pick from a non-empty list */
    <T> T pick(List<T> from) {
        return from.get(random.nextInt(from.size()));
    }

    /** @return a shuffled copy (Fisher–Yates, from the last position down) */
    <T> List<T> shuffled(List<T> items) {
        List<T> out = new ArrayList<>(items);
        for (int i = out.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            T t = out.get(i);
            out.set(i, out.get(j));
            out.set(j, t);
        }
        return out;
    }
}
