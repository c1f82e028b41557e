package org.lethe.models.diffusion;

/**
 * A noise schedule ᾱ_t, t = 0..T − 1 (t counted from 0, as in diffusers). DDPM's linear schedule:
 * β_t rises linearly from β_1 to β_T, α_t = 1 − β_t, ᾱ_t = ∏_{s ≤ t} α_s; or the cosine schedule
 * ({@link #cosine}). Immutable.
 */
public final class NoiseSchedule {

    private final double[] alphaBar;

    /**
     * @param steps T
     * @param betaStart β at t = 0
     * @param betaEnd β at t = T − 1
     */
    public NoiseSchedule(int steps, double betaStart, double betaEnd) {
        this(linear(steps, betaStart, betaEnd));
    }

    private NoiseSchedule(double[] alphaBar) {
        this.alphaBar = alphaBar;
    }

    /**
     * The cosine schedule of Nichol and Dhariwal ("Improved Denoising Diffusion Probabilistic
     * Models", ICML 2021, eq. 17): ᾱ(t) = f(t)/f(0), f(t) = cos²(((t/T) + s)/(1 + s) · π/2), s = 0.008,
     * with each β_t = 1 − ᾱ(t+1)/ᾱ(t) clipped at 0.999 as in the paper and diffusers'
     * {@code squaredcos_cap_v2}. It destroys information more slowly than the linear schedule at
     * small image sizes, where the linear one leaves the last third of the steps as nearly pure noise.
     *
     * @param steps T
     * @return the schedule
     */
    public static NoiseSchedule cosine(int steps) {
        if (steps < 2) {
            throw new IllegalArgumentException("a schedule needs at least 2 steps, not " + steps);
        }
        double[] alphaBar = new double[steps];
        double product = 1;
        for (int t = 0; t < steps; t++) {
            double beta = Math.min(1 - cosineF(t + 1, steps) / cosineF(t, steps), 0.999);
            product *= 1 - beta;
            alphaBar[t] = product;
        }
        return new NoiseSchedule(alphaBar);
    }

    private static double cosineF(int t, int steps) {
        double c = Math.cos(((double) t / steps + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }

    private static double[] linear(int steps, double betaStart, double betaEnd) {
        if (steps < 2) {
            throw new IllegalArgumentException("a schedule needs at least 2 steps, not " + steps);
        }
        double[] alphaBar = new double[steps];
        double product = 1;
        for (int t = 0; t < steps; t++) {
            double beta = betaStart + (betaEnd - betaStart) * t / (steps - 1);
            product *= 1 - beta;
            alphaBar[t] = product;
        }
        return alphaBar;
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
