package org.flows4j.distributions;

import java.util.List;
import org.flows4j.tensor.Autograd;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;

/**
 * A mixture of K diagonal Gaussians with trainable weights (softmax of logits), means and log
 * standard deviations: {@code p(x) = sum_k w_k N(x; mu_k, diag(sigma_k^2))}. The log-density is
 * computed with a log-sum-exp over components. Sampling draws a component per row (no gradient
 * through that choice) and reparameterises within it.
 */
public final class GaussianMixture implements Distribution {
    private static final double LOG_2PI = Math.log(2 * Math.PI);

    private final Tensor logits;
    private final Tensor means;
    private final Tensor logScales;

    /** K components with equal weights, unit scales and means drawn from N(0, I). */
    public GaussianMixture(int components, int dim, Rng rng, DType dtype) {
        this(Tensor.zeros(dtype, checkPositive(components, "components")),
                Tensor.randn(rng, dtype, components, checkPositive(dim, "dimension")),
                Tensor.zeros(dtype, components, dim));
    }

    /**
     * A mixture with the given parameters (copied into trainable leaves).
     *
     * @param logits [K] unnormalised log-weights
     * @param means [K, D]
     * @param logScales [K, D] log standard deviations
     */
    public GaussianMixture(Tensor logits, Tensor means, Tensor logScales) {
        if (logits.rank() != 1 || means.rank() != 2 || logScales.rank() != 2 || means.size(0) != logits.size(0)
                || !java.util.Arrays.equals(means.shape(), logScales.shape()) || logits.dtype() != means.dtype()
                || means.dtype() != logScales.dtype()) {
            throw new IllegalArgumentException("a mixture needs logits [K], means [K, D] and logScales [K, D] of one dtype");
        }
        checkPositive(logits.size(0), "components");
        checkPositive(means.size(1), "dimension");
        this.logits = logits.copy().requireGrad();
        this.means = means.copy().requireGrad();
        this.logScales = logScales.copy().requireGrad();
    }

    /** A mixture from weights (positive, normalised here), means and standard deviations. */
    public static GaussianMixture of(double[] weights, double[][] means, double[][] stds, DType dtype) {
        int k = weights.length;
        int d = means[0].length;
        double[] lw = new double[k];
        double[] mu = new double[k * d];
        double[] ls = new double[k * d];
        for (int c = 0; c < k; c++) {
            if (!(weights[c] > 0)) {
                throw new IllegalArgumentException("mixture weights must be positive, got " + weights[c]);
            }
            lw[c] = Math.log(weights[c]);
            for (int j = 0; j < d; j++) {
                if (!(stds[c][j] > 0)) {
                    throw new IllegalArgumentException("standard deviations must be positive, got " + stds[c][j]);
                }
                mu[c * d + j] = means[c][j];
                ls[c * d + j] = Math.log(stds[c][j]);
            }
        }
        return new GaussianMixture(Tensor.of(dtype, lw, k), Tensor.of(dtype, mu, k, d), Tensor.of(dtype, ls, k, d));
    }

    private static int checkPositive(int v, String what) {
        if (v < 1) {
            throw new IllegalArgumentException("number of " + what + " must be >= 1, got " + v);
        }
        return v;
    }

    public int components() {
        return logits.size(0);
    }

    public Tensor logits() {
        return logits;
    }

    public Tensor means() {
        return means;
    }

    public Tensor logScales() {
        return logScales;
    }

    /** log of the normalised mixture weights [K]. */
    public Tensor logWeights() {
        return logits.sub(logits.logSumExp(0, true));
    }

    @Override
    public int dim() {
        return means.size(1);
    }

    @Override
    public Tensor logProb(Tensor x) {
        StandardNormal.checkShape(x, dim());
        int n = x.size(0);
        int k = components();
        int d = dim();
        Tensor z = x.reshape(n, 1, d).sub(means).mul(logScales.neg().exp()); // [n, K, D]
        Tensor perComponent = z.square().sum(2, false).mul(-0.5)
                .sub(logScales.sum(1, false)).sub(0.5 * d * LOG_2PI); // [n, K]
        return perComponent.add(logWeights().reshape(1, k)).logSumExp(1, false);
    }

    @Override
    public Tensor sample(int n, Rng rng, DType dtype) {
        int k = components();
        double[] w;
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            w = logWeights().exp().toDoubleArray();
        }
        int[] comp = new int[n];
        for (int i = 0; i < n; i++) {
            double u = rng.nextDouble();
            int c = 0;
            double acc = w[0];
            while (u >= acc && c < k - 1) {
                c++;
                acc += w[c];
            }
            comp[i] = c;
        }
        Tensor eps = Tensor.randn(rng, means.dtype(), n, dim());
        return eps.mul(logScales.indexSelect(comp).exp()).add(means.indexSelect(comp)).to(dtype);
    }

    @Override
    public List<Tensor> parameters() {
        return List.of(logits, means, logScales);
    }
}
