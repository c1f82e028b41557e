package org.lethe.evaluation.erasure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class LayoutScoresTest {

    /** A mask from rows of '#' (in) and '.' (out). */
    private static boolean[][] mask(String... rows) {
        boolean[][] m = new boolean[rows.length][];
        for (int y = 0; y < rows.length; y++) {
            m[y] = new boolean[rows[y].length()];
            for (int x = 0; x < rows[y].length(); x++) {
                m[y][x] = rows[y].charAt(x) == '#';
            }
        }
        return m;
    }

    private static final boolean[][] A = mask(
        "##..",
        "##..",
        "....",
        "....");
    private static final boolean[][] B = mask(
        ".##.",
        ".##.",
        "....",
        "....");
    private static final boolean[][] EMPTY = mask("....", "....", "....", "....");

    @Test
    void iouOfSmallMasks() {
        assertEquals(1, LayoutScores.iou(A, A));
        assertEquals(2.0 / 6.0, LayoutScores.iou(A, B), 1e-15); // 2 shared, 6 in union
        assertEquals(0, LayoutScores.iou(A, mask("....", "....", "..##", "..##")));
        assertEquals(1, LayoutScores.iou(EMPTY, EMPTY));
        assertEquals(0, LayoutScores.iou(A, EMPTY));
    }

    @Test
    void centroidAndPositionError() {
        assertArrayEquals(new double[] {0.5, 0.5}, LayoutScores.centroid(A), 1e-15);
        assertArrayEquals(new double[] {1.5, 0.5}, LayoutScores.centroid(B), 1e-15);
        assertNull(LayoutScores.centroid(EMPTY));
        assertEquals(1.0, LayoutScores.positionError(A, B), 1e-15);
        boolean[][] c = mask("....", "....", "....", "...#");
        assertEquals(Math.hypot(2.5, 2.5), LayoutScores.positionError(A, c), 1e-15);
        assertTrue(Double.isNaN(LayoutScores.positionError(A, EMPTY)));
        assertEquals(0, LayoutScores.positionError(A, A));
    }

    @Test
    void aggregates() {
        LayoutScores s = LayoutScores.of(List.of(A, A, A), List.of(A, B, EMPTY));
        assertEquals((1 + 2.0 / 6.0 + 0) / 3, s.meanIou(), 1e-15);
        assertEquals(0.5, s.meanPositionError(), 1e-15); // (0 + 1) / 2, the empty pair left out
        assertEquals(3, s.pairs());
        assertEquals(1, s.pairsWithoutPosition());
        LayoutScores none = LayoutScores.of(List.<boolean[][]>of(EMPTY), List.<boolean[][]>of(A));
        assertTrue(Double.isNaN(none.meanPositionError()));
        assertEquals(1, none.pairsWithoutPosition());
    }

    @Test
    void silhouetteThresholdsTheLargestChannelDeviation() {
        double[][][] image = {
            {{0.0, 0.5}, {0.0, 0.0}},
            {{0.0, 0.0}, {0.05, 0.0}},
            {{0.0, 0.0}, {0.0, -0.3}}};
        boolean[][] m = LayoutScores.silhouette(image, new double[] {0, 0, 0}, 0.1);
        assertArrayEquals(new boolean[] {false, true}, m[0]);
        assertArrayEquals(new boolean[] {false, true}, m[1]);
        boolean[][] grey = LayoutScores.silhouette(image, new double[] {0.5, 0, 0}, 0.1);
        assertArrayEquals(new boolean[] {true, false}, grey[0]);
    }

    @Test
    void badInputIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> LayoutScores.of(List.of(), List.of()));
        assertThrows(IllegalArgumentException.class, () -> LayoutScores.of(List.<boolean[][]>of(A), List.of(A, B)));
        assertThrows(IllegalArgumentException.class, () -> LayoutScores.iou(A, mask("...", "...")));
        assertThrows(IllegalArgumentException.class, () -> LayoutScores.iou(mask("#", "##"), mask("#", "##")));
        assertThrows(IllegalArgumentException.class,
            () -> LayoutScores.silhouette(new double[][][] {{{0}}}, new double[] {0, 0}, 0.1));
        assertThrows(IllegalArgumentException.class,
            () -> LayoutScores.silhouette(new double[][][] {{{0}}}, new double[] {0}, -1));
    }

    @Test
    void theMedianBackgroundIgnoresAnObjectSmallerThanHalfTheImage() {
        // 4×4, channel 0: background 0.3 with stripes +0.15 on half the pixels, a bright object on 5 pixels
        double[][] c0 = {
            {0.30, 0.45, 0.30, 0.45},
            {0.90, 0.90, 0.45, 0.30},
            {0.90, 0.90, 0.90, 0.45},
            {0.30, 0.45, 0.30, 0.45}};
        double[][] c1 = {
            {0.2, 0.2, 0.2, 0.2},
            {0.2, 0.2, 0.2, 0.2},
            {0.2, 0.2, 0.2, 0.2},
            {0.2, 0.2, 0.2, 0.8}};
        double[] background = LayoutScores.medianBackground(new double[][][] {c0, c1});
        // channel 0 sorted: 0.30×5, 0.45×6, 0.90×5 → the middle two are 0.45 and 0.45
        assertArrayEquals(new double[] {0.45, 0.2}, background, 1e-12);
        boolean[][] mask = LayoutScores.silhouette(new double[][][] {c0, c1}, background,
            LayoutScores.SHAPES_SILHOUETTE_THRESHOLD);
        assertEquals(6, count(mask), "the five bright pixels and the one off in channel 1; no stripe");
        assertEquals(0.3, LayoutScores.medianBackground(new double[][][] {{{0.3, 0.9, 0.3}}})[0], 1e-12);
        assertThrows(IllegalArgumentException.class, () -> LayoutScores.medianBackground(new double[][][] {}));
        assertThrows(IllegalArgumentException.class, () -> LayoutScores.medianBackground(new double[][][] {{}}));
    }

    private static int count(boolean[][] mask) {
        int n = 0;
        for (boolean[] row : mask) {
            for (boolean b : row) {
                n += b ? 1 : 0;
            }
        }
        return n;
    }
}
