package org.flows4j.energy;

import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;

/**
 * u(x) = -log sum_k pi_k N(x; mu_k, diag(sigma_k^2)): the energy of a Gaussian mixture with
 * diagonal covariances, normalised (exp(-u) integrates to 1, so log Z = 0), with an exact sampler
 * for reference values. Gradient by autodiff.
 */
public final class GaussianMixtureEnergy implements Energy {
    private static final double LOG_2PI = Math.log(2 * Math.PI);

    private final int dim;
    private final double[] weights;
    private final double[][] means;
    private final double[][] stds;
    private final double[] logNorm;

    /**
     * @param weights mixture weights (positive; normalised here)
     * @param means one mean per component, each of length dim
     * @param stds one standard deviation per component and coordinate
     */
    public GaussianMixtureEnergy(double[] weights, double[][] means, double[][] stds) {
        int k = weights.length;
        if (k < 1 || means.length != k || stds.length != k) {
            throw new IllegalArgumentException("need one weight, mean and std vector per component (got " + k + ", "
                    + means.length + ", " + stds.length + ")");
        }
        this.dim = means[0].length;
        if (dim < 1) {
            throw new IllegalArgumentException("means must have dimension >= 1");
        }
        double total = 0;
        for (double w : weights) {
            if (!(w > 0) || !Double.isFinite(w)) {
                throw new IllegalArgumentException("mixture weights must be positive and finite, got " + w);
            }
            total += w;
        }
        this.weights = new double[k];
        this.means = new double[k][];
        this.stds = new double[k][];
        this.logNorm = new double[k];
        for (int j = 0; j < k; j++) {
            if (means[j].length != dim || stds[j].length != dim) {
                throw new IllegalArgumentException("component " + j + " has a mean or std of the wrong length");
            }
            this.weights[j] = weights[j] / total;
            this.means[j] = means[j].clone();
            this.stds[j] = stds[j].clone();
            double ln = Math.log(this.weights[j]) - 0.5 * dim * LOG_2PI;
            for (double s : stds[j]) {
                if (!(s > 0) || !Double.isFinite(s)) {
                    throw new IllegalArgumentException("standard deviations must be positive and finite, got " + s);
                }
                ln -= Math.log(s);
            }
            this.logNorm[j] = ln;
        }
    }

    /** Equal-weight mixture of isotropic components with one standard deviation for all. */
    public static GaussianMixtureEnergy isotropic(double[][] means, double std) {
        double[] w = new double[means.length];
        double[][] s = new double[means.length][];
        for (int j = 0; j < means.length; j++) {
            w[j] = 1;
            s[j] = new double[means[j].length];
            java.util.Arrays.fill(s[j], std);
        }
        return new GaussianMixtureEnergy(w, means, s);
    }

    /** One Gaussian N(mean, diag(std^2)). */
    public static GaussianMixtureEnergy gaussian(double[] mean, double[] std) {
        return new GaussianMixtureEnergy(new double[] {1}, new double[][] {mean}, new double[][] {std});
    }

    @Override
    public int dim() {
        return dim;
    }

    public int components() {
        return weights.length;
    }

    public double[] weights() {
        return weights.clone();
    }

    public double[] mean(int component) {
        return means[component].clone();
    }

    public double[] std(int component) {
        return stds[component].clone();
    }

    @Override
    public Tensor energy(Tensor x) {
        checkInput(x);
        DType dt = x.dtype();
        int k = weights.length;
        Tensor[] logs = new Tensor[k];
        for (int j = 0; j < k; j++) {
            Tensor mu = Tensor.of(dt, means[j], 1, dim);
            double[] inv = new double[dim];
            for (int i = 0; i < dim; i++) {
                inv[i] = 1.0 / stds[j][i];
            }
            Tensor z = x.sub(mu).mul(Tensor.of(dt, inv, 1, dim));
            logs[j] = z.square().sum(1, true).mul(-0.5).add(logNorm[j]);
        }
        Tensor all = k == 1 ? logs[0] : Tensor.concat(1, logs);
        return all.logSumExp(1, false).neg();
    }

    @Override
    public double[] energyArray(double[] x, int n) {
        if (n < 1 || x.length != n * dim) {
            throw new IllegalArgumentException(x.length + " values are not " + n + " points of dimension " + dim);
        }
        double[] u = new double[n];
        double[] p = new double[dim];
        for (int i = 0; i < n; i++) {
            System.arraycopy(x, i * dim, p, 0, dim);
            u[i] = energy(p);
        }
        return u;
    }

    /** u at one point, in double precision. */
    public double energy(double[] x) {
        double max = Double.NEGATIVE_INFINITY;
        double[] l = new double[weights.length];
        for (int j = 0; j < weights.length; j++) {
            double q = 0;
            for (int i = 0; i < dim; i++) {
                double z = (x[i] - means[j][i]) / stds[j][i];
                q += z * z;
            }
            l[j] = logNorm[j] - 0.5 * q;
            max = Math.max(max, l[j]);
        }
        double s = 0;
        for (double v : l) {
            s += Math.exp(v - max);
        }
        return -(max + Math.log(s));
    }

    /** n exact samples [n][dim]. */
    public double[][] sample(int n, Rng rng) {
        double[][] out = new double[n][dim];
        for (int r = 0; r < n; r++) {
            double u = rng.nextDouble();
            int j = 0;
            double acc = weights[0];
            while (u >= acc && j < weights.length - 1) {
                j++;
                acc += weights[j];
            }
            for (int i = 0; i < dim; i++) {
                out[r][i] = means[j][i] + stds[j][i] * rng.nextGaussian();
            }
        }
        return out;
    }

    /** Exact mean of the mixture. */
    public double[] exactMean() {
        double[] m = new double[dim];
        for (int j = 0; j < weights.length; j++) {
            for (int i = 0; i < dim; i++) {
                m[i] += weights[j] * means[j][i];
            }
        }
        return m;
    }

    /** Exact E[x_i^2] per coordinate. */
    public double[] exactSecondMoment() {
        double[] m = new double[dim];
        for (int j = 0; j < weights.length; j++) {
            for (int i = 0; i < dim; i++) {
                m[i] += weights[j] * (stds[j][i] * stds[j][i] + means[j][i] * means[j][i]);
            }
        }
        return m;
    }

    @Override
    public String toString() {
        return "GaussianMixtureEnergy(" + weights.length + " components, dim " + dim + ")";
    }
}
