package org.lethe.models.diffusion;

/**
 * DDPM's linear noise schedule: β_t rises linearly from β_1 to β_T over T steps, α_t = 1 − β_t,
 * ᾱ_t = ∏_{s ≤ t} α_s (t counted from 0 here, as in diffusers). Immutable.
 */
public final class NoiseSchedule {

    private final double[] alphaBar;

    /**
     * @param steps T
     * @param betaStart β at t = 0
     * @param betaEnd β at t = T − 1
     */
    public NoiseSchedule(int steps, double betaStart, double betaEnd) {
        if (steps < 2) {
            throw new IllegalArgumentException("a schedule needs at least 2 steps, not " + steps);
        }
        alphaBar = new double[steps];
        double product = 1;
        for (int t = 0; t < steps; t++) {
            double beta = betaStart + (betaEnd - betaStart) * t / (steps - 1);
            product *= 1 - beta;
            alphaBar[t] = product;
        }
    }

    /** @return T */
    public int steps() {
        return alphaBar.length;
    }

    /**
     * @param t 0 to T − 1
     * @return ᾱ_t
     */
    public double alphaBar(int t) {
        if (t < 0 || t >= alphaBar.length) {
            throw new IllegalArgumentException("timestep " + t + " is outside 0.." + (alphaBar.length - 1));
        }
        return alphaBar[t];
    }

    /**
     * The timesteps a DDIM sampler of {@code n} steps visits, descending, "trailing" spacing
     * (Lin et al. 2024, as diffusers' {@code timestep_spacing="trailing"}): the first is T − 1, so
     * sampling starts from pure noise, and step k is {@code round(T − k·T/n) − 1}.
     *
     * @param n the DDIM steps, 1 to T
     * @return n timesteps, descending
     */
    public int[] ddimTimesteps(int n) {
        int total = alphaBar.length;
        if (n < 1 || n > total) {
            throw new IllegalArgumentException("DDIM steps must be from 1 to " + total + ", not " + n);
        }
        int[] out = new int[n];
        for (int k = 0; k < n; k++) {
            out[k] = (int) Math.round(total - k * (double) total / n) - 1;
        }
        return out;
    }
}
