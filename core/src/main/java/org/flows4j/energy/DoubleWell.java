package org.flows4j.energy;

import org.flows4j.tensor.Autograd;
import org.flows4j.tensor.Tensor;

/**
 * The double-well energy of the stochastic-normalizing-flows paper (Wu, Koehler and Noe 2020, as
 * bgflow's DoubleWellEnergy): u(x) = a x1 + b x1^2 + c x1^4 + sum_{i >= 2} x_i^2 / 2, in any
 * dimension >= 1. The paper's parameters ({@link #paper}) a = -0.5, b = -6, c = 1 give two wells
 * in x1 near -1.7 and +1.75 (the right one lower by about 1.75 kT) separated by a barrier of about
 * 10 kT; the other coordinates are independent standard normals. The gradient is analytic.
 */
public final class DoubleWell implements Energy {
    public static final double PAPER_A = -0.5;
    public static final double PAPER_B = -6.0;
    public static final double PAPER_C = 1.0;

    private final int dim;
    private final double a;
    private final double b;
    private final double c;

    public DoubleWell(int dim, double a, double b, double c) {
        if (dim < 1) {
            throw new IllegalArgumentException("dimension must be >= 1, got " + dim);
        }
        if (!Double.isFinite(a) || !Double.isFinite(b) || !(c > 0) || !Double.isFinite(c)) {
            throw new IllegalArgumentException("double well needs finite a, b and c > 0, got a=" + a + ", b=" + b
                    + ", c=" + c);
        }
        this.dim = dim;
        this.a = a;
        this.b = b;
        this.c = c;
    }

    /** The paper's double well in {@code dim} dimensions (the benchmark uses 2). */
    public static DoubleWell paper(int dim) {
        return new DoubleWell(dim, PAPER_A, PAPER_B, PAPER_C);
    }

    @Override
    public int dim() {
        return dim;
    }

    public double a() {
        return a;
    }

    public double b() {
        return b;
    }

    public double c() {
        return c;
    }

    @Override
    public Tensor energy(Tensor x) {
        checkInput(x);
        int n = x.size(0);
        Tensor x1 = x.slice(1, 0, 1).reshape(n);
        Tensor x1sq = x1.square();
        Tensor u = x1.mul(a).add(x1sq.mul(b)).add(x1sq.square().mul(c));
        if (dim > 1) {
            u = u.add(x.slice(1, 1, dim).square().sum(1, false).mul(0.5));
        }
        return u;
    }

    private Tensor analyticGradient(Tensor x) {
        Tensor x1 = x.slice(1, 0, 1);
        Tensor g1 = x1.square().mul(4 * c).add(2 * b).mul(x1).add(a);
        return dim > 1 ? Tensor.concat(1, g1, x.slice(1, 1, dim)) : g1;
    }

    @Override
    public Tensor gradient(Tensor x) {
        checkInput(x);
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            return analyticGradient(x.detach());
        }
    }

    @Override
    public Tensor gradient(Tensor x, boolean createGraph) {
        if (!createGraph) {
            return gradient(x);
        }
        checkInput(x);
        return analyticGradient(x);
    }

    /** a x1 + b x1^2 + c x1^4: the free energy of the x1 marginal (up to a constant). */
    public double energy1d(double x1) {
        double s = x1 * x1;
        return a * x1 + b * s + c * s * s;
    }

    @Override
    public double[] energyArray(double[] x, int n) {
        if (n < 1 || x.length != n * dim) {
            throw new IllegalArgumentException(x.length + " values are not " + n + " points of dimension " + dim);
        }
        double[] u = new double[n];
        energyArray(x, n, u);
        return u;
    }

    @Override
    public void energyArray(double[] x, int n, double[] u) {
        if (n < 1 || x.length != n * dim) {
            throw new IllegalArgumentException(x.length + " values are not " + n + " points of dimension " + dim);
        }
        if (dim == 2) {
            for (int i = 0; i < n; i++) {
                double x1 = x[2 * i];
                double x2 = x[2 * i + 1];
                double s = x1 * x1;
                u[i] = a * x1 + b * s + c * s * s + 0.5 * x2 * x2;
            }
            return;
        }
        for (int i = 0; i < n; i++) {
            int o = i * dim;
            double x1 = x[o];
            double s = x1 * x1;
            double e = a * x1 + b * s + c * s * s;
            for (int j = 1; j < dim; j++) {
                e += 0.5 * x[o + j] * x[o + j];
            }
            u[i] = e;
        }
    }

    @Override
    public double[] gradientArray(double[] x, int n) {
        if (n < 1 || x.length != n * dim) {
            throw new IllegalArgumentException(x.length + " values are not " + n + " points of dimension " + dim);
        }
        double[] g = new double[x.length];
        for (int i = 0; i < n; i++) {
            int o = i * dim;
            double x1 = x[o];
            g[o] = (4 * c * x1 * x1 + 2 * b) * x1 + a;
            for (int j = 1; j < dim; j++) {
                g[o + j] = x[o + j];
            }
        }
        return g;
    }

    /** u at one point (length dim). */
    public double energy(double[] x) {
        if (x.length != dim) {
            throw new IllegalArgumentException("point of length " + x.length + " for a " + dim + "-d double well");
        }
        double u = energy1d(x[0]);
        for (int i = 1; i < dim; i++) {
            u += 0.5 * x[i] * x[i];
        }
        return u;
    }

    @Override
    public String toString() {
        return "DoubleWell(dim=" + dim + ", a=" + a + ", b=" + b + ", c=" + c + ")";
    }
}
