package org.lethe.evaluation.erasure;

import java.util.Objects;

/**
 * The Fréchet distance between the Gaussian fits of two feature sets, the "FID-lite" image-quality
 * proxy of research/methods-gen.md §8 (penultimate-layer, 64-d features of the evaluation classifier
 * on generated vs real images of retained prompts), after FID (Heusel et al., NeurIPS 2017). Like FID
 * it is the <em>squared</em> 2-Wasserstein distance between N(μ1, Σ1) and N(μ2, Σ2):
 * <pre>
 *   d² = ‖μ1 − μ2‖² + Tr(Σ1) + Tr(Σ2) − 2 Tr((Σ1 Σ2)^½)
 * </pre>
 * Lower is better; 0 for identical fits.
 *
 * <p>Computation: Σ1Σ2 is not symmetric, so its square root is not taken directly. With S = Σ1^½
 * (symmetric, from the eigen-decomposition of Σ1), Σ1Σ2 = S (S Σ2 S) S⁻¹ is similar to the symmetric
 * positive semi-definite M = S Σ2 S, so Tr((Σ1Σ2)^½) = Σ_k √λ_k(M). Both decompositions use
 * {@link SymmetricEigen} (Jacobi), which stays accurate for the small dimensions used here.
 *
 * <p>Singular covariances (fewer samples than dimensions, a constant feature) need no inverse in this
 * form: the square root of a positive semi-definite matrix is defined. The regularisation is (1)
 * eigenvalues that rounding pushes below zero are clamped to 0 before their square root, (2) an
 * optional ridge ε·I added to both covariances ({@link #between(GaussianFit, GaussianFit, double)};
 * pytorch-fid falls back to ε = 1e-6 when its general square root fails), 0 by default, and (3) a
 * result that rounding pushes below zero is returned as 0.
 */
public final class FrechetDistance {

    private FrechetDistance() {
    }

    /**
     * The Fréchet distance between the Gaussian fits of two feature sets, without a ridge.
     *
     * @param a n1 × d features (n1 ≥ 2)
     * @param b n2 × d features (n2 ≥ 2), same d
     * @return d² ≥ 0
     */
    public static double of(double[][] a, double[][] b) {
        return between(GaussianFit.of(a), GaussianFit.of(b), 0);
    }

    /**
     * The Fréchet distance between two Gaussian fits, without a ridge.
     *
     * @param a the first fit
     * @param b the second fit, of the same dimension
     * @return d² ≥ 0
     */
    public static double between(GaussianFit a, GaussianFit b) {
        return between(a, b, 0);
    }

    /**
     * The Fréchet distance between two Gaussian fits, with a ridge ε·I added to both covariances.
     *
     * @param a the first fit
     * @param b the second fit, of the same dimension
     * @param ridge ε ≥ 0
     * @return d² ≥ 0
     * @throws IllegalArgumentException when the dimensions differ, the ridge is negative or a covariance
     *     is not symmetric and finite
     */
    public static double between(GaussianFit a, GaussianFit b, double ridge) {
        Objects.requireNonNull(a, "first fit");
        Objects.requireNonNull(b, "second fit");
        int d = a.dimension();
        if (b.dimension() != d) {
            throw new IllegalArgumentException("the fits differ in dimension: " + d + " vs " + b.dimension());
        }
        if (!(ridge >= 0) || Double.isInfinite(ridge)) {
            throw new IllegalArgumentException("the ridge must be finite and not negative, got " + ridge);
        }
        double[][] s1 = withRidge(a.covariance(), ridge);
        double[][] s2 = withRidge(b.covariance(), ridge);
        double meanTerm = 0;
        for (int i = 0; i < d; i++) {
            double diff = a.mean()[i] - b.mean()[i];
            meanTerm += diff * diff;
        }
        double trace = 0;
        for (int i = 0; i < d; i++) {
            trace += s1[i][i] + s2[i][i];
        }
        double result = meanTerm + trace - 2 * traceSqrtProduct(s1, s2);
        return Math.max(0, result);
    }

    /**
     * Tr((Σ1 Σ2)^½) for symmetric positive semi-definite Σ1, Σ2, via the symmetric M = Σ1^½ Σ2 Σ1^½.
     *
     * @param s1 Σ1
     * @param s2 Σ2, of the same size
     * @return the trace of the principal square root of Σ1Σ2
     */
    public static double traceSqrtProduct(double[][] s1, double[][] s2) {
        double[][] root = SymmetricEigen.of(s1).apply(x -> Math.sqrt(Math.max(0, x)));
        double[][] m = multiply(multiply(root, s2), root);
        int n = m.length;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double avg = (m[i][j] + m[j][i]) / 2;
                m[i][j] = avg;
                m[j][i] = avg;
            }
        }
        double sum = 0;
        for (double lambda : SymmetricEigen.of(m).values()) {
            sum += Math.sqrt(Math.max(0, lambda));
        }
        return sum;
    }

    private static double[][] withRidge(double[][] cov, double ridge) {
        double[][] r = new double[cov.length][];
        for (int i = 0; i < cov.length; i++) {
            r[i] = cov[i].clone();
            r[i][i] += ridge;
        }
        return r;
    }

    private static double[][] multiply(double[][] x, double[][] y) {
        int n = x.length;
        int k = y.length;
        int m = y[0].length;
        double[][] r = new double[n][m];
        for (int i = 0; i < n; i++) {
            for (int l = 0; l < k; l++) {
                double xil = x[i][l];
                if (xil == 0) {
                    continue;
                }
                for (int j = 0; j < m; j++) {
                    r[i][j] += xil * y[l][j];
                }
            }
        }
        return r;
    }
}
