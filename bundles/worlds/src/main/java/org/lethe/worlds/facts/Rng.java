package org.lethe.worlds.facts;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Random;

/**
 * Seeded random streams whose output is fixed by the Java specification: one
 * {@link java.util.Random} (its algorithm is specified) per purpose, seeded from the world's seed
 * and the purpose's name through SplitMix64, so adding a purpose never shifts another's numbers.
 * Shuffling and sampling are written out here rather than borrowed from the collections library,
 * whose algorithms are not part of its contract.
 */
final class Rng {

    private final Random random;

    private Rng(long seed) {
        this.random = new Random(seed);
    }

    /**
     * @param seed the world's seed
     * @param purpose a fixed name ({@code names}, {@code values}, ...)
     * @return the stream for that purpose
     */
    static Rng stream(long seed, String purpose) {
        long h = seed;
        for (int i = 0; i < purpose.length(); i++) {
            h = mix(h + purpose.charAt(i));
        }
        return new Rng(mix(h ^ 0x5DEECE66DL));
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

    /** @return a uniform pick from a non-empty list */
    <T> T pick(List<T> from) {
        return from.get(random.nextInt(from.size()));
    }

    /** @return a shuffled copy (Fisher–Yates, from the last position down) */
    <T> List<T> shuffled(Collection<T> items) {
        List<T> out = new ArrayList<>(items);
        for (int i = out.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            T t = out.get(i);
            out.set(i, out.get(j));
            out.set(j, t);
        }
        return out;
    }

    /**
     * @param from candidates (distinct)
     * @param count how many to draw
     * @param excluded values never drawn
     * @return {@code count} distinct candidates not excluded, in draw order
     * @throws IllegalArgumentException when there are too few
     */
    <T> List<T> sample(List<T> from, int count, Collection<T> excluded) {
        List<T> pool = new ArrayList<>();
        for (T t : from) {
            if (!excluded.contains(t)) {
                pool.add(t);
            }
        }
        if (pool.size() < count) {
            throw new IllegalArgumentException("cannot draw " + count + " of " + pool.size() + " candidates");
        }
        return shuffled(pool).subList(0, count);
    }
}
