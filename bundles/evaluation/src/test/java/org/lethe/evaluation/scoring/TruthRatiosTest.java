package org.lethe.evaluation.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Truth ratios and their two aggregates against hand-computed values. */
class TruthRatiosTest {

    @Test
    void ratioIsTheGeometricMeanOfWrongOverCorrect() {
        // P_correct = e^−1; P_wrong = geometric mean of e^−2 and e^−4 = e^−3 → TR = e^−2
        assertEquals(Math.exp(-2), TruthRatios.ratio(-1, new double[] {-2, -4}), 1e-15);
        assertEquals(1.0, TruthRatios.ratio(-0.7, new double[] {-0.7}), 1e-15);
        assertEquals(Math.exp(3), TruthRatios.ratio(-4, new double[] {-1}), 1e-12);
        // deep in the tail: no underflow to 0/0
        assertEquals(Math.exp(-10), TruthRatios.ratio(-900, new double[] {-910}), 1e-15);
    }

    @Test
    void aggregatesAsOpenUnlearning() {
        double[] ratios = {0.5, 2, 1};
        // min(TR, 1/TR): 0.5, 0.5, 1
        assertEquals(2 / 3.0, TruthRatios.closerToOne(ratios), 1e-15);
        // max(0, 1 − TR): 0.5, 0, 0
        assertEquals(1 / 6.0, TruthRatios.trueBetter(ratios), 1e-15);
        assertEquals(0.0, TruthRatios.closerToOne(new double[] {0.0, Double.POSITIVE_INFINITY}));
        assertEquals(0.9, TruthRatios.trueBetter(new double[] {0.1}), 1e-15);
    }
}
