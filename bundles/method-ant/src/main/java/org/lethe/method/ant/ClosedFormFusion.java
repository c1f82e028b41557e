package org.lethe.method.ant;

import java.util.List;
import java.util.function.Consumer;

/**
 * MACE's closed-form refinement as ANT's multi-concept code uses it ({@code cfr_utils.py:
 * closed_form_refinement}; methods-gen.md §2.2), for one projection W (out × in, y = W·x):
 *
 * <pre>
 * W* = (Σ_i W_i K_i + s·W0 K_p + λ·W0) · (Σ_i K_i + s·K_p + λ·I)⁻¹,   K = Σ_tokens c·cᵀ
 * </pre>
 *
 * with W_i the projection with concept i's LoRA merged (so W_i K_i = V_i C_iᵀ), K_i the Gram
 * matrix of concept i's contexts and K_p that of the preserve contexts. Everything is double; the
 * system matrix is symmetric positive semi-definite, solved by Cholesky. When it is singular or
 * ill-conditioned (a pivot below 1e-10 of the largest diagonal), λ is raised tenfold from a floor
 * of 1e-8 of the mean diagonal until it is not, and the raise is logged — never a crash.
 */
final class ClosedFormFusion {

    /** The least pivot, relative to the largest diagonal element, accepted without regularising. */
    static final double PIVOT_TOLERANCE = 1e-10;

    private ClosedFormFusion() {
    }

    /**
     * The solution and the regularisation it needed.
     *
     * @param weight W*, out × in
     * @param lambda the λ used (the requested one unless raised)
     */
    record Solution(double[][] weight, double lambda) {
    }

    /**
     * @param tokens contexts, row-major (tokens × width)
     * @param width the context width
     * @return Σ_tokens c·cᵀ (width × width)
     */
    static double[][] gram(float[] tokens, int width) {
        double[][] k = new double[width][width];
        int rows = tokens.length / width;
        for (int r = 0; r < rows; r++) {
            int o = r * width;
            for (int i = 0; i < width; i++) {
                double ci = tokens[o + i];
                if (ci == 0) {
                    continue;
                }
                for (int j = 0; j < width; j++) {
                    k[i][j] += ci * tokens[o + j];
                }
            }
        }
        return k;
    }

    /**
     * @param original W0 (out × in)
     * @param conceptWeights W_i, each out × in
     * @param conceptGrams K_i, each in × in
     * @param preserveGram K_p (in × in)
     * @param preserveScale s
     * @param lambda λ ≥ 0
     * @param log where a raised λ is reported
     * @return W*
     */
    static Solution solve(double[][] original, List<double[][]> conceptWeights, List<double[][]> conceptGrams,
            double[][] preserveGram, double preserveScale, double lambda, Consumer<String> log) {
        int out = original.length;
        int in = original[0].length;
        double[][] rhs = new double[out][in];   // A = Σ W_i K_i + s W0 K_p + λ W0
        double[][] system = new double[in][in]; // B = Σ K_i + s K_p
        for (int c = 0; c < conceptWeights.size(); c++) {
            addProduct(rhs, conceptWeights.get(c), conceptGrams.get(c), 1.0);
            add(system, conceptGrams.get(c), 1.0);
        }
        addProduct(rhs, original, preserveGram, preserveScale);
        add(system, preserveGram, preserveScale);
        double mean = 0;
        for (int i = 0; i < in; i++) {
            mean += system[i][i] / in;
        }
        double used = lambda;
        double floor = Math.max(1e-8 * Math.max(mean, 1e-300), 1e-12);
        for (int attempt = 0; ; attempt++) {
            double[][] factor = cholesky(system, used);
            if (factor != null) {
                double[][] w = new double[out][in];
                for (int r = 0; r < out; r++) {
                    double[] row = new double[in];
                    for (int j = 0; j < in; j++) {
                        row[j] = rhs[r][j] + used * original[r][j];
                    }
                    w[r] = solveFactored(factor, row);
                }
                if (used != lambda) {
                    log.accept("the fusion's system was singular or ill-conditioned at λ " + lambda
                            + "; regularised with λ " + used);
                }
                return new Solution(w, used);
            }
            if (attempt > 60) {
                throw new IllegalStateException("the fusion's system stays singular up to λ " + used);
            }
            used = Math.max(used * 10, floor);
        }
    }

    /** out += scale · a · b. */
    private static void addProduct(double[][] out, double[][] a, double[][] b, double scale) {
        if (scale == 0) {
            return;
        }
        int n = b.length;
        for (int r = 0; r < a.length; r++) {
            for (int k = 0; k < n; k++) {
                double v = a[r][k] * scale;
                if (v == 0) {
                    continue;
                }
                for (int j = 0; j < b[k].length; j++) {
                    out[r][j] += v * b[k][j];
                }
            }
        }
    }

    private static void add(double[][] out, double[][] a, double scale) {
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[i].length; j++) {
                out[i][j] += scale * a[i][j];
            }
        }
    }

    /** The lower Cholesky factor of system + λI, or null when a pivot falls below the tolerance. */
    static double[][] cholesky(double[][] system, double lambda) {
        int n = system.length;
        double largest = 0;
        for (int i = 0; i < n; i++) {
            largest = Math.max(largest, Math.abs(system[i][i] + lambda));
        }
        double tolerance = PIVOT_TOLERANCE * largest;
        double[][] l = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double sum = system[i][j] + (i == j ? lambda : 0);
                for (int k = 0; k < j; k++) {
                    sum -= l[i][k] * l[j][k];
                }
                if (i == j) {
                    if (!(sum > tolerance) || largest == 0) {
                        return null;
                    }
                    l[i][i] = Math.sqrt(sum);
                } else {
                    l[i][j] = sum / l[j][j];
                }
            }
        }
        return l;
    }

    /** x with (L Lᵀ) x = b. */
    private static double[] solveFactored(double[][] l, double[] b) {
        int n = b.length;
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double sum = b[i];
            for (int k = 0; k < i; k++) {
                sum -= l[i][k] * y[k];
            }
            y[i] = sum / l[i][i];
        }
        double[] x = new double[n];
        for (int i = n - 1; i >= 0; i--) {
            double sum = y[i];
            for (int k = i + 1; k < n; k++) {
                sum -= l[k][i] * x[k];
            }
            x[i] = sum / l[i][i];
        }
        return x;
    }
}
