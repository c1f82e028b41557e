package org.lethe.method.realera;

import java.util.Locale;

/**
 * The UCE-form closed-form edit of a cross-attention projection (methods-gen.md §3.3; Gandikota et
 * al., Unified Concept Editing, {@code trainscripts/uce_sd_erase.py}), in float64:
 *
 * <pre>
 * min_W  Σ_{x∈E} ‖W x − W0 a_x‖² + α Σ_{b∈B} w_b ‖W b − W0 b‖² + λ ‖W − W0‖²_F
 * ⇒ W* = W0 · (Σ_x a_x xᵀ + α Σ_b w_b b bᵀ + λ I) · (Σ_x x xᵀ + α Σ_b w_b b bᵀ + λ I)⁻¹ = W0 · M
 * </pre>
 *
 * Every term carries W0 on the left, so one d × d map M serves every projection whose input is
 * the text width. The right factor A is symmetric; it is positive definite when λ &gt; 0, but with
 * λ near 0 and few samples it is singular or ill-conditioned: then λ is raised until A's condition
 * number is at most {@code maxCondition}, and the solution says so.
 */
final class ClosedForm {

    /** Jacobi sweeps of the eigenvalue computation (converges in far fewer at d = 64). */
    private static final int SWEEPS = 100;

    private final int width;
    private final double[][] eraseCross;
    private final double[][] eraseGram;
    private final double[][] preserveGram;
    private int erased;
    private int preserved;

    /**
     * @param width d, the width of the text embedding (the projections' input)
     */
    ClosedForm(int width) {
        this.width = width;
        eraseCross = new double[width][width];
        eraseGram = new double[width][width];
        preserveGram = new double[width][width];
    }

    /**
     * Adds an erase pair: x should now be projected as the anchor a was.
     *
     * @param x a token of E
     * @param anchor its anchor token a_x
     */
    void erase(double[] x, double[] anchor) {
        for (int i = 0; i < width; i++) {
            for (int j = 0; j < width; j++) {
                eraseCross[i][j] += anchor[i] * x[j];
                eraseGram[i][j] += x[i] * x[j];
            }
        }
        erased++;
    }

    /**
     * Adds a preserve token: b should be projected as before.
     *
     * @param b a token of B
     * @param weight its weight w_b (before α)
     */
    void preserve(double[] b, double weight) {
        for (int i = 0; i < width; i++) {
            for (int j = 0; j < width; j++) {
                preserveGram[i][j] += weight * b[i] * b[j];
            }
        }
        preserved++;
    }

    /** @return the erase tokens added */
    int erased() {
        return erased;
    }

    /** @return the preserve tokens added */
    int preserved() {
        return preserved;
    }

    /**
     * The solution of the normal equations.
     *
     * @param map M (d × d): W* = W0 · M
     * @param requestedLambda λ as set
     * @param lambda λ as used (raised when the system was singular or ill-conditioned)
     * @param conditionBefore A's condition number at the requested λ (infinite when singular)
     * @param conditionAfter A's condition number at the λ used
     */
    record Solution(double[][] map, double requestedLambda, double lambda, double conditionBefore,
            double conditionAfter) {

        /** @return whether λ was raised */
        boolean regularised() {
            return lambda != requestedLambda;
        }

        /** @return what was done, in words (the run log's line) */
        String describe() {
            if (!regularised()) {
                return String.format(Locale.ROOT, "condition number %.3g at λ %s", conditionBefore, requestedLambda);
            }
            return String.format(Locale.ROOT, "the system Σxxᵀ + αΣbbᵀ + λI is %s at λ %s (condition number %.3g);"
                    + " regularised: λ raised to %.6g (condition number %.3g)",
                    Double.isInfinite(conditionBefore) ? "singular" : "ill-conditioned", requestedLambda,
                    conditionBefore, lambda, conditionAfter);
        }
    }

    /**
     * Solves for M.
     *
     * @param alpha α, the weight of the preserve set
     * @param lambda λ, the weight of staying at W0
     * @param maxCondition the largest condition number of A accepted before λ is raised
     * @return the solution
     */
    Solution solve(double alpha, double lambda, double maxCondition) {
        double[][] base = new double[width][width];
        for (int i = 0; i < width; i++) {
            for (int j = 0; j < width; j++) {
                base[i][j] = eraseGram[i][j] + alpha * preserveGram[i][j];
            }
        }
        double[] eigen = eigenvalues(base);
        double smallest = Double.POSITIVE_INFINITY;
        double largest = Double.NEGATIVE_INFINITY;
        for (double e : eigen) {
            smallest = Math.min(smallest, e);
            largest = Math.max(largest, e);
        }
        double before = condition(smallest + lambda, largest + lambda);
        double used = lambda;
        if (!(before <= maxCondition)) {
            // the shift δ with (largest + δ) / (smallest + δ) = maxCondition, a little more for rounding,
            // and at least a relative floor so that an all-zero system becomes λ·I
            double shift = (largest - maxCondition * smallest) / (maxCondition - 1);
            double floor = Math.max(Math.abs(largest), 1) * 1e-12;
            used = Math.max(shift * (1 + 1e-6), floor);
        }
        double after = condition(smallest + used, largest + used);
        double[][] a = new double[width][width];
        double[][] numeratorT = new double[width][width];
        for (int i = 0; i < width; i++) {
            for (int j = 0; j < width; j++) {
                a[i][j] = base[i][j] + (i == j ? used : 0);
                // (Σ a xᵀ + αΣ b bᵀ + λI)ᵀ, row j of the transpose
                numeratorT[j][i] = eraseCross[i][j] + alpha * preserveGram[i][j] + (i == j ? used : 0);
            }
        }
        // M = N·A⁻¹ ⇔ A·Mᵀ = Nᵀ (A symmetric)
        double[][] mT = choleskySolve(a, numeratorT);
        double[][] m = new double[width][width];
        for (int i = 0; i < width; i++) {
            for (int j = 0; j < width; j++) {
                m[i][j] = mT[j][i];
            }
        }
        return new Solution(m, lambda, used, before, after);
    }

    /**
     * W0 · M.
     *
     * @param w0 the projection's weight, row-major (out × d)
     * @param rows out
     * @param m M (d × d)
     * @return W*, row-major, float32
     */
    static float[] apply(float[] w0, int rows, double[][] m) {
        int d = m.length;
        float[] out = new float[rows * d];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < d; j++) {
                double s = 0;
                for (int k = 0; k < d; k++) {
                    s += w0[r * d + k] * m[k][j];
                }
                out[r * d + j] = (float) s;
            }
        }
        return out;
    }

    private static double condition(double smallest, double largest) {
        return smallest > 0 ? largest / smallest : Double.POSITIVE_INFINITY;
    }

    /** Solves A·X = B for symmetric positive-definite A by Cholesky (A = L·Lᵀ), column by column. */
    static double[][] choleskySolve(double[][] a, double[][] b) {
        int n = a.length;
        double[][] l = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double s = a[i][j];
                for (int k = 0; k < j; k++) {
                    s -= l[i][k] * l[j][k];
                }
                if (i == j) {
                    if (!(s > 0)) {
                        throw new ArithmeticException("the matrix is not positive definite (pivot " + s + " at " + i + ")");
                    }
                    l[i][i] = Math.sqrt(s);
                } else {
                    l[i][j] = s / l[j][j];
                }
            }
        }
        int columns = b[0].length;
        double[][] x = new double[n][columns];
        for (int c = 0; c < columns; c++) {
            double[] y = new double[n];
            for (int i = 0; i < n; i++) {
                double s = b[i][c];
                for (int k = 0; k < i; k++) {
                    s -= l[i][k] * y[k];
                }
                y[i] = s / l[i][i];
            }
            for (int i = n - 1; i >= 0; i--) {
                double s = y[i];
                for (int k = i + 1; k < n; k++) {
                    s -= l[k][i] * x[k][c];
                }
                x[i][c] = s / l[i][i];
            }
        }
        return x;
    }

    /** The eigenvalues of a symmetric matrix by cyclic Jacobi rotations. */
    static double[] eigenvalues(double[][] symmetric) {
        int n = symmetric.length;
        double[][] a = new double[n][];
        for (int i = 0; i < n; i++) {
            a[i] = symmetric[i].clone();
        }
        for (int sweep = 0; sweep < SWEEPS; sweep++) {
            double off = 0;
            double total = 0;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    total += a[i][j] * a[i][j];
                    if (i != j) {
                        off += a[i][j] * a[i][j];
                    }
                }
            }
            if (off <= 1e-30 * Math.max(total, Double.MIN_NORMAL)) {
                break;
            }
            for (int p = 0; p < n - 1; p++) {
                for (int q = p + 1; q < n; q++) {
                    if (a[p][q] == 0) {
                        continue;
                    }
                    double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
                    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    if (theta == 0) {
                        t = 1;
                    }
                    double c = 1 / Math.sqrt(t * t + 1);
                    double s = t * c;
                    for (int k = 0; k < n; k++) {
                        double akp = a[k][p];
                        double akq = a[k][q];
                        a[k][p] = c * akp - s * akq;
                        a[k][q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++) {
                        double apk = a[p][k];
                        double aqk = a[q][k];
                        a[p][k] = c * apk - s * aqk;
                        a[q][k] = s * apk + c * aqk;
                    }
                }
            }
        }
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = a[i][i];
        }
        return out;
    }
}
