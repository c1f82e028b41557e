package org.lethe.evaluation.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Min-K% selection against hand-computed values. */
class MinKPercentTest {

    @Test
    void keepsTheFloorOfKTimesNButAtLeastOne() {
        assertEquals(2, MinKPercent.count(5, 0.4));
        assertEquals(1, MinKPercent.count(2, 0.4), "⌊0.8⌋ = 0, kept 1");
        assertEquals(1, MinKPercent.count(1, 0.4));
        assertEquals(4, MinKPercent.count(10, 0.4));
        assertEquals(3, MinKPercent.count(9, 0.4), "⌊3.6⌋");
        assertThrows(IllegalArgumentException.class, () -> MinKPercent.count(0, 0.4));
        assertThrows(IllegalArgumentException.class, () -> MinKPercent.count(3, 0));
    }

    @Test
    void averagesTheLowestLogProbabilities() {
        // lowest two of five: −8 and −5
        assertEquals(-6.5, MinKPercent.score(new double[] {-1, -5, -2, -8, -3}, 0.4));
        assertEquals(-3.0, MinKPercent.score(new double[] {-0.5, -3}, 0.4));
        assertEquals(-0.25, MinKPercent.score(new double[] {-0.25}, MinKPercent.DEFAULT_FRACTION));
        // k = 1 is the mean of all
        assertEquals(-2.0, MinKPercent.score(new double[] {-1, -2, -3}, 1.0));
        double[] input = {-1, -5, -2};
        MinKPercent.score(input, 0.4);
        assertEquals(-5, input[1], "the input is not reordered");
    }
}
