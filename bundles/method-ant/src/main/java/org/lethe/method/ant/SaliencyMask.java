package org.lethe.method.ant;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The masks of ANT's augmentation-enhanced weight saliency (methods-gen.md §2.2): per map and per
 * tensor, the elements with the largest accumulated |G| are kept (a fraction of each tensor), and
 * the final mask is the elementwise AND of all maps. {@code keepSmallest} reproduces the released
 * {@code generate_mask.py}, which ranks ascending and so keeps the smallest (a bug the paper's text
 * contradicts; for code-parity experiments only).
 */
final class SaliencyMask {

    private SaliencyMask() {
    }

    /**
     * @param magnitude |G| of one tensor, flattened
     * @param fraction the kept share, in (0, 1]
     * @param keepSmallest keep the smallest instead of the largest
     * @return 1 for the ceil(fraction·n) kept elements (ties broken by position, first wins), else 0
     */
    static float[] keep(float[] magnitude, double fraction, boolean keepSmallest) {
        int n = magnitude.length;
        // generate_mask.py keeps rank < threshold·n, i.e. ceil(threshold·n) elements
        int kept = (int) Math.min(n, Math.ceil(fraction * n - 1e-9));
        float[] mask = new float[n];
        if (kept == 0) {
            return mask;
        }
        float[] sorted = magnitude.clone();
        Arrays.sort(sorted);
        float threshold = keepSmallest ? sorted[kept - 1] : sorted[n - kept];
        int strict = 0;
        for (float v : magnitude) {
            if (keepSmallest ? v < threshold : v > threshold) {
                strict++;
            }
        }
        int ties = kept - strict;
        for (int i = 0; i < n; i++) {
            float v = magnitude[i];
            if (keepSmallest ? v < threshold : v > threshold) {
                mask[i] = 1f;
            } else if (v == threshold && ties > 0) {
                mask[i] = 1f;
                ties--;
            }
        }
        return mask;
    }

    /**
     * @param accumulated signed G of each tensor, by name
     * @param fraction the kept share of each tensor
     * @param keepSmallest keep the smallest |G| instead of the largest
     * @return the map M_i: per tensor, {@link #keep} of |G|
     */
    static Map<String, float[]> map(Map<String, float[]> accumulated, double fraction, boolean keepSmallest) {
        Map<String, float[]> out = new LinkedHashMap<>();
        accumulated.forEach((name, g) -> {
            float[] magnitude = new float[g.length];
            for (int i = 0; i < g.length; i++) {
                magnitude[i] = Math.abs(g[i]);
            }
            out.put(name, keep(magnitude, fraction, keepSmallest));
        });
        return out;
    }

    /**
     * M ← M AND M_i, in place.
     *
     * @param into the running intersection
     * @param map one more map, same names and sizes
     */
    static void intersect(Map<String, float[]> into, Map<String, float[]> map) {
        into.forEach((name, mask) -> {
            float[] other = map.get(name);
            for (int i = 0; i < mask.length; i++) {
                mask[i] = mask[i] * other[i];
            }
        });
    }

    /**
     * @param masks masks by name
     * @return the share of elements kept over all tensors
     */
    static double density(Map<String, float[]> masks) {
        long kept = 0;
        long all = 0;
        for (float[] mask : masks.values()) {
            for (float v : mask) {
                kept += v != 0 ? 1 : 0;
            }
            all += mask.length;
        }
        return all == 0 ? 0 : (double) kept / all;
    }
}
