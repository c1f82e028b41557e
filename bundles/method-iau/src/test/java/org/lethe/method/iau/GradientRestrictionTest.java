package org.lethe.method.iau;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The central finite-difference Hessian-vector product of IAU's gradient restriction against the
 * analytic product on a quadratic and on logistic regression, the restricted gradient
 * {@code g + α·H·v̂} against its closed form, and the exact restoration of the parameters.
 */
class GradientRestrictionTest {

    private static final int N = 8;
    private static final int D = 4;

    /** L(θ) = ½ xᵀAx + bᵀx over x = (θ₁, vec θ₂): H = A exactly, so the difference is exact up to rounding. */
    @Test
    void matchesTheAnalyticProductOnAQuadratic() {
        Random random = new Random(1);
        int n = 7;
        double[][] m = gaussian(random, n, n);
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                for (int k = 0; k < n; k++) {
                    a[i][j] += m[k][i] * m[k][j];
                }
            }
            a[i][i] += 1;
        }
        double[] b = gaussian(random, 1, n)[0];
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray p1 = parameter(manager, floats(gaussian(random, 1, 3)[0]), new Shape(3));
            NDArray p2 = parameter(manager, floats(gaussian(random, 1, 4)[0]), new Shape(2, 2));
            List<NDArray> parameters = List.of(p1, p2);
            NDArray matrix = manager.create(floats(flatten(a)), new Shape(n, n));
            NDArray linear = manager.create(floats(b));
            NDArray half = manager.create(0.5f);
            Function<NDManager, NDArray> loss = scope -> {
                NDArray x = NDArrays.concat(new ai.djl.ndarray.NDList(p1.flatten(), p2.flatten()));
                return x.mul(matrix.matMul(x.reshape(n, 1)).reshape(n)).sum().mul(half).add(linear.mul(x).sum());
            };
            double[] v = unit(gaussian(random, 1, n)[0]);
            List<NDArray> direction = List.of(manager.create(floats(slice(v, 0, 3))),
                    manager.create(floats(slice(v, 3, 7)), new Shape(2, 2)));
            try (NDManager scope = manager.newSubManager()) {
                List<NDArray> hv = GradientRestriction.hessianVectorProduct(parameters, direction, 1e-2f,
                        GradientRestriction.backprop(collectors(manager), parameters, loss), scope);
                double[] expected = times(a, v);
                double error = relativeError(expected, concat(hv));
                System.out.printf("[iau-gr] quadratic: FD-HVP (ε 1e-2) relative error %.2e%n", error);
                assertTrue(error < 1e-4, "quadratic: relative error " + error);
            }
        }
    }

    /**
     * Logistic regression, L = mean log(1 + exp(−s·(Xw + b))), H = (1/n) Σ σ(1−σ)·[x;1][x;1]ᵀ. The
     * central difference is second-order in ε: relative error within 1e-3 at ε = 1e-2 (the
     * default), and it prints the error for a range of ε.
     */
    @Test
    void matchesTheAnalyticProductOnLogisticRegression() {
        Logistic problem = new Logistic(new Random(2));
        try (NDManager manager = NDManager.newBaseManager()) {
            Logistic.Arrays arrays = problem.arrays(manager);
            double[] v = unit(gaussian(new Random(3), 1, D + 1)[0]);
            List<NDArray> direction = List.of(manager.create(floats(slice(v, 0, D))), manager.create(new float[] {(float) v[D]}));
            double[] expected = times(problem.hessian(), v);
            double atDefault = Double.NaN;
            StringBuilder line = new StringBuilder("[iau-gr] logistic: FD-HVP relative error by ε:");
            for (float epsilon : new float[] {1e-1f, 3e-2f, 1e-2f, 3e-3f, 1e-3f, 1e-4f}) {
                try (NDManager scope = manager.newSubManager()) {
                    List<NDArray> hv = GradientRestriction.hessianVectorProduct(arrays.parameters(), direction, epsilon,
                            GradientRestriction.backprop(collectors(manager), arrays.parameters(), arrays.loss()), scope);
                    double error = relativeError(expected, concat(hv));
                    line.append(String.format(" %s → %.2e", epsilon, error));
                    if (epsilon == 1e-2f) {
                        atDefault = error;
                    }
                }
            }
            System.out.println(line);
            assertTrue(atDefault < 1e-3, "logistic, ε = 1e-2: relative error " + atDefault);
        }
    }

    /**
     * ∇ℓ_GR = g + α·H·v̂ with v̂ the per-tensor unit gradient (w and b apart), and ℓ_GR = L + α(‖g_w‖ +
     * |g_b|): the objective of the official code (sum of per-tensor norms, not a global norm).
     */
    @Test
    void restrictedGradientIsTheGradientOfTheNormPenalisedLoss() {
        Logistic problem = new Logistic(new Random(4));
        float alpha = 0.5f;
        try (NDManager manager = NDManager.newBaseManager(); NDManager scope = manager.newSubManager()) {
            Logistic.Arrays arrays = problem.arrays(manager);
            GradientRestriction.Evaluation restricted = GradientRestriction.restrictedGradient(arrays.parameters(), alpha,
                    1e-2f, GradientRestriction.backprop(collectors(manager), arrays.parameters(), arrays.loss()), scope);
            double[] g = problem.gradient();
            double normW = Math.sqrt(dot(slice(g, 0, D), slice(g, 0, D)));
            double normB = Math.abs(g[D]);
            double[] unit = new double[D + 1];
            for (int i = 0; i < D; i++) {
                unit[i] = g[i] / normW;
            }
            unit[D] = g[D] / normB;
            double[] hv = times(problem.hessian(), unit);
            double[] expected = new double[D + 1];
            for (int i = 0; i <= D; i++) {
                expected[i] = g[i] + alpha * hv[i];
            }
            double error = relativeError(expected, concat(restricted.gradient()));
            System.out.printf("[iau-gr] logistic: ∇ℓ_GR relative error %.2e%n", error);
            assertTrue(error < 1e-3, "∇ℓ_GR: relative error " + error);
            assertEquals(problem.loss() + alpha * (normW + normB), restricted.loss(), 1e-5, "ℓ_GR");
            for (NDArray p : arrays.parameters()) {
                assertEquals(0f, p.getGradient().abs().sum().getFloat(), "gradient buffers are left at zero");
            }
        }
    }

    /**
     * The parameters come back bit for bit (a copy is written back, not −εv added to +εv), still
     * recording gradients, also when a gradient evaluation throws half-way.
     */
    @Test
    void parametersAreRestoredExactly() {
        float[] awkward = {0.1f, -0.0f, 1e-30f, -3.3333333f, 1234.5677f, Float.MIN_VALUE, 7e-8f, -1e5f};
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray p1 = parameter(manager, java.util.Arrays.copyOfRange(awkward, 0, 4), new Shape(2, 2));
            NDArray p2 = parameter(manager, java.util.Arrays.copyOfRange(awkward, 4, 8), new Shape(4));
            List<NDArray> parameters = List.of(p1, p2);
            NDArray weights = manager.create(new float[] {0.3f, -1.7f, 2.1f, 0.9f});
            Function<NDManager, NDArray> loss = scope -> p1.flatten().mul(p2).mul(weights).sum()
                    .add(p2.tanh().square().sum());
            List<NDArray> direction = List.of(manager.create(new float[] {0.37f, -0.11f, 0.29f, 0.05f}, new Shape(2, 2)),
                    manager.create(new float[] {-0.61f, 0.13f, 0.47f, -0.23f}));
            for (float epsilon : new float[] {1e-2f, 3e-3f, 0.1f}) {
                try (NDManager scope = manager.newSubManager()) {
                    GradientRestriction.hessianVectorProduct(parameters, direction, epsilon,
                            GradientRestriction.backprop(collectors(manager), parameters, loss), scope);
                }
                assertBits(awkward, p1, p2, "after the product at ε = " + epsilon);
            }
            int[] calls = {0};
            GradientRestriction.Gradient good = GradientRestriction.backprop(collectors(manager), parameters, loss);
            GradientRestriction.Gradient failing = scope -> {
                if (++calls[0] == 2) {
                    throw new IllegalStateException("boom");
                }
                return good.at(scope);
            };
            try (NDManager scope = manager.newSubManager()) {
                assertThrows(IllegalStateException.class,
                        () -> GradientRestriction.hessianVectorProduct(parameters, direction, 1e-2f, failing, scope));
            }
            assertBits(awkward, p1, p2, "after a failed product");
        }
    }

    private static void assertBits(float[] expected, NDArray p1, NDArray p2, String when) {
        float[] actual = new float[8];
        System.arraycopy(p1.toFloatArray(), 0, actual, 0, 4);
        System.arraycopy(p2.toFloatArray(), 0, actual, 4, 4);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]),
                    "coordinate " + i + " " + when + ": " + expected[i] + " became " + actual[i]);
        }
        assertTrue(p1.hasGradient() && p2.hasGradient(), "the parameters record gradients again " + when);
    }

    /** Logistic regression on a fixed random problem, with its closed-form gradient and Hessian. */
    private static final class Logistic {
        final double[][] x;
        final double[] y;
        final double[] w;
        final double b;

        Logistic(Random random) {
            x = gaussian(random, N, D);
            y = new double[N];
            for (int i = 0; i < N; i++) {
                y[i] = random.nextBoolean() ? 1 : 0;
            }
            w = gaussian(random, 1, D)[0];
            b = random.nextGaussian();
        }

        record Arrays(List<NDArray> parameters, Function<NDManager, NDArray> loss) {
        }

        Arrays arrays(NDManager manager) {
            NDArray weights = parameter(manager, floats(w), new Shape(D));
            NDArray bias = parameter(manager, new float[] {(float) b}, new Shape(1));
            NDArray features = manager.create(floats(flatten(x)), new Shape(N, D));
            double[] signs = new double[N];
            for (int i = 0; i < N; i++) {
                signs[i] = 2 * y[i] - 1;
            }
            NDArray s = manager.create(floats(signs));
            NDArray one = manager.create(1f);
            return new Arrays(List.of(weights, bias),
                    scope -> features.matMul(weights.reshape(D, 1)).reshape(N).add(bias).mul(s).neg().exp().add(one).log().mean());
        }

        double sigma(int i) {
            double z = b;
            for (int j = 0; j < D; j++) {
                z += x[i][j] * w[j];
            }
            return 1 / (1 + Math.exp(-z));
        }

        double loss() {
            double sum = 0;
            for (int i = 0; i < N; i++) {
                double p = sigma(i);
                sum -= y[i] == 1 ? Math.log(p) : Math.log(1 - p);
            }
            return sum / N;
        }

        double[] gradient() {
            double[] g = new double[D + 1];
            for (int i = 0; i < N; i++) {
                double r = sigma(i) - y[i];
                for (int j = 0; j < D; j++) {
                    g[j] += r * x[i][j] / N;
                }
                g[D] += r / N;
            }
            return g;
        }

        double[][] hessian() {
            double[][] h = new double[D + 1][D + 1];
            for (int i = 0; i < N; i++) {
                double p = sigma(i);
                double[] z = new double[D + 1];
                System.arraycopy(x[i], 0, z, 0, D);
                z[D] = 1;
                for (int r = 0; r <= D; r++) {
                    for (int c = 0; c <= D; c++) {
                        h[r][c] += p * (1 - p) * z[r] * z[c] / N;
                    }
                }
            }
            return h;
        }
    }

    private static Supplier<GradientCollector> collectors(NDManager manager) {
        return () -> manager.getEngine().newGradientCollector();
    }

    private static NDArray parameter(NDManager manager, float[] values, Shape shape) {
        NDArray array = manager.create(values, shape);
        array.setRequiresGradient(true);
        return array;
    }

    private static double[][] gaussian(Random random, int rows, int columns) {
        double[][] out = new double[rows][columns];
        for (double[] row : out) {
            for (int j = 0; j < columns; j++) {
                row[j] = random.nextGaussian();
            }
        }
        return out;
    }

    private static double[] unit(double[] v) {
        double norm = Math.sqrt(dot(v, v));
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] / norm;
        }
        return out;
    }

    private static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    private static double[] times(double[][] m, double[] v) {
        double[] out = new double[m.length];
        for (int i = 0; i < m.length; i++) {
            out[i] = dot(m[i], v);
        }
        return out;
    }

    private static double[] slice(double[] v, int from, int to) {
        return java.util.Arrays.copyOfRange(v, from, to);
    }

    private static double[] flatten(double[][] m) {
        double[] out = new double[m.length * m[0].length];
        for (int i = 0; i < m.length; i++) {
            System.arraycopy(m[i], 0, out, i * m[0].length, m[0].length);
        }
        return out;
    }

    private static float[] floats(double[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) v[i];
        }
        return out;
    }

    private static double[] concat(List<NDArray> arrays) {
        int size = 0;
        for (NDArray a : arrays) {
            size += (int) a.size();
        }
        double[] out = new double[size];
        int at = 0;
        for (NDArray a : arrays) {
            for (float f : a.toFloatArray()) {
                out[at++] = f;
            }
        }
        return out;
    }

    /** max |expected − actual| / max |expected|. */
    private static double relativeError(double[] expected, double[] actual) {
        assertEquals(expected.length, actual.length);
        double error = 0;
        double scale = 0;
        for (int i = 0; i < expected.length; i++) {
            error = Math.max(error, Math.abs(expected[i] - actual[i]));
            scale = Math.max(scale, Math.abs(expected[i]));
        }
        return error / scale;
    }
}
