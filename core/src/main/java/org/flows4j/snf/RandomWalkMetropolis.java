package org.flows4j.snf;

import java.util.function.ToDoubleFunction;
import org.flows4j.tensor.Rng;

/**
 * A single random-walk Metropolis chain in double precision, for exact (asymptotically unbiased)
 * reference samples: proposals x' = x + std * N(0, I), accepted with probability
 * min(1, exp(-(u(x') - u(x)))); {@code samples * stride} steps from {@code start}, keeping the state
 * after every {@code stride}-th step (no burn-in: the start counts, as in the paper's data).
 */
public final class RandomWalkMetropolis {
    private RandomWalkMetropolis() {}

    /** The chain's kept states [samples][dim] and its acceptance rate. */
    public record Chain(double[][] samples, double acceptance) {}

    public static Chain run(ToDoubleFunction<double[]> energy, double[] start, double proposalStd, int samples,
            int stride, Rng rng) {
        if (samples < 1 || stride < 1) {
            throw new IllegalArgumentException("samples and stride must be >= 1, got " + samples + ", " + stride);
        }
        if (!(proposalStd > 0) || !Double.isFinite(proposalStd)) {
            throw new IllegalArgumentException("proposal std must be a positive number, got " + proposalStd);
        }
        int d = start.length;
        double[] x = start.clone();
        double u = energy.applyAsDouble(x);
        if (!Double.isFinite(u)) {
            throw new IllegalArgumentException("the energy at the start point is not finite");
        }
        double[] prop = new double[d];
        double[][] out = new double[samples][];
        long accepted = 0;
        for (int s = 0; s < samples; s++) {
            for (int k = 0; k < stride; k++) {
                for (int i = 0; i < d; i++) {
                    prop[i] = x[i] + proposalStd * rng.nextGaussian();
                }
                double up = energy.applyAsDouble(prop);
                if (rng.nextDouble() < Math.exp(-(up - u))) {
                    System.arraycopy(prop, 0, x, 0, d);
                    u = up;
                    accepted++;
                }
            }
            out[s] = x.clone();
        }
        return new Chain(out, (double) accepted / ((long) samples * stride));
    }
}
