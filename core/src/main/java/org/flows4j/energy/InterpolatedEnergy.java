package org.flows4j.energy;

import java.util.ArrayList;
import java.util.List;
import org.flows4j.tensor.Tensor;

/**
 * u_lambda = (1 - lambda) u_0 + lambda u_1, the energy a stochastic block between prior (u_0) and
 * target (u_1) samples in annealed importance sampling and stochastic normalizing flows. Its
 * gradient combines the two parts' own gradients (analytic where they have one).
 */
public final class InterpolatedEnergy implements Energy {
    private final Energy start;
    private final Energy end;
    private final double lambda;

    public InterpolatedEnergy(Energy start, Energy end, double lambda) {
        if (!(lambda >= 0 && lambda <= 1)) {
            throw new IllegalArgumentException("lambda must be in [0, 1], got " + lambda);
        }
        if (start.dim() >= 0 && end.dim() >= 0 && start.dim() != end.dim()) {
            throw new IllegalArgumentException("cannot interpolate energies of dimensions " + start.dim() + " and "
                    + end.dim());
        }
        this.start = start;
        this.end = end;
        this.lambda = lambda;
    }

    public Energy start() {
        return start;
    }

    public Energy end() {
        return end;
    }

    public double lambda() {
        return lambda;
    }

    @Override
    public int dim() {
        return start.dim() >= 0 ? start.dim() : end.dim();
    }

    @Override
    public Tensor energy(Tensor x) {
        if (lambda == 0) {
            return start.energy(x);
        }
        if (lambda == 1) {
            return end.energy(x);
        }
        return start.energy(x).mul(1 - lambda).add(end.energy(x).mul(lambda));
    }

    @Override
    public double[] energyArray(double[] x, int n) {
        if (lambda == 0) {
            return start.energyArray(x, n);
        }
        if (lambda == 1) {
            return end.energyArray(x, n);
        }
        double[] a = start.energyArray(x, n);
        double[] b = end.energyArray(x, n);
        for (int i = 0; i < n; i++) {
            a[i] = (1 - lambda) * a[i] + lambda * b[i];
        }
        return a;
    }

    @Override
    public void energyArray(double[] x, int n, double[] out) {
        if (lambda == 0) {
            start.energyArray(x, n, out);
            return;
        }
        if (lambda == 1) {
            end.energyArray(x, n, out);
            return;
        }
        double[] b = scratch.get();
        if (b.length < n) {
            b = new double[n];
            scratch.set(b);
        }
        start.energyArray(x, n, out);
        end.energyArray(x, n, b);
        for (int i = 0; i < n; i++) {
            out[i] = (1 - lambda) * out[i] + lambda * b[i];
        }
    }

    /** Per-thread room for the target's energies in {@link #energyArray(double[], int, double[])}. */
    private final ThreadLocal<double[]> scratch = ThreadLocal.withInitial(() -> new double[0]);

    @Override
    public double[] gradientArray(double[] x, int n) {
        if (lambda == 0) {
            return start.gradientArray(x, n);
        }
        if (lambda == 1) {
            return end.gradientArray(x, n);
        }
        double[] a = start.gradientArray(x, n);
        double[] b = end.gradientArray(x, n);
        for (int i = 0; i < a.length; i++) {
            a[i] = (1 - lambda) * a[i] + lambda * b[i];
        }
        return a;
    }

    @Override
    public Tensor gradient(Tensor x) {
        if (lambda == 0) {
            return start.gradient(x);
        }
        if (lambda == 1) {
            return end.gradient(x);
        }
        return combine(start.gradient(x), end.gradient(x));
    }

    @Override
    public Tensor gradient(Tensor x, boolean createGraph) {
        if (lambda == 0) {
            return start.gradient(x, createGraph);
        }
        if (lambda == 1) {
            return end.gradient(x, createGraph);
        }
        return combine(start.gradient(x, createGraph), end.gradient(x, createGraph));
    }

    private Tensor combine(Tensor g0, Tensor g1) {
        return g0.mul(1 - lambda).add(g1.mul(lambda));
    }

    @Override
    public List<Tensor> parameters() {
        List<Tensor> ps = new ArrayList<>(start.parameters());
        for (Tensor p : end.parameters()) {
            if (ps.stream().noneMatch(q -> q == p)) {
                ps.add(p);
            }
        }
        return ps;
    }

    @Override
    public String toString() {
        return "InterpolatedEnergy(lambda=" + lambda + ", " + start + " -> " + end + ")";
    }
}
