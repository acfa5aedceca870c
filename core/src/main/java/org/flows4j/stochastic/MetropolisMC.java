package org.flows4j.stochastic;

import java.util.List;
import org.flows4j.energy.Energy;
import org.flows4j.kernels.BulkRandom;
import org.flows4j.tensor.Autograd;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;

/**
 * Random-walk Metropolis Monte Carlo as a stochastic flow layer (the paper's MetropolisMCFlow):
 * {@code steps} moves y' = y + stepSize * N(0, I), each accepted with probability
 * min(1, exp(-(u(y') - u(y)))), one decision per sample (all coordinates move together).
 *
 * <p>Every such kernel satisfies detailed balance with respect to exp(-u), so its log ratio of
 * backward to forward path densities is dS = u(y_end) - u(y_start) (eq. 22 of the paper). As in
 * the paper's code, gradients pass through the kept positions (y_new = accepted ? y' : y) and the
 * energies; the accept decision carries none. With a trainable step size its gradient flows through
 * the accepted proposals. Both directions run the same kernel.
 */
public final class MetropolisMC extends KernelLayer {
    private final Energy energy;
    private final int dim;
    private final int steps;
    private final StepSize stepSize;

    private MetropolisMC(Builder b, Rng rng) {
        super(rng);
        this.energy = b.energy;
        this.dim = b.dim > 0 ? b.dim : b.energy.dim();
        if (dim < 1) {
            throw new IllegalArgumentException("the energy has no fixed dimension: give the layer one with dim()");
        }
        if (b.energy.dim() >= 0 && b.energy.dim() != dim) {
            throw new IllegalArgumentException("layer dimension " + dim + " differs from the energy's " + b.energy.dim());
        }
        if (b.steps < 1) {
            throw new IllegalArgumentException("number of MC steps must be >= 1, got " + b.steps);
        }
        this.steps = b.steps;
        this.stepSize = new StepSize(b.stepSize, b.trainable, b.dtype, "MC step size");
    }

    /** A builder for a Metropolis layer sampling exp(-energy). Defaults: 1 step, step size 0.1. */
    public static Builder builder(Energy energy) {
        return new Builder(energy);
    }

    /** Settings of a {@link MetropolisMC} layer. */
    public static final class Builder {
        private final Energy energy;
        private int dim = -1;
        private int steps = 1;
        private double stepSize = 0.1;
        private boolean trainable;
        private DType dtype = DType.FLOAT32;

        private Builder(Energy energy) {
            this.energy = java.util.Objects.requireNonNull(energy, "energy");
        }

        /** Dimension (needed only when the energy works in any dimension). */
        public Builder dim(int dim) {
            this.dim = dim;
            return this;
        }

        public Builder steps(int steps) {
            this.steps = steps;
            return this;
        }

        /** Standard deviation of the Gaussian proposal. */
        public Builder stepSize(double stepSize) {
            this.stepSize = stepSize;
            return this;
        }

        /** Makes the step size a trainable parameter (its logarithm is trained). */
        public Builder trainableStepSize(boolean trainable) {
            this.trainable = trainable;
            return this;
        }

        /** dtype of the trainable step size (that of the flow). */
        public Builder dtype(DType dtype) {
            this.dtype = dtype;
            return this;
        }

        public MetropolisMC build(Rng rng) {
            return new MetropolisMC(this, rng);
        }
    }

    public Energy energy() {
        return energy;
    }

    @Override
    public int dim() {
        return dim;
    }

    @Override
    public int steps() {
        return steps;
    }

    /** The current proposal standard deviation. */
    public double stepSize() {
        return stepSize.value();
    }

    @Override
    public List<Tensor> parameters() {
        return stepSize.trainable() ? List.of(stepSize.parameter()) : List.of();
    }

    @Override
    Result run(Tensor x, List<Tensor> states) {
        if (x.rank() != 2 || x.size(1) != dim) {
            throw new IllegalArgumentException("expected points of shape [batch, " + dim + "], got "
                    + java.util.Arrays.toString(x.shape()));
        }
        if (!Autograd.isGradEnabled() && states == null) {
            return runWithoutGraph(x);
        }
        DType dt = x.dtype();
        int n = x.size(0);
        Tensor step = stepSize.trainable() ? stepSize.tensor(dt) : null;
        double fixedStep = stepSize.value();
        Tensor y = x;
        Tensor e0 = energy.energy(x);
        Tensor e = e0;
        if (states != null) {
            states.add(y);
        }
        double[] rowMask = new double[n];
        double[] fullMask = new double[n * dim];
        for (int s = 0; s < steps; s++) {
            Tensor noise = Tensor.randn(rng(), dt, n, dim);
            Tensor proposal = y.add(step != null ? noise.mul(step) : noise.mul(fixedStep));
            Tensor eProposal = energy.energy(proposal);
            for (int i = 0; i < n; i++) {
                double delta = eProposal.getFlat(i) - e.getFlat(i);
                boolean accept = rng().nextDouble() < Math.exp(-delta);
                double m = accept ? 1.0 : 0.0;
                rowMask[i] = m;
                java.util.Arrays.fill(fullMask, i * dim, (i + 1) * dim, m);
            }
            y = Tensor.where(Tensor.of(dt, fullMask, n, dim), proposal, y);
            e = Tensor.where(Tensor.of(dt, rowMask, n), eProposal, e);
            if (states != null) {
                states.add(y);
            }
        }
        return new Result(y, e.sub(e0));
    }

    /**
     * The same chain without a graph, on plain arrays with the energy's {@link Energy#energyArray}
     * (energies in double precision, positions rounded to the input's dtype after every move): the
     * evaluation path. Draws the same random numbers in the same order as the graph path, in
     * blocks ({@link Rng#fillGaussianFast}, {@link Rng#fillExponential}); a proposal is accepted
     * when u(y') - u(y) < -log U, which is U < exp(-(u(y') - u(y))) up to rounding ties.
     */
    private Result runWithoutGraph(Tensor x) {
        DType dt = x.dtype();
        int n = x.size(0);
        if (dt == DType.FLOAT32 && (n * dim) % 2 == 0 && !rng().state().hasSpare()) {
            Rng.State start = rng().state();
            Result r = runInChunks(x);
            if (r != null) {
                return r;
            }
            rng().restore(start); // a zero uniform under a normal: the sequential order redraws it
        }
        double step = stepSize.value();
        boolean f32 = dt == DType.FLOAT32;
        double[] y = x.toDoubleArray();
        double[] e = energy.energyArray(y, n);
        double[] e0 = e.clone();
        double[] prop = new double[y.length];
        float[] nf = f32 ? new float[y.length] : null;
        double[] nd = f32 ? null : new double[y.length];
        double[] u = new double[n];
        float st = (float) step;
        for (int s = 0; s < steps; s++) {
            if (f32) {
                rng().fillGaussianFast(nf);
                for (int i = 0; i < prop.length; i++) {
                    prop[i] = (float) y[i] + nf[i] * st;
                }
            } else {
                rng().fillGaussian(nd);
                for (int i = 0; i < prop.length; i++) {
                    prop[i] = y[i] + nd[i] * step;
                }
            }
            double[] ep = energy.energyArray(prop, n);
            // u < exp(-delta) as delta < -log u: the same decisions (up to rounding ties), no branch
            rng().fillExponential(u);
            for (int i = 0; i < n; i++) {
                boolean accept = ep[i] - e[i] < u[i];
                int o = i * dim;
                for (int k = 0; k < dim; k++) {
                    y[o + k] = accept ? prop[o + k] : y[o + k];
                }
                e[i] = accept ? ep[i] : e[i];
            }
        }
        double[] dS = new double[n];
        for (int i = 0; i < n; i++) {
            dS[i] = e[i] - e0[i];
        }
        return new Result(Tensor.of(dt, y, n, dim), Tensor.of(dt, dS, n));
    }

    /**
     * Keeps proposal i (positions and energy) where ep[i] - e[i] < ex[i]. The decisions are
     * unpredictable, so the selection is done on the bits with an integer mask: no branch.
     */
    private void accept(double[] y, double[] p, double[] e, double[] ep, double[] ex, int m) {
        if (dim == 2) {
            for (int i = 0; i < m; i++) {
                long mask = ep[i] - e[i] < ex[i] ? -1L : 0L;
                e[i] = select(mask, ep[i], e[i]);
                y[2 * i] = select(mask, p[2 * i], y[2 * i]);
                y[2 * i + 1] = select(mask, p[2 * i + 1], y[2 * i + 1]);
            }
            return;
        }
        for (int i = 0; i < m; i++) {
            long mask = ep[i] - e[i] < ex[i] ? -1L : 0L;
            e[i] = select(mask, ep[i], e[i]);
            int o = i * dim;
            for (int k = 0; k < dim; k++) {
                y[o + k] = select(mask, p[o + k], y[o + k]);
            }
        }
    }

    private static double select(long mask, double a, double b) {
        return Double.longBitsToDouble((Double.doubleToRawLongBits(a) & mask) | (Double.doubleToRawLongBits(b) & ~mask));
    }

    /** Rows per chunk of {@link #runInChunks}: a chunk's arrays stay in cache through all steps. */
    private static final int CHUNK = 2048;
    private static final BulkRandom BULK = BulkRandom.best();

    /**
     * {@link #runWithoutGraph} for float32 with an even number of coordinates and no spare normal:
     * the same draws (SplitMix64's draw k is a function of k, so every row's normals and accept
     * test can be drawn where they fall in the sequential order), the chain run chunk by chunk
     * through all its steps so that the chunk's positions and energies stay in cache. Returns null,
     * having drawn nothing that counts, if a normal's first uniform is 0 (where the sequential
     * order redraws; probability 2^-53 a pair).
     */
    private Result runInChunks(Tensor x) {
        int n = x.size(0);
        Rng.State start = rng().state();
        long seed = start.seed();
        long gamma = start.gamma();
        long perStep = (long) n * dim + n;
        float st = (float) stepSize.value();
        float[] src = x.rawFloats();
        float[] out = new float[n * dim];
        float[] dS = new float[n];
        int c = Math.min(CHUNK, n);
        double[] y = new double[c * dim];
        double[] prop = new double[c * dim];
        float[] noise = new float[c * dim];
        double[] ex = new double[c];
        double[] ec = new double[c];
        double[] epc = new double[c];
        for (int i0 = 0; i0 < n; i0 += c) {
            int m = Math.min(c, n - i0);
            int md = m * dim;
            double[] yc = md == y.length ? y : new double[md];
            double[] pc = md == prop.length ? prop : new double[md];
            for (int k = 0; k < md; k++) {
                yc[k] = src[i0 * dim + k];
            }
            double[] e = md == y.length ? ec : new double[m];
            energy.energyArray(yc, m, e);
            double[] e0 = e.clone();
            double[] ep = md == y.length ? epc : new double[m];
            for (int s = 0; s < steps; s++) {
                long base = seed + s * perStep * gamma;
                int pairs = md / 2;
                if (BULK.gaussianPairs(base + (long) i0 * dim * gamma, gamma, noise, 0, pairs) < pairs) {
                    return null;
                }
                for (int k = 0; k < md; k++) {
                    pc[k] = (float) yc[k] + noise[k] * st;
                }
                energy.energyArray(pc, m, ep);
                BULK.exponentials(base + ((long) n * dim + i0) * gamma, gamma, ex, 0, m);
                accept(yc, pc, e, ep, ex, m);
            }
            for (int k = 0; k < md; k++) {
                out[i0 * dim + k] = (float) yc[k];
            }
            for (int i = 0; i < m; i++) {
                dS[i0 + i] = (float) (e[i] - e0[i]);
            }
        }
        rng().restore(new Rng.State(seed + steps * perStep * gamma, gamma, false, 0));
        return new Result(Tensor.of(out, n, dim), Tensor.of(dS, n));
    }

    @Override
    public String toString() {
        return "MetropolisMC(steps=" + steps + ", stepSize=" + stepSize() + (stepSize.trainable() ? " trainable" : "")
                + ", " + energy + ")";
    }
}
