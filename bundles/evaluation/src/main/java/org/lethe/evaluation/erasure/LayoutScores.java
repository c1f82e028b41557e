package org.lethe.evaluation.erasure;

import java.util.List;
import java.util.Objects;

/**
 * Layout preservation (research/methods-gen.md §8, "Structure preservation", ANT's claim of Li et
 * al., ACM MM 2025): with the same seed, the object silhouette of the original generation and of the
 * erased model's generation for the erased prompt are compared by their intersection over union and
 * by the distance between their centroids in pixels.
 * <ul>
 *   <li>A silhouette is the set of pixels whose largest per-channel deviation from the background
 *       colour exceeds a threshold ({@link #silhouette}; §8: "threshold on |x − background|").</li>
 *   <li>IoU = |A ∩ B| / |A ∪ B|; two empty masks agree perfectly and score 1.</li>
 *   <li>The centroid is the mean (x = column, y = row) of the mask's pixel centres; the position
 *       error is the Euclidean distance between the two centroids, undefined (NaN) when either mask
 *       is empty.</li>
 * </ul>
 * The aggregate over pairs is the mean IoU over all pairs and the mean position error over the pairs
 * where it is defined, with the number of pairs where it is not.
 *
 * @param meanIou the mean IoU over all pairs, in [0, 1] (higher keeps the layout better)
 * @param meanPositionError the mean centroid distance in pixels over pairs with both masks non-empty
 *     (lower is better); NaN when no pair has both
 * @param pairs the number of pairs
 * @param pairsWithoutPosition the pairs where either mask is empty and the position error undefined
 */
public record LayoutScores(double meanIou, double meanPositionError, int pairs, int pairsWithoutPosition) {

    /**
     * Aggregates the layout scores of paired masks (same seed, before vs after erasure).
     *
     * @param before the original model's masks
     * @param after the erased model's masks, in the same order; as many as {@code before}
     * @return the aggregate
     * @throws IllegalArgumentException when there are no pairs, the counts differ or a pair's shapes differ
     */
    public static LayoutScores of(List<boolean[][]> before, List<boolean[][]> after) {
        Objects.requireNonNull(before, "before");
        Objects.requireNonNull(after, "after");
        if (before.isEmpty()) {
            throw new IllegalArgumentException("no mask pairs; layout scores of no pairs are undefined");
        }
        if (before.size() != after.size()) {
            throw new IllegalArgumentException("unpaired masks: " + before.size() + " before vs " + after.size()
                + " after");
        }
        double iouSum = 0;
        double errorSum = 0;
        int withPosition = 0;
        for (int i = 0; i < before.size(); i++) {
            iouSum += iou(before.get(i), after.get(i));
            double e = positionError(before.get(i), after.get(i));
            if (!Double.isNaN(e)) {
                errorSum += e;
                withPosition++;
            }
        }
        int n = before.size();
        return new LayoutScores(iouSum / n, withPosition == 0 ? Double.NaN : errorSum / withPosition, n,
            n - withPosition);
    }

    /**
     * The silhouette IoU of two masks of the same shape.
     *
     * @param a a mask, [row][column]
     * @param b a mask of the same shape
     * @return |a ∩ b| / |a ∪ b|, or 1 when both are empty
     */
    public static double iou(boolean[][] a, boolean[][] b) {
        requireSameShape(a, b);
        long intersection = 0;
        long union = 0;
        for (int y = 0; y < a.length; y++) {
            for (int x = 0; x < a[y].length; x++) {
                if (a[y][x] && b[y][x]) {
                    intersection++;
                }
                if (a[y][x] || b[y][x]) {
                    union++;
                }
            }
        }
        return union == 0 ? 1.0 : (double) intersection / union;
    }

    /**
     * The centroid of a mask's pixels.
     *
     * @param mask a mask, [row][column]
     * @return {x, y} (column, row) of the mean pixel position, or null when the mask is empty
     */
    public static double[] centroid(boolean[][] mask) {
        requireRectangular(mask, "mask");
        double sx = 0;
        double sy = 0;
        long count = 0;
        for (int y = 0; y < mask.length; y++) {
            for (int x = 0; x < mask[y].length; x++) {
                if (mask[y][x]) {
                    sx += x;
                    sy += y;
                    count++;
                }
            }
        }
        return count == 0 ? null : new double[] {sx / count, sy / count};
    }

    /**
     * The centroid position error of two masks of the same shape.
     *
     * @param a a mask, [row][column]
     * @param b a mask of the same shape
     * @return the Euclidean distance between the centroids in pixels, or NaN when either mask is empty
     */
    public static double positionError(boolean[][] a, boolean[][] b) {
        requireSameShape(a, b);
        double[] ca = centroid(a);
        double[] cb = centroid(b);
        if (ca == null || cb == null) {
            return Double.NaN;
        }
        return Math.hypot(ca[0] - cb[0], ca[1] - cb[1]);
    }

    /**
     * The threshold on the largest channel of |image − background| that the shapes world calibrated for
     * generated images (bundles/worlds README, {@code ShapesLexicon.SILHOUETTE_THRESHOLD}): the
     * background pattern stays within 0.18 (plus noise) of the background grey, an object is at least
     * 0.3 away. Repeated here because the evaluation does not depend on the world bundle.
     */
    public static final double SHAPES_SILHOUETTE_THRESHOLD = 0.24;

    /**
     * The background colour of an image whose object covers less than half of it: the per-channel
     * median of its pixels. A generated image has no ground-truth background, so the silhouette of a
     * sample is taken against this estimate. On the shapes world the object covers at most about 45 %
     * of the image (a square of half-side 0.886 × 6 px on 16×16) and the texture pattern stays below
     * the silhouette threshold, so the median lands on the background grey or inside its pattern.
     *
     * @param image the image, [channel][row][column], at least one pixel
     * @return one median per channel (for an even pixel count, the mean of the two middle values)
     */
    public static double[] medianBackground(double[][][] image) {
        Objects.requireNonNull(image, "image");
        if (image.length == 0) {
            throw new IllegalArgumentException("the image has no channels");
        }
        double[] background = new double[image.length];
        for (int c = 0; c < image.length; c++) {
            requireRectangular(image[c], "image channel " + c);
            int h = image[c].length;
            int w = h == 0 ? 0 : image[c][0].length;
            if (h * w == 0) {
                throw new IllegalArgumentException("image channel " + c + " has no pixels");
            }
            double[] values = new double[h * w];
            for (int y = 0; y < h; y++) {
                System.arraycopy(image[c][y], 0, values, y * w, w);
            }
            java.util.Arrays.sort(values);
            int n = values.length;
            background[c] = n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
        }
        return background;
    }

    /**
     * The object silhouette of an image: pixels where max over channels of |x − background| exceeds the
     * threshold.
     *
     * @param image the image, [channel][row][column]
     * @param background the background colour, one value per channel
     * @param threshold the deviation above which a pixel belongs to the object; not negative
     * @return the mask, [row][column]
     */
    public static boolean[][] silhouette(double[][][] image, double[] background, double threshold) {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(background, "background");
        if (image.length == 0 || image.length != background.length) {
            throw new IllegalArgumentException("the image has " + image.length + " channels, the background "
                + background.length + "; they must match and be at least one");
        }
        if (!(threshold >= 0)) {
            throw new IllegalArgumentException("the threshold must not be negative, got " + threshold);
        }
        requireRectangular(image[0], "image channel 0");
        int h = image[0].length;
        int w = h == 0 ? 0 : image[0][0].length;
        for (int c = 1; c < image.length; c++) {
            requireRectangular(image[c], "image channel " + c);
            if (image[c].length != h || (h > 0 && image[c][0].length != w)) {
                throw new IllegalArgumentException("image channel " + c + " differs in shape from channel 0");
            }
        }
        boolean[][] mask = new boolean[h][w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double deviation = 0;
                for (int c = 0; c < image.length; c++) {
                    deviation = Math.max(deviation, Math.abs(image[c][y][x] - background[c]));
                }
                mask[y][x] = deviation > threshold;
            }
        }
        return mask;
    }

    private static void requireSameShape(boolean[][] a, boolean[][] b) {
        requireRectangular(a, "first mask");
        requireRectangular(b, "second mask");
        int wa = a.length == 0 ? 0 : a[0].length;
        int wb = b.length == 0 ? 0 : b[0].length;
        if (a.length != b.length || wa != wb) {
            throw new IllegalArgumentException("masks differ in shape: " + a.length + "×" + wa + " vs " + b.length
                + "×" + wb);
        }
    }

    private static void requireRectangular(boolean[][] rows, String what) {
        Objects.requireNonNull(rows, what);
        int[] lengths = new int[rows.length];
        for (int y = 0; y < rows.length; y++) {
            lengths[y] = Objects.requireNonNull(rows[y], what + " row " + y).length;
        }
        requireEqual(lengths, what);
    }

    private static void requireRectangular(double[][] rows, String what) {
        Objects.requireNonNull(rows, what);
        int[] lengths = new int[rows.length];
        for (int y = 0; y < rows.length; y++) {
            lengths[y] = Objects.requireNonNull(rows[y], what + " row " + y).length;
        }
        requireEqual(lengths, what);
    }

    private static void requireEqual(int[] lengths, String what) {
        for (int y = 1; y < lengths.length; y++) {
            if (lengths[y] != lengths[0]) {
                throw new IllegalArgumentException(what + " is not rectangular: row " + y + " has " + lengths[y]
                    + " columns, row 0 has " + lengths[0]);
            }
        }
    }
}
