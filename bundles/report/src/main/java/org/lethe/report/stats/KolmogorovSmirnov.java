package org.lethe.report.stats;

import java.util.Arrays;

/**
 * The two-sample Kolmogorov–Smirnov test (two-sided), giving the same statistic and p-value as SciPy's
 * {@code scipy.stats.ks_2samp(a, b, method='auto')} (checked against SciPy 1.10).
 *
 * <p>The statistic D is the largest absolute difference between the two empirical distribution
 * functions, both evaluated after every distinct value (so tied values move both functions at once).
 * The p-value:
 * <ul>
 * <li><b>exact</b> when the larger sample has at most {@value #MAX_EXACT_N} values: the share of the
 * C(m+n, n) equally likely orderings of the pooled sample whose path leaves the band |x/m − y/n| &lt; D
 * (Hodges 1958, after Gnedenko–Korolyuk). For m = n it is the reflection formula
 * 2 Σ<sub>k≥1</sub> (−1)<sup>k−1</sup> C(2n, n − kh) / C(2n, n) with D = h/n; otherwise the share of
 * paths that stay inside is counted by dynamic programming over the lattice, with each count scaled by
 * C(i+j, j) so that it stays a probability. D is first snapped to the lattice, h/lcm(m, n), as SciPy
 * does. Should the count come out of [0, 1] through rounding, the asymptotic value is used instead;</li>
 * <li><b>asymptotic</b> otherwise: the distribution of the one-sample two-sided statistic D<sub>N</sub>
 * with N = round(m n / (m + n)), the usual effective sample size, evaluated as SciPy's
 * {@code kstwo.sf(D, N)} does (Simard &amp; L'Ecuyer 2011): Ruben–Gambino exact values at the ends,
 * 2 × Smirnov's one-sided tail (Birnbaum–Tingey sum) for large N D², the Durbin matrix
 * (Marsaglia–Tsang–Wang 2003) for small N D², and the Pelz–Good series in between for large N.</li>
 * </ul>
 * As in SciPy, ties are not corrected for: the exact p-value is that of continuous data with the
 * observed D.
 */
public final class KolmogorovSmirnov {

    /** The largest sample size for which the exact p-value is computed: {@value}. */
    public static final int MAX_EXACT_N = 10_000;

    private KolmogorovSmirnov() {
    }

    /** How a p-value was computed. */
    public enum Method {
        /** Exact path counting. */
        EXACT,
        /** The Kolmogorov distribution of the effective sample size. */
        ASYMPTOTIC
    }

    /**
     * The outcome of a test.
     *
     * @param statistic the statistic D, in [0, 1]
     * @param pValue the two-sided p-value, in [0, 1]
     * @param method how the p-value was computed
     */
    public record Result(double statistic, double pValue, Method method) {
    }

    /**
     * The two-sided two-sample test.
     *
     * @param a the first sample, not empty, no NaN
     * @param b the second sample, not empty, no NaN
     * @return D and its p-value
     * @throws IllegalArgumentException if a sample is empty or holds NaN
     */
    public static Result twoSample(double[] a, double[] b) {
        check(a, "first");
        check(b, "second");
        double[] x = a.clone();
        double[] y = b.clone();
        Arrays.sort(x);
        Arrays.sort(y);
        int n1 = x.length;
        int n2 = y.length;
        double d = statistic(x, y);
        if (Math.max(n1, n2) <= MAX_EXACT_N) {
            long g = gcd(n1, n2);
            long lcm = (n1 / g) * n2;
            long h = Math.round(d * lcm);
            double snapped = (double) h / lcm;
            if (h == 0) {
                return new Result(snapped, 1.0, Method.EXACT);
            }
            double p = n1 == n2 ? outsideSquare(n1, (int) h) : outsideBand(n1, n2, g, h);
            if (p >= 0 && p <= 1) {
                return new Result(snapped, p, Method.EXACT);
            }
            d = snapped;
        }
        double m = Math.max(n1, n2);
        double n = Math.min(n1, n2);
        long en = (long) Math.rint(m * n / (m + n));
        return new Result(d, clip(kolmogorovSf(en, d)), Method.ASYMPTOTIC);
    }

    private static void check(double[] sample, String which) {
        if (sample == null || sample.length == 0) {
            throw new IllegalArgumentException("the " + which + " sample is empty");
        }
        for (int i = 0; i < sample.length; i++) {
            if (Double.isNaN(sample[i])) {
                throw new IllegalArgumentException("the " + which + " sample has NaN at index " + i);
            }
        }
    }

    /** D of two sorted samples: both ECDFs taken after each distinct pooled value. */
    private static double statistic(double[] x, double[] y) {
        int i = 0;
        int j = 0;
        double above = 0;
        double below = 0;
        while (i < x.length || j < y.length) {
            double v = j >= y.length || (i < x.length && x[i] <= y[j]) ? x[i] : y[j];
            while (i < x.length && x[i] == v) {
                i++;
            }
            while (j < y.length && y[j] == v) {
                j++;
            }
            double diff = (double) i / x.length - (double) j / y.length;
            above = Math.max(above, diff);
            below = Math.max(below, -diff);
        }
        return Math.min(1, Math.max(above, below));
    }

    private static long gcd(long a, long b) {
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    /**
     * P(D_{n,n} ≥ h/n) = 2 Σ_{k≥1} (−1)^{k−1} C(2n, n−kh)/C(2n, n). The ratio
     * C(2n, n−s)/C(2n, n) = Π_{i=1..s} (n−i+1)/(n+i) is built up step by step; the alternating sum is
     * taken from its smallest term.
     */
    static double outsideSquare(int n, int h) {
        int terms = n / h;
        double[] ratio = new double[terms + 1];
        double r = 1;
        for (int s = 1; s <= terms * h; s++) {
            r *= (double) (n - s + 1) / (n + s);
            if (s % h == 0) {
                ratio[s / h] = r;
            }
        }
        double sum = 0;
        for (int k = terms; k >= 1; k--) {
            sum = ratio[k] - sum;
        }
        return 2 * sum;
    }

    /**
     * 1 − the share of lattice paths from (0, 0) to (m, n) that keep |(n/g) i − (m/g) j| &lt; h at
     * every point. P(i, j), the share of paths to (i, j) that stayed inside, satisfies
     * P(i, j) = (i P(i−1, j) + j P(i, j−1)) / (i + j) inside the band and 0 outside it.
     */
    static double outsideBand(int n1, int n2, long g, long h) {
        int m = Math.max(n1, n2);
        int n = Math.min(n1, n2);
        long mg = m / g;
        long ng = n / g;
        double[] p = new double[n + 1];
        int lastLo = 0;
        for (int i = 0; i <= m; i++) {
            // inside: ng*i - h < mg*j < ng*i + h
            long lo = Math.max(0, Math.floorDiv(ng * i - h, mg) + 1);
            long hi = Math.min(n, Math.floorDiv(ng * i + h - 1, mg));
            if (lo > hi) {
                return 1.0;
            }
            for (int j = lastLo; j < lo; j++) {
                p[j] = 0;
            }
            lastLo = (int) lo;
            for (int j = (int) lo; j <= hi; j++) {
                if (i == 0 && j == 0) {
                    p[0] = 1;
                    continue;
                }
                double left = j == 0 ? 0 : p[j - 1];
                p[j] = ((double) i * p[j] + (double) j * left) / (i + j);
            }
            if (hi < n) {
                p[(int) hi + 1] = 0;
            }
        }
        return 1 - p[n];
    }

    // ------------------------------------------------------------------ the Kolmogorov distribution

    /** P(D_n ≥ x) of the one-sample two-sided statistic, as SciPy's {@code kstwo.sf(x, n)}. */
    static double kolmogorovSf(long n, double x) {
        if (x >= 1) {
            return 0;
        }
        if (x <= 0) {
            return 1;
        }
        double t = n * x;
        if (t <= 1) {
            // Ruben–Gambino: P(D_n < x) = n!/n^n (2t − 1)^n for 1/(2n) ≤ x ≤ 1/n
            if (t <= 0.5) {
                return 1;
            }
            double cdf;
            if (n <= 140) {
                cdf = 1;
                for (long i = 1; i <= n; i++) {
                    cdf *= (double) i / n * (2 * t - 1);
                }
            } else {
                cdf = Math.exp(logFactorialOverPower(n) + n * Math.log(2 * t - 1));
            }
            return clip(1 - cdf);
        }
        if (t >= n - 1) {
            return clip(2 * Math.pow(1 - x, n));
        }
        if (x >= 0.5) {
            return clip(2 * smirnovSf(n, x));
        }
        double nxx = t * x;
        if (n <= 140) {
            if (nxx <= 4) {
                return clip(1 - durbinCdf(n, x));
            }
            return clip(2 * smirnovSf(n, x));
        }
        if (nxx >= 370) {
            return 0;
        }
        if (nxx >= 2.2) {
            return clip(2 * smirnovSf(n, x));
        }
        if (n <= 100_000 && n * Math.pow(x, 1.5) <= 1.4) {
            return clip(1 - durbinCdf(n, x));
        }
        return clip(1 - pelzGoodCdf(n, x));
    }

    /** log(n! / n^n) by Stirling's series. */
    private static double logFactorialOverPower(long n) {
        double r = 1.0 / n;
        double r2 = r * r;
        // B_{2k} / (2k (2k − 1)) for k = 1..8
        double[] c = {1.0 / 12, -1.0 / 360, 1.0 / 1260, -1.0 / 1680, 1.0 / 1188, -691.0 / 360360, 1.0 / 156,
            -3617.0 / 122400};
        double series = 0;
        for (int k = c.length - 1; k >= 0; k--) {
            series = series * r2 + c[k];
        }
        return 0.5 * Math.log(n) - n + 0.5 * Math.log(2 * Math.PI) + r * series;
    }

    /**
     * Smirnov's one-sided tail P(D_n^+ ≥ x) by the Birnbaum–Tingey sum
     * x Σ_{j=0}^{⌊n(1−x)⌋} C(n, j) (x + j/n)^{j−1} (1 − x − j/n)^{n−j}, its terms taken in logarithms.
     */
    static double smirnovSf(long n, double x) {
        if (x >= 1) {
            return 0;
        }
        if (x <= 0) {
            return 1;
        }
        long last = (long) Math.floor(n * (1 - x));
        double logChoose = 0;
        double sum = 0;
        for (long j = 0; j <= last; j++) {
            if (j > 0) {
                logChoose += Math.log((double) (n - j + 1) / j);
            }
            double a = x + (double) j / n;
            double b = ((n - j) - n * x) / n;
            if (b <= 0) {
                continue;
            }
            double logTerm = logChoose + (j - 1) * Math.log(a) + (n - j) * Math.log(b);
            sum += Math.exp(logTerm);
        }
        return sum * x;
    }

    /**
     * P(D_n &lt; d) by Durbin's matrix, as Marsaglia, Tsang and Wang (2003) give it: with k = ⌈nd⌉,
     * h = k − nd and H the (2k−1)² matrix of their paper, P = n!/n^n (H^n)_{k,k}; powers of two are
     * carried aside so that nothing overflows.
     */
    static double durbinCdf(long n, double d) {
        double nd = n * d;
        if (nd <= 0.5) {
            return 0;
        }
        int k = (int) Math.ceil(nd);
        double h = k - nd;
        int size = 2 * k - 1;
        double[] inverseFactorial = new double[size + 1];
        inverseFactorial[0] = 1;
        for (int i = 1; i <= size; i++) {
            inverseFactorial[i] = inverseFactorial[i - 1] / i;
        }
        double[][] matrix = new double[size][size];
        for (int i = 0; i < size; i++) {
            for (int j = 0; j < size; j++) {
                int e = i - j + 1;
                matrix[i][j] = e >= 0 ? inverseFactorial[e] : 0;
            }
        }
        for (int i = 0; i < size; i++) {
            matrix[i][0] = (1 - Math.pow(h, i + 1)) * inverseFactorial[i + 1];
            matrix[size - 1][i] = (1 - Math.pow(h, size - i)) * inverseFactorial[size - i];
        }
        matrix[size - 1][0] = (1 - 2 * Math.pow(h, size) + Math.pow(Math.max(0, 2 * h - 1), size))
                * inverseFactorial[size];
        // square and multiply, keeping a binary exponent beside each matrix
        double[][] result = identity(size);
        long resultExponent = 0;
        double[][] power = matrix;
        long powerExponent = 0;
        for (long e = n; e > 0; e >>= 1) {
            if ((e & 1) != 0) {
                result = multiply(result, power);
                resultExponent += powerExponent;
                int s = Math.getExponent(result[k - 1][k - 1]);
                if (s > 128 || (s < -128 && result[k - 1][k - 1] != 0)) {
                    scale(result, -s);
                    resultExponent += s;
                }
            }
            if (e > 1) {
                power = multiply(power, power);
                powerExponent *= 2;
                int s = Math.getExponent(power[k - 1][k - 1]);
                if (s > 128 || (s < -128 && power[k - 1][k - 1] != 0)) {
                    scale(power, -s);
                    powerExponent += s;
                }
            }
        }
        double p = result[k - 1][k - 1];
        // times n!/n^n
        for (long i = 1; i <= n; i++) {
            p = p * i / n;
            int s = Math.getExponent(p);
            if (s < -128 && p != 0) {
                p = Math.scalb(p, -s);
                resultExponent += s;
            }
        }
        return clip(Math.scalb(p, (int) Math.max(Integer.MIN_VALUE / 2, Math.min(Integer.MAX_VALUE / 2,
                resultExponent))));
    }

    private static double[][] identity(int size) {
        double[][] m = new double[size][size];
        for (int i = 0; i < size; i++) {
            m[i][i] = 1;
        }
        return m;
    }

    private static double[][] multiply(double[][] a, double[][] b) {
        int size = a.length;
        double[][] c = new double[size][size];
        for (int i = 0; i < size; i++) {
            for (int l = 0; l < size; l++) {
                double ail = a[i][l];
                if (ail == 0) {
                    continue;
                }
                for (int j = 0; j < size; j++) {
                    c[i][j] += ail * b[l][j];
                }
            }
        }
        return c;
    }

    private static void scale(double[][] m, int exponent) {
        for (double[] row : m) {
            for (int j = 0; j < row.length; j++) {
                row[j] = Math.scalb(row[j], exponent);
            }
        }
    }

    /**
     * The Pelz–Good (1976) series for P(D_n ≤ x): K0(z) + K1(z)/√n + K2(z)/n + K3(z)/n^{3/2} with
     * z = x√n, each K written with Jacobi theta transforms for small z.
     */
    static double pelzGoodCdf(long n, double x) {
        double z = Math.sqrt(n) * x;
        double z2 = z * z;
        double z4 = z2 * z2;
        double z6 = z4 * z2;
        double pi2 = Math.PI * Math.PI;
        double pi4 = pi2 * pi2;
        double pi6 = pi4 * pi2;
        if (-pi2 / 8 / z2 < -708) {
            return 0;
        }
        int terms = (int) Math.ceil(16 * z / Math.PI);
        double k0 = 0;
        double k1 = 0;
        double k2 = 0;
        double k3 = 0;
        double extra2 = 0;
        double extra3 = 0;
        for (int k = terms; k >= 1; k--) {
            double m = 2.0 * k - 1;
            double m2 = m * m;
            double m4 = m2 * m2;
            double m6 = m4 * m2;
            double e = Math.exp(-m2 * pi2 / (8 * z2));
            k0 += e;
            k1 += (pi2 * m2 / 4 - z2) * e;
            k2 += (6 * z6 + 2 * z4 + (2 * z4 - 5 * z2) * pi2 * m2 / 4 + pi4 * (1 - 2 * z2) * m4 / 16) * e;
            k3 += (-30 * z6 - 90 * z6 * z2 + pi2 * (135 * z4 - 96 * z6) * m2 / 4
                    + pi4 * (212 * z4 - 60 * z2) * m4 / 16 + pi6 * (5 - 30 * z2) * m6 / 64) * e;
            double kk = (double) k * k;
            double f = Math.exp(-kk * pi2 / (2 * z2));
            extra2 += kk * f;
            extra3 += (3 * z2 - kk * pi2) * kk * f;
        }
        double root = Math.sqrt(2 * Math.PI);
        double c0 = root * k0 / z;
        double c1 = root * k1 / (6 * z4);
        double c2 = root * k2 / (72 * z6 * z) - pi2 * root * extra2 / (36 * z2 * z);
        double c3 = root * k3 / (6480 * z6 * z4) + pi2 * root * extra3 / (216 * z6);
        double rn = Math.sqrt(n);
        return c0 + c1 / rn + c2 / n + c3 / (n * rn);
    }

    private static double clip(double p) {
        return Double.isNaN(p) ? p : Math.max(0, Math.min(1, p));
    }
}
