package org.flows4j.energy;

import java.util.List;
import java.util.function.Function;
import org.flows4j.nn.Module;
import org.flows4j.tensor.Autograd;
import org.flows4j.tensor.Tensor;

/**
 * A (dimensionless, units of kT) energy u(x), defining the unnormalised density exp(-u(x)).
 *
 * <p>{@link #energy} maps a batch x [batch, dim] to u [batch] and must be written with
 * {@link Tensor} ops, so that its gradient comes from autodiff, gradients of gradients included.
 * The energy of one row must depend on that row only (every built-in and every sensible energy
 * does; the force of a differentiable stochastic layer relies on it). A lambda is enough:
 *
 * <pre>{@code
 * Energy u = x -> x.slice(1, 0, 1).squeeze(1).pow(4);                     // any dimension
 * Energy v = Energy.of(2, x -> x.square().sum(1, false).mul(0.5));         // with a dimension
 * Energy w = Energy.withGradient(2, x -> ..., x -> ...);                   // analytic gradient
 * }</pre>
 *
 * <p>{@link #gradient(Tensor, boolean)} gives du/dx, detached from any graph or (createGraph)
 * differentiable with respect to x and to the energy's own parameters; the default computes it by
 * autodiff, {@link #withGradient} and the built-ins supply it in closed form.
 */
@FunctionalInterface
public interface Energy extends Module {
    /** u(x) per row: x [batch, dim] to [batch]. */
    Tensor energy(Tensor x);

    /**
     * u of {@code n} points stored row-major in {@code x} (length n * d), in double precision and
     * without recording a graph: a fast path for samplers that need no gradients (evaluation).
     * The default goes through {@link #energy(Tensor)} in float64; closed-form energies override it.
     */
    default double[] energyArray(double[] x, int n) {
        if (n < 1 || x.length % n != 0) {
            throw new IllegalArgumentException(x.length + " values do not make " + n + " points");
        }
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            return energy(Tensor.of(x, n, x.length / n)).toDoubleArray();
        }
    }

    /**
     * {@link #energyArray(double[], int)} into out[0..n) instead of a new array: for samplers that
     * call it many times on small chunks. The default copies; closed-form energies write directly.
     */
    default void energyArray(double[] x, int n, double[] out) {
        System.arraycopy(energyArray(x, n), 0, out, 0, n);
    }

    /**
     * du/dx of {@code n} points stored row-major in {@code x} (length n * d), row-major like x, in
     * double precision and without a graph: for fused kernels that take forces and gradients by
     * hand. The default goes through {@link #gradient(Tensor)} in float64; closed-form energies
     * override it.
     */
    default double[] gradientArray(double[] x, int n) {
        if (n < 1 || x.length % n != 0) {
            throw new IllegalArgumentException(x.length + " values do not make " + n + " points");
        }
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            return gradient(Tensor.of(x, n, x.length / n)).toDoubleArray();
        }
    }

    /** The dimension this energy is defined on, or -1 for any. */
    default int dim() {
        return -1;
    }

    /** Trainable parameters of the energy (none unless an implementation says so). */
    @Override
    default List<Tensor> parameters() {
        return List.of();
    }

    /** du/dx [batch, dim], detached from every graph (the way the paper's code takes forces). */
    default Tensor gradient(Tensor x) {
        return Forces.autodiffGradient(this, x);
    }

    /**
     * du/dx [batch, dim]. Without createGraph as {@link #gradient(Tensor)}; with it the result is
     * itself differentiable: with respect to x (through whatever graph x carries) and to the
     * energy's parameters, so a loss that depends on a force can be trained (a gradient of a
     * gradient). The default builds it from autodiff's second derivatives of this energy alone (it
     * never back-propagates through the graph x came from); its first derivatives are exact.
     */
    default Tensor gradient(Tensor x, boolean createGraph) {
        return createGraph ? Forces.differentiableAutodiffGradient(this, x) : gradient(x);
    }

    /** The force -du/dx. */
    default Tensor force(Tensor x, boolean createGraph) {
        return gradient(x, createGraph).neg();
    }

    /** (1 - lambda) * this + lambda * other: the interpolated energy u_lambda of annealed sampling. */
    default Energy interpolate(Energy other, double lambda) {
        return new InterpolatedEnergy(this, other, lambda);
    }

    /** Checks that x is [batch, dim] for this energy's dimension. */
    default void checkInput(Tensor x) {
        if (x.rank() != 2 || (dim() >= 0 && x.size(1) != dim())) {
            throw new IllegalArgumentException("expected points of shape [batch, " + (dim() >= 0 ? dim() : "dim")
                    + "], got " + java.util.Arrays.toString(x.shape()));
        }
    }

    /** An energy on R^dim given by a tensor function (gradient by autodiff). */
    static Energy of(int dim, Function<Tensor, Tensor> u) {
        return new FunctionEnergy(dim, u, null);
    }

    /**
     * An energy with an analytic gradient. Write the gradient with tensor ops too: then it is
     * differentiable (createGraph) at no extra cost.
     */
    static Energy withGradient(int dim, Function<Tensor, Tensor> u, Function<Tensor, Tensor> gradient) {
        return new FunctionEnergy(dim, u, java.util.Objects.requireNonNull(gradient, "gradient"));
    }

    /** |x|^2 / 2: the energy of the standard normal prior (up to its log-normaliser). */
    static Energy standardNormal(int dim) {
        return new FunctionEnergy(dim, x -> x.square().sum(1, false).mul(0.5), x -> x) {
            @Override
            public double[] energyArray(double[] x, int n) {
                double[] u = new double[n];
                energyArray(x, n, u);
                return u;
            }

            @Override
            public void energyArray(double[] x, int n, double[] u) {
                int d = x.length / n;
                if (d == 2) {
                    for (int i = 0; i < n; i++) {
                        double a = x[2 * i];
                        double b = x[2 * i + 1];
                        u[i] = 0.5 * (a * a + b * b);
                    }
                    return;
                }
                for (int i = 0; i < n; i++) {
                    double s = 0;
                    for (int j = 0; j < d; j++) {
                        double v = x[i * d + j];
                        s += v * v;
                    }
                    u[i] = 0.5 * s;
                }
            }

            @Override
            public double[] gradientArray(double[] x, int n) {
                return x.clone();
            }

            @Override
            public String toString() {
                return "StandardNormalEnergy(" + dim + ")";
            }
        };
    }

    /** Runs {@code body} with autodiff recording switched on, whatever the caller's mode. */
    static <T> T withGrad(java.util.function.Supplier<T> body) {
        try (Autograd.Scope ignored = Autograd.setGradEnabled(true)) {
            return body.get();
        }
    }
}
