package org.lethe.method.sauce;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.lethe.api.LetheException;

/** Feature scoring on constructed codes. */
class FeatureScoresTest {

    static final int D = 10;

    /** An input with the given per-position codes (positions × D). */
    static FeatureScores.Summary input(float[]... positions) {
        float[] sum = new float[D];
        float[] max = new float[D];
        for (float[] p : positions) {
            for (int j = 0; j < D; j++) {
                sum[j] += p[j];
                max[j] = Math.max(max[j], p[j]);
            }
        }
        return new FeatureScores.Summary(sum, max, positions.length);
    }

    static float[] code(int... pairs) {
        float[] z = new float[D];
        for (int i = 0; i < pairs.length; i += 2) {
            z[pairs[i]] = pairs[i + 1];
        }
        return z;
    }

    // concept inputs: feature 0 fires strongly (concept), 1 moderately (concept), 5 very strongly everywhere (generic)
    static final List<FeatureScores.Summary> CONCEPT = List.of(
            input(code(0, 4, 1, 2, 5, 9), code(5, 9)),
            input(code(0, 6, 1, 2, 5, 9), code(5, 9, 7, 1)));
    static final List<FeatureScores.Summary> OTHERS = List.of(
            input(code(5, 9, 3, 2), code(5, 9)),
            input(code(5, 9, 3, 4), code(5, 9, 7, 1)));

    @Test
    void meanActivationTakesTheHighestMeansOnTheConcept() {
        // means over 4 positions: f5 9, f0 2.5, f1 1, f7 0.25
        assertArrayEquals(new int[] {0, 5}, FeatureScores.meanActivation(CONCEPT, 2));
        assertArrayEquals(new int[] {0, 1, 5, 7}, FeatureScores.meanActivation(CONCEPT, 10)); // only active features
    }

    @Test
    void contrastiveDropsFeaturesCommonToBoth() {
        // f5 fires as much on the others: p_x − p_o ≤ 0, so it is never picked; f0 then f1
        assertArrayEquals(new int[] {0, 1}, FeatureScores.contrastive(CONCEPT, OTHERS, 2));
        assertArrayEquals(new int[] {0}, FeatureScores.contrastive(CONCEPT, OTHERS, 1));
        int[] all = FeatureScores.contrastive(CONCEPT, OTHERS, 10);
        for (int j : all) {
            assertTrue(j != 5 && j != 3 && j != 7, "picked " + j);
        }
    }

    @Test
    void rankGivesTheSelectionBestFirstSoItsPrefixesAreSmallerSelections() {
        // means over 4 positions: f5 9, f0 2.5, f1 1, f7 0.25
        assertArrayEquals(new int[] {5, 0, 1, 7}, FeatureScores.rank(FeatureScores.Method.MEAN_ACTIVATION, CONCEPT,
                OTHERS, 10, 2, new Random(1)));
        int[] ranked = FeatureScores.rank(FeatureScores.Method.CONTRASTIVE, CONCEPT, OTHERS, 10, 2, new Random(1));
        for (int k = 1; k <= ranked.length; k++) {
            assertArrayEquals(FeatureScores.contrastive(CONCEPT, OTHERS, k),
                    java.util.Arrays.stream(ranked, 0, k).sorted().toArray(), "k " + k);
        }
    }

    @Test
    void setDifferenceRemovesTheOthersTopFeatures() {
        // top-2 by max per concept input: {5, 0} and {5, 0}; others' top-2: {5, 3}, {5, 3} → {0}
        assertArrayEquals(new int[] {0}, FeatureScores.setDifference(CONCEPT, OTHERS, 2, 10));
        // top-3: concept {5,0,1}; others {5,3,(7 or none)} → {0, 1}; capped at 1 by mean activation → {0}
        assertArrayEquals(new int[] {0, 1}, FeatureScores.setDifference(CONCEPT, OTHERS, 3, 10));
        assertArrayEquals(new int[] {0}, FeatureScores.setDifference(CONCEPT, OTHERS, 3, 1));
    }

    @Test
    void randomDrawsActiveFeaturesDeterministically() {
        int[] a = FeatureScores.random(CONCEPT, 2, new Random(5));
        int[] b = FeatureScores.random(CONCEPT, 2, new Random(5));
        assertArrayEquals(a, b);
        assertEquals(2, a.length);
        for (int j : a) {
            assertTrue(j == 0 || j == 1 || j == 5 || j == 7, "inactive feature " + j);
        }
    }

    @Test
    void comparisonsNeedInputsWithoutTheConcept() {
        LetheException e = assertThrows(LetheException.class, () -> FeatureScores.select(FeatureScores.Method.CONTRASTIVE,
                CONCEPT, new ArrayList<>(), 2, 2, new Random(1)));
        assertTrue(e.getMessage().contains("contrastive"), e.getMessage());
        LetheException unknown = assertThrows(LetheException.class, () -> FeatureScores.Method.of("loudest", "setting 'scoring'"));
        assertTrue(unknown.getMessage().contains("mean-activation, contrastive, set-difference, random"), unknown.getMessage());
    }
}
