package org.lethe.evaluation.erasure;

import java.util.Objects;

/**
 * The eigen-decomposition A = V Λ Vᵀ of a real symmetric matrix by cyclic Jacobi rotations, in
 * doubles. Each rotation zeroes one off-diagonal element; sweeps repeat until the off-diagonal mass is
 * negligible against the matrix's norm. Jacobi is slow for large matrices (O(n³) per sweep) but
 * accurate, including for tiny eigenvalues, which suits the small (e.g. 64×64) covariances of the
 * erasure metrics.
 *
 * @param values the eigenvalues Λ, in ascending order
 * @param vectors the orthonormal eigenvectors as columns of V, {@code vectors[i][k]} the i-th
 *     component of the k-th vector, ordered like {@code values}
 */
public record SymmetricEigen(double[] values, double[][] vectors) {

    private static final int MAX_SWEEPS = 100;

    /**
     * Decomposes a symmetric matrix.
     *
     * @param a a square, symmetric (to a relative 1e-9), finite matrix; not modified
     * @return its eigenvalues and eigenvectors
     * @throws IllegalArgumentException when the matrix is not square, symmetric or finite
     * @throws ArithmeticException when the iteration does not converge
     */
    public static SymmetricEigen of(double[][] a) {
        int n = requireSymmetric(a);
        double[][] m = new double[n][];
        for (int i = 0; i < n; i++) {
            m[i] = a[i].clone();
        }
        double[][] v = new double[n][n];
        for (int i = 0; i < n; i++) {
            v[i][i] = 1;
        }
        double norm = frobenius(m);
        boolean converged = n <= 1 || norm == 0;
        for (int sweep = 0; sweep < MAX_SWEEPS && !converged; sweep++) {
            double off = 0;
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    off += m[p][q] * m[p][q];
                }
            }
            if (Math.sqrt(2 * off) <= 1e-15 * norm) {
                converged = true;
                break;
            }
            for (int p = 0; p < n - 1; p++) {
                for (int q = p + 1; q < n; q++) {
                    rotate(m, v, p, q);
                }
            }
        }
        if (!converged) {
            throw new ArithmeticException("Jacobi eigen-decomposition did not converge in " + MAX_SWEEPS + " sweeps");
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (i, j) -> Double.compare(m[i][i], m[j][j]));
        double[] values = new double[n];
        double[][] vectors = new double[n][n];
        for (int k = 0; k < n; k++) {
            values[k] = m[order[k]][order[k]];
            for (int i = 0; i < n; i++) {
                vectors[i][k] = v[i][order[k]];
            }
        }
        return new SymmetricEigen(values, vectors);
    }

    /**
     * The matrix V f(Λ) Vᵀ for a function applied to the eigenvalues.
     *
     * @param f the function of an eigenvalue
     * @return the symmetric matrix function
     */
    public double[][] apply(java.util.function.DoubleUnaryOperator f) {
        int n = values.length;
        double[] fv = new double[n];
        for (int k = 0; k < n; k++) {
            fv[k] = f.applyAsDouble(values[k]);
        }
        double[][] r = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                double s = 0;
                for (int k = 0; k < n; k++) {
                    s += vectors[i][k] * fv[k] * vectors[j][k];
                }
                r[i][j] = s;
                r[j][i] = s;
            }
        }
        return r;
    }

    /** One Jacobi rotation in the (p, q) plane that zeroes m[p][q]; accumulates it into v. */
    private static void rotate(double[][] m, double[][] v, int p, int q) {
        double apq = m[p][q];
        if (apq == 0) {
            return;
        }
        double app = m[p][p];
        double aqq = m[q][q];
        // tan of the rotation angle, the smaller root of t² + 2θt − 1 = 0 with θ = (aqq − app) / (2 apq)
        double theta = (aqq - app) / (2 * apq);
        double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        if (theta == 0) {
            t = 1;
        }
        double c = 1 / Math.sqrt(t * t + 1);
        double s = t * c;
        int n = m.length;
        for (int k = 0; k < n; k++) {
            double mkp = m[k][p];
            double mkq = m[k][q];
            m[k][p] = c * mkp - s * mkq;
            m[k][q] = s * mkp + c * mkq;
        }
        for (int k = 0; k < n; k++) {
            double mpk = m[p][k];
            double mqk = m[q][k];
            m[p][k] = c * mpk - s * mqk;
            m[q][k] = s * mpk + c * mqk;
        }
        m[p][q] = 0;
        m[q][p] = 0;
        for (int k = 0; k < n; k++) {
            double vkp = v[k][p];
            double vkq = v[k][q];
            v[k][p] = c * vkp - s * vkq;
            v[k][q] = s * vkp + c * vkq;
        }
    }

    private static int requireSymmetric(double[][] a) {
        Objects.requireNonNull(a, "matrix");
        int n = a.length;
        for (int i = 0; i < n; i++) {
            Objects.requireNonNull(a[i], "matrix row " + i);
            if (a[i].length != n) {
                throw new IllegalArgumentException("the matrix is not square: row " + i + " has " + a[i].length
                    + " columns, expected " + n);
            }
            for (double x : a[i]) {
                if (!Double.isFinite(x)) {
                    throw new IllegalArgumentException("the matrix has a non-finite entry in row " + i);
                }
            }
        }
        double norm = frobenius(a);
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                if (Math.abs(a[i][j] - a[j][i]) > 1e-9 * Math.max(norm, Double.MIN_NORMAL)) {
                    throw new IllegalArgumentException("the matrix is not symmetric at (" + i + ", " + j + ")");
                }
            }
        }
        return n;
    }

    private static double frobenius(double[][] a) {
        double s = 0;
        for (double[] row : a) {
            for (double x : row) {
                s += x * x;
            }
        }
        return Math.sqrt(s);
    }
}
