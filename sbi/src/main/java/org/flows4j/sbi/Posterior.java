package org.flows4j.sbi;

import org.flows4j.flows.Flow;
import org.flows4j.tensor.Autograd;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;

/**
 * An amortised posterior q(theta | x) from {@link Npe}: samples are drawn from the flow for the
 * observation and those outside the prior support are rejected. Rejection never stalls: at most
 * {@code maxProposals} proposals are drawn, and the draw reports how many it accepted.
 */
public final class Posterior {
    private final Prior prior;
    private final Flow flow;
    private final double[] tMean;
    private final double[] tStd;
    private final double[] xMean;
    private final double[] xStd;
    private final double logStdSum;

    Posterior(Prior prior, Flow flow, double[] tMean, double[] tStd, double[] xMean, double[] xStd) {
        this.prior = prior;
        this.flow = flow;
        this.tMean = tMean;
        this.tStd = tStd;
        this.xMean = xMean;
        this.xStd = xStd;
        double s = 0;
        for (double v : tStd) {
            s += Math.log(v);
        }
        this.logStdSum = s;
    }

    /** Accepted samples (fewer than asked if the proposal cap was reached), proposals drawn, acceptance rate. */
    public record Draw(double[][] samples, long proposals, int requested) {
        public double acceptanceRate() {
            return proposals == 0 ? Double.NaN : (double) samples.length / proposals;
        }

        public boolean complete() {
            return samples.length == requested;
        }
    }

    public int dim() {
        return tMean.length;
    }

    public Flow flow() {
        return flow;
    }

    /** n samples for x_o with at most 100 n + 10000 proposals. */
    public Draw sample(int n, double[] xObserved, Rng rng) {
        return sample(n, xObserved, rng, 100L * n + 10_000);
    }

    public Draw sample(int n, double[] xObserved, Rng rng, long maxProposals) {
        if (n < 1) {
            throw new IllegalArgumentException("number of samples must be >= 1, got " + n);
        }
        double[] xz = zx(xObserved);
        int d = dim();
        double[][] out = new double[n][];
        int k = 0;
        long proposals = 0;
        int batch = Math.max(256, Math.min(n, 10_000));
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            while (k < n && proposals < maxProposals) {
                int m = (int) Math.min(batch, maxProposals - proposals);
                Tensor ctx = context(xz, m);
                Tensor s = flow.sample(m, rng, ctx);
                float[] f = s.toFloatArray();
                for (int i = 0; i < m && k < n; i++) {
                    proposals++;
                    double[] th = new double[d];
                    for (int j = 0; j < d; j++) {
                        th[j] = f[i * d + j] * tStd[j] + tMean[j];
                    }
                    if (Simulations.finite(th) && prior.inSupport(th)) {
                        out[k++] = th;
                    }
                }
                // grow the batch when most proposals are rejected, so few large batches do the work
                double rate = (double) k / proposals;
                if (k < n && rate > 0) {
                    batch = (int) Math.min(100_000, Math.max(batch, (n - k) / rate * 1.2));
                }
            }
        }
        return new Draw(java.util.Arrays.copyOf(out, k), proposals, n);
    }

    /**
     * Log-density of the flow at each theta for x_o in theta's own units (-infinity outside the
     * prior support). Not renormalised for the mass the flow puts outside the support; add
     * -log(acceptance rate) of a large {@link #sample} for that.
     */
    public double[] logProb(double[][] theta, double[] xObserved) {
        int n = theta.length;
        int d = dim();
        float[] tz = new float[n * d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                tz[i * d + j] = (float) ((theta[i][j] - tMean[j]) / tStd[j]);
            }
        }
        double[] out = new double[n];
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            Tensor lp = flow.logProb(Tensor.of(tz, n, d), context(zx(xObserved), n));
            for (int i = 0; i < n; i++) {
                out[i] = prior.inSupport(theta[i]) ? lp.getFlat(i) - logStdSum : Double.NEGATIVE_INFINITY;
            }
        }
        return out;
    }

    private double[] zx(double[] x) {
        if (x.length != xMean.length) {
            throw new IllegalArgumentException("the observation has " + x.length + " values, the simulator gives "
                    + xMean.length);
        }
        double[] z = new double[x.length];
        for (int j = 0; j < x.length; j++) {
            z[j] = (x[j] - xMean[j]) / xStd[j];
        }
        return z;
    }

    private static Tensor context(double[] xz, int m) {
        int c = xz.length;
        float[] f = new float[m * c];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < c; j++) {
                f[i * c + j] = (float) xz[j];
            }
        }
        return Tensor.of(f, m, c);
    }
}
