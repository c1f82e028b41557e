package org.lethe.evaluation.erasure;

import java.util.Objects;

/**
 * The Gaussian fit of a feature set: its mean and its sample covariance (divisor n − 1, as numpy's
 * {@code np.cov} that FID implementations use).
 *
 * @param mean the mean feature vector, length d
 * @param covariance the d×d covariance matrix
 */
public record GaussianFit(double[] mean, double[][] covariance) {

    /** Checks that the mean and covariance agree in dimension. */
    public GaussianFit {
        Objects.requireNonNull(mean, "mean");
        Objects.requireNonNull(covariance, "covariance");
        if (mean.length == 0) {
            throw new IllegalArgumentException("a Gaussian fit needs at least one dimension");
        }
        if (covariance.length != mean.length) {
            throw new IllegalArgumentException("the covariance has " + covariance.length + " rows, the mean "
                + mean.length + " dimensions");
        }
        for (int i = 0; i < covariance.length; i++) {
            if (covariance[i] == null || covariance[i].length != mean.length) {
                throw new IllegalArgumentException("covariance row " + i + " does not have " + mean.length
                    + " columns");
            }
        }
    }

    /**
     * Fits a Gaussian to a feature set.
     *
     * @param features n rows of d finite features; n ≥ 2, d ≥ 1, all rows of the same length
     * @return the mean and the (n − 1)-normalised covariance
     * @throws IllegalArgumentException when there are fewer than two rows or the rows are ragged
     */
    public static GaussianFit of(double[][] features) {
        Objects.requireNonNull(features, "features");
        int n = features.length;
        if (n < 2) {
            throw new IllegalArgumentException("a covariance needs at least two feature vectors, got " + n);
        }
        int d = features[0] == null ? 0 : features[0].length;
        if (d == 0) {
            throw new IllegalArgumentException("feature vectors must have at least one dimension");
        }
        double[] mean = new double[d];
        for (int r = 0; r < n; r++) {
            double[] row = features[r];
            if (row == null || row.length != d) {
                throw new IllegalArgumentException("feature vector " + r + " does not have " + d + " dimensions");
            }
            for (int i = 0; i < d; i++) {
                if (!Double.isFinite(row[i])) {
                    throw new IllegalArgumentException("feature vector " + r + " has a non-finite value");
                }
                mean[i] += row[i];
            }
        }
        for (int i = 0; i < d; i++) {
            mean[i] /= n;
        }
        double[][] cov = new double[d][d];
        double[] centred = new double[d];
        for (double[] row : features) {
            for (int i = 0; i < d; i++) {
                centred[i] = row[i] - mean[i];
            }
            for (int i = 0; i < d; i++) {
                for (int j = i; j < d; j++) {
                    cov[i][j] += centred[i] * centred[j];
                }
            }
        }
        for (int i = 0; i < d; i++) {
            for (int j = i; j < d; j++) {
                cov[i][j] /= n - 1;
                cov[j][i] = cov[i][j];
            }
        }
        return new GaussianFit(mean, cov);
    }

    /**
     * The dimension d.
     *
     * @return the length of the mean
     */
    public int dimension() {
        return mean.length;
    }
}
