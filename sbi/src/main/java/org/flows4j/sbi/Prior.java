package org.flows4j.sbi;

import org.flows4j.tensor.Rng;

/** A prior over parameters theta in R^dim: sampling, support and log-density. */
public interface Prior {
    int dim();

    /** Writes one draw into {@code out} (length dim). */
    void sample(Rng rng, double[] out);

    /** True if theta has positive prior density. */
    boolean inSupport(double[] theta);

    /** Log-density (-infinity outside the support). */
    double logProb(double[] theta);

    /** n draws, one per row, from one generator (so reproducible from its seed). */
    default double[][] sample(int n, Rng rng) {
        if (n < 0) {
            throw new IllegalArgumentException("number of draws must be >= 0, got " + n);
        }
        double[][] out = new double[n][dim()];
        for (int i = 0; i < n; i++) {
            sample(rng, out[i]);
        }
        return out;
    }
}
