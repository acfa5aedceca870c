package org.flows4j.snf;

import java.util.List;
import org.flows4j.energy.Energy;
import org.flows4j.flows.Flow;
import org.flows4j.nn.Module;
import org.flows4j.tensor.Autograd;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;
import org.flows4j.transforms.Transform;

/**
 * A Boltzmann generator (Noe et al. 2019) and, with stochastic layers in its flow, a stochastic
 * normalizing flow (Wu, Koehler and Noe 2020): a flow whose base is the prior exp(-u_Z) and whose
 * samples should follow the target exp(-u_X), plus both energies, so every generated path carries
 * an importance weight.
 *
 * <p>Conventions (those of the paper; SNF.md): the flow's log-dets (for stochastic layers, the
 * log ratio of backward to forward transition densities) summed along the path from z to x give
 * dS_ZX, and the path's log weight is log w(z -> x) = -u_X(x) + u_Z(z) + dS_ZX; the other way,
 * log w(x -> z) = -u_Z(z) + u_X(x) + dS_XZ. The losses are J_KL = E_z[-log w(z -> x)] (reverse,
 * needs only the energy) and J_ML = E_data[-log w(x -> z)] (forward, needs samples); they differ
 * from the reference code's printed losses only by terms that do not depend on the parameters
 * (its KL omits u_Z, its NLL omits u_X).
 */
public final class BoltzmannGenerator implements Module {
    private final Flow flow;
    private final Energy prior;
    private final Energy target;

    /**
     * @param flow a flow whose base has energy {@code prior} (up to a constant)
     * @param prior u_Z, the base distribution's energy
     * @param target u_X, the energy to sample
     */
    public BoltzmannGenerator(Flow flow, Energy prior, Energy target) {
        this.flow = java.util.Objects.requireNonNull(flow, "flow");
        this.prior = java.util.Objects.requireNonNull(prior, "prior");
        this.target = java.util.Objects.requireNonNull(target, "target");
        for (Energy e : List.of(prior, target)) {
            if (e.dim() >= 0 && e.dim() != flow.dim()) {
                throw new IllegalArgumentException("an energy of dimension " + e.dim() + " for a flow of dimension "
                        + flow.dim());
            }
        }
    }

    public Flow flow() {
        return flow;
    }

    public Transform transform() {
        return flow.transform();
    }

    public Energy prior() {
        return prior;
    }

    public Energy target() {
        return target;
    }

    public int dim() {
        return flow.dim();
    }

    @Override
    public List<Tensor> parameters() {
        return flow.parameters();
    }

    /**
     * Paths from the prior: latent z, generated x, dS_ZX, the energies and log w(z -> x), all
     * [n] or [n, dim]. Records a graph when recording is on (for J_KL).
     */
    public record Paths(Tensor z, Tensor x, Tensor dS, Tensor priorEnergy, Tensor targetEnergy, Tensor logWeights) {
        /** log w as doubles. */
        public double[] logWeightArray() {
            return logWeights.toDoubleArray();
        }
    }

    /** n paths z -> x with z from the prior. */
    public Paths sample(int n, Rng rng) {
        if (n < 1) {
            throw new IllegalArgumentException("number of samples must be >= 1, got " + n);
        }
        return paths(flow.base().sample(n, rng, flow.dtype()));
    }

    /** Paths from the given latent points. */
    private Paths paths(Tensor z) {
        Transform.Result r = flow.transform().inverse(z, null);
        Tensor uz = prior.energy(z);
        Tensor ux = target.energy(r.y());
        Tensor logW = uz.sub(ux).add(r.logAbsDet());
        return new Paths(z, r.y(), r.logAbsDet(), uz, ux, logW);
    }

    /**
     * As {@link #sample} without recording gradients, in chunks of at most {@code chunk} rows, as
     * doubles. A float32 standard normal base is drawn in vectorised blocks
     * ({@link Rng#fillGaussianFast}: the same draws, a value at most one float32 rounding step
     * from {@link #sample}'s).
     */
    public SampleArrays sampleArrays(int n, int chunk, Rng rng) {
        int d = dim();
        boolean fastBase = flow.base() instanceof org.flows4j.distributions.StandardNormal
                && flow.dtype() == org.flows4j.tensor.DType.FLOAT32;
        double[] x = new double[n * d];
        double[] logW = new double[n];
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            for (int s = 0; s < n; s += chunk) {
                int m = Math.min(chunk, n - s);
                Paths p = fastBase ? paths(fastNormals(m, rng)) : sample(m, rng);
                double[] xs = p.x().toDoubleArray();
                System.arraycopy(xs, 0, x, s * d, xs.length);
                double[] lw = p.logWeights().toDoubleArray();
                System.arraycopy(lw, 0, logW, s, m);
            }
        }
        return new SampleArrays(n, d, x, logW);
    }

    private Tensor fastNormals(int m, Rng rng) {
        float[] z = new float[m * dim()];
        rng.fillGaussianFast(z);
        return Tensor.of(z, m, dim());
    }

    /** Generated points (row-major [n * dim]) and log weights [n]. */
    public record SampleArrays(int n, int dim, double[] x, double[] logWeights) {
        /** Column {@code j} of the points. */
        public double[] column(int j) {
            double[] c = new double[n];
            for (int i = 0; i < n; i++) {
                c[i] = x[i * dim + j];
            }
            return c;
        }
    }

    /** Paths from data x to the latent space: z, dS_XZ and log w(x -> z). */
    public record LatentPaths(Tensor z, Tensor dS, Tensor logWeights) {}

    public LatentPaths latent(Tensor x) {
        Transform.Result r = flow.transform().forward(x, null);
        Tensor logW = target.energy(x).sub(prior.energy(r.y())).add(r.logAbsDet());
        return new LatentPaths(r.y(), r.logAbsDet(), logW);
    }

    /** J_ML on a batch of data: mean of -log w(x -> z). */
    public Tensor mlLoss(Tensor x) {
        return latent(x).logWeights().mean().neg();
    }

    /** J_KL from n fresh prior samples: mean of -log w(z -> x). */
    public Tensor klLoss(int n, Rng rng) {
        return sample(n, rng).logWeights().mean().neg();
    }
}
