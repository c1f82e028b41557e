package org.lethe.evaluation.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Means and the Mann–Whitney AUC against hand-computed values. */
class StatisticsTest {

    @Test
    void harmonicMeanByHandAndZeroWhenAnyValueIsZero() {
        // 3 / (1 + 2 + 4)
        assertEquals(3 / 7.0, Statistics.harmonicMean(1, 0.5, 0.25), 1e-15);
        assertEquals(0.5, Statistics.harmonicMean(0.5), 1e-15);
        assertEquals(0.0, Statistics.harmonicMean(0.9, 0.0, 0.8, 1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> Statistics.harmonicMean(0.5, -0.1));
        assertThrows(IllegalArgumentException.class, () -> Statistics.harmonicMean(Double.NaN));
        assertThrows(IllegalArgumentException.class, Statistics::harmonicMean);
    }

    @Test
    void meanByHand() {
        assertEquals(2.0, Statistics.mean(1, 2, 3));
        assertThrows(IllegalArgumentException.class, Statistics::mean);
    }

    @Test
    void aucCountsTiesAsOneHalf() {
        // pairs (member, non-member): (3,2) 1, (3,0) 1, (2,2) ½, (2,0) 1, (1,2) 0, (1,0) 1 → 4.5 / 6
        assertEquals(0.75, Statistics.auc(new double[] {3, 2, 1}, new double[] {2, 0}), 1e-15);
        assertEquals(1.0, Statistics.auc(new double[] {5, 6}, new double[] {1, 2, 3}));
        assertEquals(0.0, Statistics.auc(new double[] {1}, new double[] {2, 3}));
        assertEquals(0.5, Statistics.auc(new double[] {1, 1, 1}, new double[] {1, 1}));
        // members {1, 2, 2}, non-members {2, 2}: (1,·) 0 + 0, (2,·) ½ ·4 → 2 / 6
        assertEquals(1 / 3.0, Statistics.auc(new double[] {1, 2, 2}, new double[] {2, 2}), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> Statistics.auc(new double[0], new double[] {1}));
        assertThrows(IllegalArgumentException.class, () -> Statistics.auc(new double[] {Double.NaN}, new double[] {1}));
    }

    @Test
    void aucFromRanksEqualsPairCounting() {
        Random random = new Random(3);
        for (int trial = 0; trial < 50; trial++) {
            double[] members = new double[1 + random.nextInt(30)];
            double[] nonMembers = new double[1 + random.nextInt(30)];
            // few distinct values, so that ties are common
            for (int i = 0; i < members.length; i++) {
                members[i] = random.nextInt(6);
            }
            for (int i = 0; i < nonMembers.length; i++) {
                nonMembers[i] = random.nextInt(5) - 0.5 * random.nextInt(2);
            }
            double wins = 0;
            for (double m : members) {
                for (double n : nonMembers) {
                    wins += m > n ? 1 : m == n ? 0.5 : 0;
                }
            }
            assertEquals(wins / (members.length * (double) nonMembers.length), Statistics.auc(members, nonMembers), 1e-12);
        }
    }
}
