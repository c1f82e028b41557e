package org.lethe.method.realera;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.lethe.api.LetheException;

/**
 * RealEra's neighbour-concept mining (methods-gen.md §3.1) and beyond-concept shell (§3.2), on the
 * text encoder's output read per token: an embedding here is one prompt's condition, a
 * (positions × width) array, and distances, cosines and perturbations are taken token by token.
 *
 * <p>Verified in the paper (digest): a mined embedding e + η satisfies d(e, e + η) ≤ D1 and
 * cos(e, e + η) ∈ [S1, S2]. Reconstructed [R]: the values of D1, S1, S2 (calibrated here on the
 * geometry of the concept and its real neighbours), the radius law (uniform in (0, D1)), the
 * direction law (uniform on the sphere), and the shell (uniform radius in (D1, D2]).
 */
final class NeighbourMining {

    /** Tries per token before a token is declared to have no admissible neighbour. */
    static final int TRIES = 2000;

    private NeighbourMining() {
    }

    /**
     * The geometry of one erased concept and the radius it gives.
     *
     * @param concept the concept's name
     * @param synonymDistance d_syn, the median distance to its given aliases (0 without aliases)
     * @param otherDistance d_other, the distance to the nearest different concept (NaN when none was measured)
     * @param nearestOther that concept's name ("" when none)
     * @param norm the median token norm ‖e‖ of the concept's embedding
     * @param d1 D1, the neighbourhood radius
     * @param d2 D2, the outer radius of the beyond-concept shell
     * @param minCosine S1
     * @param maxCosine S2
     * @param how how D1 and S1 were set, in words
     */
    record Radius(String concept, double synonymDistance, double otherDistance, String nearestOther, double norm,
            double d1, double d2, double minCosine, double maxCosine, String how) {

        /** @return the measured distances and the constraints, for the log and refusals */
        String describe() {
            return String.format(Locale.ROOT, "'%s': d_syn %.4f, d_other %.4f%s, ‖e‖ %.4f → D1 %.4f, S1 %.6f, S2 %.6f,"
                    + " D2 %.4f (%s)", concept, synonymDistance, otherDistance,
                    nearestOther.isEmpty() ? "" : " (to '" + nearestOther + "')", norm, d1, minCosine, maxCosine, d2, how);
        }
    }

    /**
     * How the radius is set: the settings of §3.1 that override or scale the calibration.
     *
     * @param radius D1 before scaling, or 0 to calibrate it
     * @param radiusScale the multiplier of D1 (the paper's key ablation sweeps it)
     * @param radiusCap the cap of the calibrated D1 as a fraction of d_other, in (0, 1]
     * @param minCosine S1, or NaN for the cosine at D1
     * @param maxCosine S2
     * @param shellScale D2 / D1
     */
    record Settings(double radius, double radiusScale, double radiusCap, double minCosine, double maxCosine,
            double shellScale) {
    }

    /**
     * The token-wise distance of two embeddings: the median over positions of ‖a_p − b_p‖.
     *
     * @param a an embedding (positions × width)
     * @param b another, same shape
     * @return the distance
     */
    static double distance(double[][] a, double[][] b) {
        double[] perToken = new double[a.length];
        for (int p = 0; p < a.length; p++) {
            perToken[p] = norm(minus(a[p], b[p]));
        }
        return median(perToken);
    }

    /**
     * Calibrates D1, S1, S2 and D2 for one concept (§3.1): D1 = radiusScale · min(½(d_syn + d_other),
     * radiusCap · d_other), or radiusScale · radius when a radius is given; S1 = the cosine of e
     * and e + η for η ⟂ e with ‖η‖ = D1 (the cosine at D1), unless set; D2 = shellScale · D1.
     *
     * @param concept the concept's name
     * @param embedding its embedding e
     * @param aliases its given aliases' embeddings (the held-out ones are never given)
     * @param others the embeddings of the different concepts to calibrate against, by name
     * @param settings the overrides
     * @return the radius
     * @throws LetheException (invalid input) when there is nothing to calibrate against and no radius is given
     */
    static Radius calibrate(String concept, double[][] embedding, List<double[][]> aliases,
            Map<String, double[][]> others, Settings settings) {
        double[] aliasDistances = aliases.stream().mapToDouble(a -> distance(embedding, a)).toArray();
        double synonym = aliasDistances.length == 0 ? 0 : median(aliasDistances);
        double other = Double.NaN;
        String nearest = "";
        for (Map.Entry<String, double[][]> o : others.entrySet()) {
            double d = distance(embedding, o.getValue());
            if (!(d >= other)) {
                other = d;
                nearest = o.getKey();
            }
        }
        double norm = medianNorm(embedding);
        double unscaled;
        String how;
        if (settings.radius() > 0) {
            unscaled = settings.radius();
            how = "D1 = radius " + settings.radius();
        } else if (Double.isNaN(other)) {
            throw LetheException.invalidInput("realera: cannot calibrate the radius of '" + concept
                    + "': there is no other concept to measure d_other against (give a keep role, or set 'radius' of "
                    + RealEra.PID + ")");
        } else {
            double midpoint = 0.5 * (synonym + other);
            double cap = settings.radiusCap() * other;
            unscaled = Math.min(midpoint, cap);
            how = midpoint <= cap ? "D1 = ½(d_syn + d_other)" : "D1 = " + settings.radiusCap() + "·d_other (cap)";
        }
        double d1 = settings.radiusScale() * unscaled;
        if (settings.radiusScale() != 1) {
            how += ", × radiusScale " + settings.radiusScale();
        }
        double s1 = settings.minCosine();
        if (Double.isNaN(s1)) {
            s1 = norm / Math.sqrt(norm * norm + d1 * d1);
            how += "; S1 = cos at D1";
        }
        return new Radius(concept, synonym, other, nearest, norm, d1, settings.shellScale() * d1, s1,
                settings.maxCosine(), how);
    }

    /**
     * Mines neighbours e' = e + η (§3.1): per token, η = r·u with u uniform on the sphere and r
     * uniform in (0, D1), accepted iff ‖η‖ ≤ D1 and S1 ≤ cos(e_p, e_p + η) ≤ S2.
     *
     * @param embedding e
     * @param radius the constraints
     * @param count how many
     * @param random the source of the draws
     * @return the neighbours
     * @throws LetheException (invalid input) when the constraints admit no neighbour of some token
     *     (the message gives d_syn, d_other, D1, S1, S2)
     */
    static List<double[][]> neighbours(double[][] embedding, Radius radius, int count, Random random) {
        checkAdmissible(embedding, radius);
        List<double[][]> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            double[][] neighbour = new double[embedding.length][];
            for (int p = 0; p < embedding.length; p++) {
                neighbour[p] = neighbourOfToken(embedding[p], radius, random);
            }
            out.add(neighbour);
        }
        return out;
    }

    /**
     * Beyond-concept samples e + η with D1 &lt; ‖η‖ ≤ D2 per token (§3.2), direction uniform on the
     * sphere, radius uniform in (D1, D2]; no cosine constraint.
     *
     * @param embedding e
     * @param radius D1 and D2
     * @param count how many
     * @param random the source of the draws
     * @return the shell samples
     */
    static List<double[][]> shell(double[][] embedding, Radius radius, int count, Random random) {
        List<double[][]> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            double[][] sample = new double[embedding.length][];
            for (int p = 0; p < embedding.length; p++) {
                // 1 − U[0, 1) is in (0, 1]: the radius is in (D1, D2]
                double r = radius.d1() + (1 - random.nextDouble()) * (radius.d2() - radius.d1());
                sample[p] = plus(embedding[p], scaled(direction(embedding[p].length, random), r));
            }
            out.add(sample);
        }
        return out;
    }

    /**
     * Refuses constraints that no perturbation can meet: S1 above S2, or a D1 shorter than the
     * distance from e to the nearest point whose cosine with e is S2 (‖e‖·√(1 − S2²)).
     */
    private static void checkAdmissible(double[][] embedding, Radius radius) {
        double largestNorm = 0;
        for (double[] token : embedding) {
            largestNorm = Math.max(largestNorm, norm(token));
        }
        double s2 = Math.min(1, radius.maxCosine());
        double nearestAtS2 = largestNorm * Math.sqrt(1 - s2 * s2);
        if (!(radius.d1() > 0) || radius.minCosine() > radius.maxCosine() || radius.d1() < nearestAtS2) {
            throw noNeighbours(radius, String.format(Locale.ROOT,
                    "the nearest admissible neighbour lies at ‖e‖·√(1 − S2²) = %.4f", nearestAtS2));
        }
    }

    private static double[] neighbourOfToken(double[] token, Radius radius, Random random) {
        for (int attempt = 0; attempt < TRIES; attempt++) {
            double r = random.nextDouble() * radius.d1();
            double[] candidate = plus(token, scaled(direction(token.length, random), r));
            double cos = cosine(token, candidate);
            if (norm(minus(candidate, token)) <= radius.d1() && cos >= radius.minCosine() && cos <= radius.maxCosine()) {
                return candidate;
            }
        }
        throw noNeighbours(radius, TRIES + " draws of one token found none");
    }

    private static LetheException noNeighbours(Radius radius, String why) {
        return LetheException.invalidInput("realera: the radius leaves no neighbours of " + radius.describe() + ": a"
                + " neighbour must lie within D1 of e with S1 ≤ cos ≤ S2, and " + why + "; raise 'radiusScale' or"
                + " 'radius', or widen 'minCosine'/'maxCosine' of " + RealEra.PID);
    }

    /** A direction uniform on the unit sphere (a normalised Gaussian vector). */
    private static double[] direction(int width, Random random) {
        double[] u = new double[width];
        for (int i = 0; i < width; i++) {
            u[i] = random.nextGaussian();
        }
        return scaled(u, 1 / norm(u));
    }

    /**
     * @param embedding an embedding
     * @return the median of its tokens' norms
     */
    static double medianNorm(double[][] embedding) {
        return median(Arrays.stream(embedding).mapToDouble(NeighbourMining::norm).toArray());
    }

    static double cosine(double[] a, double[] b) {
        double dot = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
        }
        return dot / (norm(a) * norm(b));
    }

    static double norm(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }

    private static double[] minus(double[] a, double[] b) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] - b[i];
        }
        return out;
    }

    private static double[] plus(double[] a, double[] b) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] + b[i];
        }
        return out;
    }

    private static double[] scaled(double[] a, double s) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] * s;
        }
        return out;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    }
}
