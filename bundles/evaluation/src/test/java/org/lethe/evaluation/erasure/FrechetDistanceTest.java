package org.lethe.evaluation.erasure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class FrechetDistanceTest {

    /** n × d features with correlated, per-dimension-scaled columns and a mean shift. */
    private static double[][] features(Random rnd, int n, int d, double shift) {
        double[][] mix = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                mix[i][j] = rnd.nextGaussian() * 0.3 + (i == j ? 1 + 0.05 * i : 0);
            }
        }
        double[][] f = new double[n][d];
        for (int r = 0; r < n; r++) {
            double[] z = new double[d];
            for (int i = 0; i < d; i++) {
                z[i] = rnd.nextGaussian();
            }
            for (int i = 0; i < d; i++) {
                double s = shift * (i % 3);
                for (int j = 0; j < d; j++) {
                    s += mix[i][j] * z[j];
                }
                f[r][i] = s;
            }
        }
        return f;
    }

    @Test
    void identicalSetsAreAtDistanceZero() {
        double[][] f = features(new Random(1), 100, 8, 0.5);
        assertEquals(0, FrechetDistance.of(f, f), 1e-10);
    }

    @Test
    void equalCovariancesGiveTheSquaredMeanDifference() {
        double[][] f = features(new Random(2), 50, 6, 0);
        double[][] g = new double[f.length][];
        double[] delta = {1, -2, 0.5, 0, 3, -1};
        double expected = 0;
        for (double x : delta) {
            expected += x * x;
        }
        for (int r = 0; r < f.length; r++) {
            g[r] = f[r].clone();
            for (int i = 0; i < delta.length; i++) {
                g[r][i] += delta[i];
            }
        }
        assertEquals(expected, FrechetDistance.of(f, g), 1e-9 * expected);
    }

    @Test
    void diagonalCovariancesMatchTheClosedForm() {
        double[] mu1 = {0, 1, 2, -1};
        double[] mu2 = {0.5, 1, 0, 2};
        double[] var1 = {1, 4, 0.25, 9};
        double[] var2 = {4, 1, 0.25, 0.01};
        double expected = 0;
        for (int i = 0; i < 4; i++) {
            double diff = mu1[i] - mu2[i];
            expected += diff * diff + var1[i] + var2[i] - 2 * Math.sqrt(var1[i] * var2[i]);
        }
        // by hand: (0.25 + 1) + (0 + 1) + (4 + 0) + (9 + 8.41) = 23.66
        assertEquals(23.66, expected, 1e-12);
        double d = FrechetDistance.between(new GaussianFit(mu1, diag(var1)), new GaussianFit(mu2, diag(var2)));
        assertEquals(expected, d, 1e-12);
    }

    @Test
    void isSymmetric() {
        Random rnd = new Random(3);
        double[][] a = features(rnd, 80, 10, 0);
        double[][] b = features(rnd, 120, 10, 0.7);
        double ab = FrechetDistance.of(a, b);
        double ba = FrechetDistance.of(b, a);
        assertTrue(ab > 0);
        assertEquals(ab, ba, 1e-10 * ab);
    }

    @Test
    void sixtyFourDimensionsMatchASlowReference() {
        Random rnd = new Random(4);
        int d = 64;
        GaussianFit a = GaussianFit.of(features(rnd, 300, d, 0));
        GaussianFit b = GaussianFit.of(features(rnd, 250, d, 0.4));
        double fast = FrechetDistance.between(a, b);
        double reference = referenceDistance(a, b);
        assertTrue(reference > 0);
        assertEquals(reference, fast, 1e-6 * reference);
    }

    @Test
    void singularCovariancesStayFiniteAndRidgeIsApplied() {
        Random rnd = new Random(5);
        // 5 samples in 16 dimensions: rank-4 covariances
        double[][] a = features(rnd, 5, 16, 0);
        double[][] b = features(rnd, 5, 16, 1);
        double d = FrechetDistance.of(a, b);
        assertTrue(Double.isFinite(d) && d > 0, "distance " + d);
        assertEquals(0, FrechetDistance.of(a, a), 1e-9);
        // a constant feature: zero variance in one dimension
        double[][] c = {{1, 0}, {1, 2}, {1, 4}};
        double[][] e = {{3, 0}, {3, 2}, {3, 4}};
        assertEquals(4, FrechetDistance.of(c, e), 1e-12);
        // a ridge on both sides leaves equal-covariance distances unchanged and diagonal ones per the formula
        GaussianFit p = new GaussianFit(new double[] {0}, new double[][] {{0}});
        GaussianFit q = new GaussianFit(new double[] {0}, new double[][] {{3}});
        double eps = 1;
        assertEquals(3, FrechetDistance.between(p, q), 1e-12);
        assertEquals(eps + 3 + eps - 2 * Math.sqrt(eps * (3 + eps)), FrechetDistance.between(p, q, eps), 1e-12);
    }

    @Test
    void badInputIsRefused() {
        double[][] one = {{1, 2}};
        double[][] two = {{1, 2}, {3, 4}};
        double[][] twoWide = {{1, 2, 3}, {3, 4, 5}};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FrechetDistance.of(one, two));
        assertTrue(e.getMessage().contains("at least two"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> FrechetDistance.of(two, twoWide));
        assertThrows(IllegalArgumentException.class, () -> FrechetDistance.of(new double[][] {{1, 2}, {3}}, two));
        assertThrows(IllegalArgumentException.class,
            () -> FrechetDistance.of(new double[][] {{1, Double.NaN}, {3, 4}}, two));
        assertThrows(IllegalArgumentException.class,
            () -> FrechetDistance.between(GaussianFit.of(two), GaussianFit.of(two), -1));
    }

    @Test
    void jacobiReconstructsTheMatrix() {
        Random rnd = new Random(6);
        int n = 12;
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                a[i][j] = rnd.nextGaussian();
                a[j][i] = a[i][j];
            }
        }
        SymmetricEigen eig = SymmetricEigen.of(a);
        double[][] back = eig.apply(x -> x);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                assertEquals(a[i][j], back[i][j], 1e-12);
                double dot = 0;
                for (int k = 0; k < n; k++) {
                    dot += eig.vectors()[k][i] * eig.vectors()[k][j];
                }
                assertEquals(i == j ? 1 : 0, dot, 1e-12);
            }
        }
        for (int k = 1; k < n; k++) {
            assertTrue(eig.values()[k - 1] <= eig.values()[k]);
        }
        assertThrows(IllegalArgumentException.class, () -> SymmetricEigen.of(new double[][] {{1, 2}, {0, 1}}));
    }

    private static double[][] diag(double[] v) {
        double[][] m = new double[v.length][v.length];
        for (int i = 0; i < v.length; i++) {
            m[i][i] = v[i];
        }
        return m;
    }

    // ---- slow reference: Denman–Beavers square root of the non-symmetric Σ1Σ2, Gauss–Jordan inverses ----

    private static double referenceDistance(GaussianFit a, GaussianFit b) {
        int d = a.dimension();
        double result = 0;
        for (int i = 0; i < d; i++) {
            double diff = a.mean()[i] - b.mean()[i];
            result += diff * diff + a.covariance()[i][i] + b.covariance()[i][i];
        }
        double[][] y = multiply(a.covariance(), b.covariance());
        double[][] z = identity(d);
        for (int iter = 0; iter < 100; iter++) {
            double[][] yInv = inverse(y);
            double[][] zInv = inverse(z);
            double[][] yNext = new double[d][d];
            double[][] zNext = new double[d][d];
            double change = 0;
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    yNext[i][j] = (y[i][j] + zInv[i][j]) / 2;
                    zNext[i][j] = (z[i][j] + yInv[i][j]) / 2;
                    change = Math.max(change, Math.abs(yNext[i][j] - y[i][j]));
                }
            }
            y = yNext;
            z = zNext;
            if (change < 1e-14) {
                break;
            }
        }
        double trace = 0;
        for (int i = 0; i < d; i++) {
            trace += y[i][i];
        }
        return result - 2 * trace;
    }

    private static double[][] identity(int n) {
        double[][] m = new double[n][n];
        for (int i = 0; i < n; i++) {
            m[i][i] = 1;
        }
        return m;
    }

    private static double[][] multiply(double[][] x, double[][] y) {
        int n = x.length;
        double[][] r = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < n; k++) {
                for (int j = 0; j < n; j++) {
                    r[i][j] += x[i][k] * y[k][j];
                }
            }
        }
        return r;
    }

    private static double[][] inverse(double[][] m) {
        int n = m.length;
        double[][] a = new double[n][2 * n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(m[i], 0, a[i], 0, n);
            a[i][n + i] = 1;
        }
        for (int col = 0; col < n; col++) {
            int pivot = col;
            for (int r = col + 1; r < n; r++) {
                if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) {
                    pivot = r;
                }
            }
            double[] tmp = a[col];
            a[col] = a[pivot];
            a[pivot] = tmp;
            double p = a[col][col];
            for (int j = 0; j < 2 * n; j++) {
                a[col][j] /= p;
            }
            for (int r = 0; r < n; r++) {
                if (r != col && a[r][col] != 0) {
                    double f = a[r][col];
                    for (int j = 0; j < 2 * n; j++) {
                        a[r][j] -= f * a[col][j];
                    }
                }
            }
        }
        double[][] inv = new double[n][n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(a[i], n, inv[i], 0, n);
        }
        return inv;
    }
}
