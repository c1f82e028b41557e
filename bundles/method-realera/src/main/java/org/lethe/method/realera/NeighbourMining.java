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

    /**
     * A position is mined when D1 is at least this multiple of the distance of the nearest point whose
     * cosine with e_p is S2 [R]: just above 1 the admissible set is a sliver (S1 ≈ S2) that uniform draws
     * almost never hit; at 2 at least half of the radii can be accepted.
     */
    static final double ROOM = 2;

    private NeighbourMining() {
    }

    /**
     * The geometry of one erased concept, position by position, and the radius it gives.
     *
     * @param concept the concept's name
     * @param synonymDistance d_syn per position: the median distance to its given aliases (0 without aliases)
     * @param otherDistance d_other per position: the distance to the nearest different concept (NaN when none)
     * @param nearestOther that concept's name per position ("" when none)
     * @param norm ‖e_p‖ per position
     * @param d1 D1 per position, the neighbourhood radius
     * @param d2 D2 per position, the outer radius of the beyond-concept shell
     * @param minCosine S1 per position
     * @param maxCosine S2
     * @param how how D1 and S1 were set, in words
     */
    record Radius(String concept, double[] synonymDistance, double[] otherDistance, String[] nearestOther,
            double[] norm, double[] d1, double[] d2, double[] minCosine, double maxCosine, String how) {

        /**
         * @param p a position
         * @return whether it is mined: S1 ≤ S2 and D1 at least {@link #ROOM} times ‖e_p‖·√(1 − S2²), the
         *     distance of the nearest point whose cosine with e_p is S2. Where the other concepts lie
         *     within a near-copy of e_p (the end marker and padding long after the concept word) the
         *     position carries little of the concept and is not mined: its tokens are copies of e's.
         */
        boolean mined(int p) {
            return d1[p] > 0 && minCosine[p] <= maxCosine && d1[p] >= ROOM * nearestAtMaxCosine(p);
        }

        /** @return ‖e_p‖·√(1 − S2²) */
        double nearestAtMaxCosine(int p) {
            double s2 = Math.min(1, maxCosine);
            return norm[p] * Math.sqrt(1 - s2 * s2);
        }

        /** @return the positions mined */
        List<Integer> minedPositions() {
            List<Integer> out = new ArrayList<>();
            for (int p = 0; p < d1.length; p++) {
                if (mined(p)) {
                    out.add(p);
                }
            }
            return out;
        }

        /** @return the measured distances and the constraints, for the log and refusals */
        String describe() {
            StringBuilder out = new StringBuilder("'" + concept + "' (" + how + "; S2 " + maxCosine + "):");
            for (int p = 0; p < d1.length; p++) {
                out.append(String.format(Locale.ROOT, " position %d: d_syn %.4f, d_other %.4f%s, ‖e‖ %.3f → D1 %.4f,"
                        + " S1 %.6f, D2 %.4f, %s;", p, synonymDistance[p], otherDistance[p],
                        nearestOther[p].isEmpty() ? "" : " (to '" + nearestOther[p] + "')", norm[p], d1[p], minCosine[p],
                        d2[p], mined(p) ? "mined" : String.format(Locale.ROOT, "not mined (a neighbour with cos ≤ S2"
                                + " lies at least %.4f away, D1 must be %s times that)", nearestAtMaxCosine(p), ROOM)));
            }
            out.setLength(out.length() - 1);
            return out.toString();
        }
    }

    /**
     * How the radius is set: the settings of §3.1 that override or scale the calibration.
     *
     * @param radius D1 before scaling, or 0 to calibrate it
     * @param radiusScale the multiplier of D1 (the paper's key ablation sweeps it)
     * @param radiusCap the cap of the calibrated D1 as a fraction of d_other, in (0, 1]
     * @param minCosine S1, or a value below −1 for the cosine at D1
     * @param maxCosine S2
     * @param shellScale D2 / D1
     */
    record Settings(double radius, double radiusScale, double radiusCap, double minCosine, double maxCosine,
            double shellScale) {
    }

    /**
     * @param a an embedding (positions × width)
     * @param b another, same shape
     * @return ‖a_p − b_p‖ per position
     */
    static double[] distances(double[][] a, double[][] b) {
        double[] out = new double[a.length];
        for (int p = 0; p < a.length; p++) {
            out[p] = norm(minus(a[p], b[p]));
        }
        return out;
    }

    /**
     * Calibrates D1, S1, S2 and D2 for one concept (§3.1), position by position: D1_p = radiusScale ·
     * min(½(d_syn,p + d_other,p), radiusCap · d_other,p), or radiusScale · radius at every position when
     * a radius is given; S1_p = the cosine of e_p and e_p + η for η ⟂ e_p with ‖η‖ = D1_p (the cosine at
     * D1), unless set; D2_p = shellScale · D1_p.
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
        int positions = embedding.length;
        if (settings.radius() <= 0 && others.isEmpty()) {
            throw LetheException.invalidInput("realera: cannot calibrate the radius of '" + concept
                    + "': there is no other concept to measure d_other against (give a keep role, or set 'radius' of "
                    + RealEra.PID + ")");
        }
        List<double[]> aliasDistances = aliases.stream().map(a -> distances(embedding, a)).toList();
        double[] synonym = new double[positions];
        double[] other = new double[positions];
        String[] nearest = new String[positions];
        double[] norm = new double[positions];
        double[] d1 = new double[positions];
        double[] s1 = new double[positions];
        double[] d2 = new double[positions];
        Arrays.fill(other, Double.NaN);
        Arrays.fill(nearest, "");
        for (Map.Entry<String, double[][]> o : others.entrySet()) {
            double[] d = distances(embedding, o.getValue());
            for (int p = 0; p < positions; p++) {
                if (!(d[p] >= other[p])) {
                    other[p] = d[p];
                    nearest[p] = o.getKey();
                }
            }
        }
        boolean capped = false;
        for (int p = 0; p < positions; p++) {
            final int position = p;
            synonym[p] = aliasDistances.isEmpty() ? 0
                    : median(aliasDistances.stream().mapToDouble(d -> d[position]).toArray());
            norm[p] = norm(embedding[p]);
            double unscaled;
            if (settings.radius() > 0) {
                unscaled = settings.radius();
            } else {
                double midpoint = 0.5 * (synonym[p] + other[p]);
                unscaled = Math.min(midpoint, settings.radiusCap() * other[p]);
                capped |= unscaled < midpoint;
            }
            d1[p] = settings.radiusScale() * unscaled;
            d2[p] = settings.shellScale() * d1[p];
            s1[p] = settings.minCosine() < -1 ? norm[p] / Math.sqrt(norm[p] * norm[p] + d1[p] * d1[p])
                    : settings.minCosine();
        }
        String how = settings.radius() > 0 ? "D1 = radius " + settings.radius()
                : "D1 = ½(d_syn + d_other)" + (capped ? ", capped at " + settings.radiusCap() + "·d_other" : "");
        if (settings.radiusScale() != 1) {
            how += " × radiusScale " + settings.radiusScale();
        }
        how += settings.minCosine() < -1 ? "; S1 = cos at D1" : "; S1 set";
        return new Radius(concept, synonym, other, nearest, norm, d1, d2, s1, settings.maxCosine(), how);
    }

    /**
     * Mines neighbours e' = e + η (§3.1): at each mined position, η_p = r·u with u uniform on the
     * sphere and r uniform in (0, D1_p), accepted iff ‖η_p‖ ≤ D1_p and S1_p ≤ cos(e_p, e_p + η_p) ≤ S2;
     * the other positions are copies of e's.
     *
     * @param embedding e
     * @param radius the constraints
     * @param count how many
     * @param random the source of the draws
     * @return the neighbours
     * @throws LetheException (invalid input) when the constraints admit no neighbour at any position
     *     (the message gives d_syn, d_other, D1, S1, S2 of every position)
     */
    static List<double[][]> neighbours(double[][] embedding, Radius radius, int count, Random random) {
        if (radius.minedPositions().isEmpty()) {
            throw noNeighbours(radius, "no position admits one");
        }
        List<double[][]> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            double[][] neighbour = new double[embedding.length][];
            for (int p = 0; p < embedding.length; p++) {
                neighbour[p] = radius.mined(p) ? neighbourOfToken(embedding[p], radius, p, random) : embedding[p].clone();
            }
            out.add(neighbour);
        }
        return out;
    }

    /**
     * Beyond-concept samples (§3.2): at each mined position, e_p + η with D1_p &lt; ‖η‖ ≤ D2_p, direction
     * uniform on the sphere, radius uniform in (D1_p, D2_p], no cosine constraint; the other positions
     * are copies of e's.
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
                if (radius.mined(p)) {
                    // 1 − U[0, 1) is in (0, 1]: the radius is in (D1, D2]
                    double r = radius.d1()[p] + (1 - random.nextDouble()) * (radius.d2()[p] - radius.d1()[p]);
                    sample[p] = plus(embedding[p], scaled(direction(embedding[p].length, random), r));
                } else {
                    sample[p] = embedding[p].clone();
                }
            }
            out.add(sample);
        }
        return out;
    }

    private static double[] neighbourOfToken(double[] token, Radius radius, int p, Random random) {
        double d1 = radius.d1()[p];
        for (int attempt = 0; attempt < TRIES; attempt++) {
            double r = random.nextDouble() * d1;
            double[] candidate = plus(token, scaled(direction(token.length, random), r));
            double cos = cosine(token, candidate);
            if (norm(minus(candidate, token)) <= d1 && cos >= radius.minCosine()[p] && cos <= radius.maxCosine()) {
                return candidate;
            }
        }
        throw noNeighbours(radius, TRIES + " draws at position " + p + " found none");
    }

    private static LetheException noNeighbours(Radius radius, String why) {
        return LetheException.invalidInput("realera: the radius leaves no neighbours (" + why + "; a neighbour token must"
                + " lie within D1 of e's with S1 ≤ cos ≤ S2; raise 'radiusScale' or 'radius', or widen"
                + " 'minCosine'/'maxCosine' of " + RealEra.PID + "): " + radius.describe());
    }

    /** A direction uniform on the unit sphere (a normalised Gaussian vector). */
    private static double[] direction(int width, Random random) {
        double[] u = new double[width];
        for (int i = 0; i < width; i++) {
            u[i] = random.nextGaussian();
        }
        return scaled(u, 1 / norm(u));
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
