package org.lethe.report.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Expected values come from SciPy 1.10.1 (Debian's python3-scipy), {@code /usr/bin/python3}, with
 * {@code from scipy.stats import ks_2samp}; each case shows the line that produced them.
 */
class KolmogorovSmirnovTest {

    private static final double EXACT = 1e-9;
    private static final double ASYMPTOTIC = 1e-6;

    /** The generated samples: {@code [((i*mul) % mod)/mod*scale + shift for i in range(n)]}, same in numpy. */
    private static double[] seq(int n, long mul, long mod, double scale, double shift) {
        double[] s = new double[n];
        for (int i = 0; i < n; i++) {
            s[i] = (double) ((i * mul) % mod) / mod * scale + shift;
        }
        return s;
    }

    private static void check(double[] a, double[] b, double d, double p, KolmogorovSmirnov.Method method) {
        KolmogorovSmirnov.Result r = KolmogorovSmirnov.twoSample(a, b);
        double tolerance = method == KolmogorovSmirnov.Method.EXACT ? EXACT : ASYMPTOTIC;
        assertEquals(method, r.method());
        assertEquals(d, r.statistic(), 1e-12, "D");
        assertEquals(p, r.pValue(), tolerance * Math.max(p, Double.MIN_NORMAL), "p-value");
        // symmetric in its samples
        KolmogorovSmirnov.Result swapped = KolmogorovSmirnov.twoSample(b, a);
        assertEquals(r.statistic(), swapped.statistic(), 1e-15);
        assertEquals(r.pValue(), swapped.pValue(), tolerance * Math.max(p, Double.MIN_NORMAL));
    }

    @Test
    void equalSamplesHavePOne() {
        // ks_2samp([1,2,3,4,5],[1,2,3,4,5]) -> 0.0 1.0
        check(new double[] {1, 2, 3, 4, 5}, new double[] {1, 2, 3, 4, 5}, 0.0, 1.0, KolmogorovSmirnov.Method.EXACT);
    }

    @Test
    void disjointSamples() {
        // ks_2samp([1,2,3,4,5,6,7,8],[10,11,12,13,14,15,16]) -> 1.0 0.00031080031080031075
        check(new double[] {1, 2, 3, 4, 5, 6, 7, 8}, new double[] {10, 11, 12, 13, 14, 15, 16}, 1.0,
                0.00031080031080031075, KolmogorovSmirnov.Method.EXACT);
    }

    @Test
    void ties() {
        // ks_2samp([0.1,0.2,0.2,0.3,0.3,0.3,0.5,0.8],[0.2,0.3,0.3,0.4,0.5,0.5,0.9,0.9,1.0,1.1])
        //   -> 0.45 0.2475433063668358
        check(new double[] {0.1, 0.2, 0.2, 0.3, 0.3, 0.3, 0.5, 0.8},
                new double[] {0.2, 0.3, 0.3, 0.4, 0.5, 0.5, 0.9, 0.9, 1.0, 1.1}, 0.45, 0.2475433063668358,
                KolmogorovSmirnov.Method.EXACT);
    }

    @Test
    void equalSizes() {
        // ks_2samp([0.05*i for i in range(20)],[0.05*i+0.12 for i in range(20)]) -> 0.15 0.9831368772656193
        double[] a = new double[20];
        double[] b = new double[20];
        for (int i = 0; i < 20; i++) {
            a[i] = 0.05 * i;
            b[i] = 0.05 * i + 0.12;
        }
        check(a, b, 0.15, 0.9831368772656193, KolmogorovSmirnov.Method.EXACT);
    }

    @Test
    void unequalSizes() {
        // ks_2samp([0.31,0.74,0.12,0.95,0.44,0.58,0.27,0.83,0.66,0.09,0.51],
        //          [0.62,0.88,0.47,0.99,0.71,0.35,0.93,0.80,0.56,0.77,0.69,0.91,0.84,0.73,0.40,0.97,0.65])
        //   -> 0.40106951871657753 0.17993841906885383
        check(new double[] {0.31, 0.74, 0.12, 0.95, 0.44, 0.58, 0.27, 0.83, 0.66, 0.09, 0.51},
                new double[] {0.62, 0.88, 0.47, 0.99, 0.71, 0.35, 0.93, 0.80, 0.56, 0.77, 0.69, 0.91, 0.84, 0.73,
                    0.40, 0.97, 0.65},
                0.40106951871657753, 0.17993841906885383, KolmogorovSmirnov.Method.EXACT);
        // ks_2samp([0.5],[0.1,0.2,0.9]) -> 0.6666666666666666 1.0
        check(new double[] {0.5}, new double[] {0.1, 0.2, 0.9}, 0.6666666666666666, 1.0,
                KolmogorovSmirnov.Method.EXACT);
    }

    @Test
    void largeExact() {
        // ks_2samp(seq(3000,611,3000,1.0,0.0), seq(2000,1237,2000,1.0,0.03))
        //   -> 0.030333333333333334 0.2164243568050333
        check(seq(3000, 611, 3000, 1.0, 0.0), seq(2000, 1237, 2000, 1.0, 0.03), 0.030333333333333334,
                0.2164243568050333, KolmogorovSmirnov.Method.EXACT);
    }

    @Test
    void asymptoticLargeSamples() {
        // N = round(m n / (m + n)) = 5739, N D^2 = 2.22 (Smirnov's tail)
        // ks_2samp(seq(12000,7919,12000,1.0,0.0), seq(11000,7907,11000,1.02,0.0))
        //   -> 0.019674242424242427 0.023213141890651406
        check(seq(12000, 7919, 12000, 1.0, 0.0), seq(11000, 7907, 11000, 1.02, 0.0), 0.019674242424242427,
                0.023213141890651406, KolmogorovSmirnov.Method.ASYMPTOTIC);
        // N = 5739, N D^2 = 0.57 (Pelz-Good)
        // ks_2samp(seq(12000,7919,12000,1.0,0.0), seq(11000,7907,11000,1.01,0.0))
        //   -> 0.009969696969696962 0.6146335847807047
        check(seq(12000, 7919, 12000, 1.0, 0.0), seq(11000, 7907, 11000, 1.01, 0.0), 0.009969696969696962,
                0.6146335847807047, KolmogorovSmirnov.Method.ASYMPTOTIC);
        // N = 1667, N D^2 = 16.7: a tiny p-value
        // ks_2samp(seq(10001,3001,10001,1.0,0.0), seq(2000,77,2000,0.9,0.1))
        //   -> 0.10008999100089991 5.444891427672497e-15
        check(seq(10001, 3001, 10001, 1.0, 0.0), seq(2000, 77, 2000, 0.9, 0.1), 0.10008999100089991,
                5.444891427672497e-15, KolmogorovSmirnov.Method.ASYMPTOTIC);
    }

    @Test
    void asymptoticSmallEffectiveSize() {
        // N = 30, N D^2 = 0.68 (Durbin matrix)
        // ks_2samp(seq(10500,4099,10500,1.0,0.0), seq(30,7,30,1.0,0.15))
        //   -> 0.15009523809523806 0.46407562027970417
        check(seq(10500, 4099, 10500, 1.0, 0.0), seq(30, 7, 30, 1.0, 0.15), 0.15009523809523806,
                0.46407562027970417, KolmogorovSmirnov.Method.ASYMPTOTIC);
        // N = 30, N D^2 = 2.70 (SciPy: Pomeranz; here the Durbin matrix, also exact)
        // ks_2samp(seq(10500,4099,10500,1.0,0.0), seq(30,7,30,1.0,0.3)) -> 0.3000952380952381 0.00682749956580142
        check(seq(10500, 4099, 10500, 1.0, 0.0), seq(30, 7, 30, 1.0, 0.3), 0.3000952380952381,
                0.00682749956580142, KolmogorovSmirnov.Method.ASYMPTOTIC);
        // N = 196, N D^2 = 0.49 (Pelz-Good)
        // ks_2samp(seq(10001,3001,10001,1.0,0.0), seq(200,77,200,1.0,0.05))
        //   -> 0.050094990500949906 0.6897906669925609
        check(seq(10001, 3001, 10001, 1.0, 0.0), seq(200, 77, 200, 1.0, 0.05), 0.050094990500949906,
                0.6897906669925609, KolmogorovSmirnov.Method.ASYMPTOTIC);
    }

    @Test
    void badInput() {
        assertThrows(IllegalArgumentException.class, () -> KolmogorovSmirnov.twoSample(new double[0], new double[] {1}));
        assertThrows(IllegalArgumentException.class,
                () -> KolmogorovSmirnov.twoSample(new double[] {1, Double.NaN}, new double[] {1}));
    }

    @Test
    void summaryIgnoresMissingValues() {
        Summary s = Summary.of(Arrays.asList(1.0, Double.NaN, 2.0, null, 3.0, Double.POSITIVE_INFINITY));
        assertEquals(2.0, s.mean(), 1e-15);
        assertEquals(1.0, s.std(), 1e-15);
        assertEquals(3, s.n());
        assertEquals(3, s.skipped());
        Summary one = Summary.of(List.of(0.25));
        assertEquals(0.25, one.mean());
        assertEquals(0.0, one.std());
        Summary none = Summary.of(List.of(Double.NaN));
        assertEquals(0, none.n());
        assertEquals(Double.NaN, none.mean());
        assertEquals(Double.NaN, none.std());
    }
}
