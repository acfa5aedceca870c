package org.flows4j.energy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.function.Function;
import org.flows4j.tensor.Autograd;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class EnergyTest {
    private static final DType F64 = DType.FLOAT64;

    /** Central differences of the summed energy, per element of x. */
    private static double[] numericGradient(Energy e, Tensor x) {
        double[] data = x.toDoubleArray();
        double[] out = new double[data.length];
        int[] shape = x.shape();
        double h = 1e-6;
        for (int i = 0; i < data.length; i++) {
            double[] p = data.clone();
            double[] m = data.clone();
            p[i] += h;
            m[i] -= h;
            double up = e.energy(Tensor.of(p, shape)).sum().item();
            double um = e.energy(Tensor.of(m, shape)).sum().item();
            out[i] = (up - um) / (2 * h);
        }
        return out;
    }

    private static Tensor points(Rng rng, int n, int d, double scale) {
        return Tensor.randn(rng, F64, n, d).mul(scale);
    }

    private static void assertGradientMatchesFiniteDifferences(Energy e, Tensor x) {
        double[] num = numericGradient(e, x);
        double[] detached = e.gradient(x).toDoubleArray();
        double[] graph = e.gradient(x, true).toDoubleArray();
        for (int i = 0; i < num.length; i++) {
            double tol = 1e-6 * Math.max(1, Math.abs(num[i]));
            assertThat(detached[i]).as("gradient %d of %s", i, e).isCloseTo(num[i], within(tol));
            assertThat(graph[i]).as("createGraph gradient %d of %s", i, e).isCloseTo(num[i], within(tol));
        }
    }

    @Test
    void doubleWellHasThePapersFormulaAndGradient() {
        DoubleWell dw = DoubleWell.paper(2);
        Tensor x = Tensor.of(new double[] {1.5, -0.7, -2.0, 0.3}, 2, 2);
        double[] u = dw.energy(x).toDoubleArray();
        assertThat(u[0]).isCloseTo(Math.pow(1.5, 4) - 6 * 1.5 * 1.5 - 0.5 * 1.5 + 0.5 * 0.49, within(1e-12));
        assertThat(u[1]).isCloseTo(16 - 24 + 1 + 0.5 * 0.09, within(1e-12));
        assertThat(dw.energy(new double[] {1.5, -0.7})).isCloseTo(u[0], within(1e-12));
        assertGradientMatchesFiniteDifferences(dw, points(new Rng(1), 7, 2, 1.5));
        assertGradientMatchesFiniteDifferences(DoubleWell.paper(1), points(new Rng(2), 5, 1, 1.5));
        assertGradientMatchesFiniteDifferences(DoubleWell.paper(5), points(new Rng(3), 4, 5, 1.5));
        // The same energy as a plain lambda: gradient by autodiff.
        Energy viaAutodiff = Energy.of(3, DoubleWell.paper(3)::energy);
        assertGradientMatchesFiniteDifferences(viaAutodiff, points(new Rng(4), 6, 3, 1.5));
    }

    @Test
    void doubleWellWellsAndBarrierAreThePapers() {
        DoubleWell dw = DoubleWell.paper(2);
        double left = minimise(dw, -2.5, 0);
        double right = minimise(dw, 0, 2.5);
        assertThat(left).isCloseTo(-1.71, within(0.02));
        assertThat(right).isCloseTo(1.75, within(0.02));
        double barrier = dw.energy1d(minimiseNeg(dw, -1, 1));
        assertThat(barrier - dw.energy1d(right)).isBetween(9.5, 11.5);
        assertThat(dw.energy1d(left) - dw.energy1d(right)).isCloseTo(1.74, within(0.05));
    }

    private static double minimise(DoubleWell dw, double lo, double hi) {
        double best = lo;
        for (double x = lo; x <= hi; x += 1e-4) {
            if (dw.energy1d(x) < dw.energy1d(best)) {
                best = x;
            }
        }
        return best;
    }

    private static double minimiseNeg(DoubleWell dw, double lo, double hi) {
        double best = lo;
        for (double x = lo; x <= hi; x += 1e-4) {
            if (dw.energy1d(x) > dw.energy1d(best)) {
                best = x;
            }
        }
        return best;
    }

    @Test
    void gaussianMixtureEnergyIsNormalisedAndMatchesFiniteDifferences() {
        GaussianMixtureEnergy gm = new GaussianMixtureEnergy(new double[] {1, 3},
                new double[][] {{-1, 0.5}, {2, -1}}, new double[][] {{0.5, 1.0}, {0.8, 0.3}});
        assertGradientMatchesFiniteDifferences(gm, points(new Rng(5), 9, 2, 2.0));
        // exp(-u) integrates to 1 (grid quadrature).
        double h = 0.02;
        double sum = 0;
        for (double a = -6; a <= 6; a += h) {
            for (double b = -6; b <= 6; b += h) {
                sum += Math.exp(-gm.energy(new double[] {a, b})) * h * h;
            }
        }
        assertThat(sum).isCloseTo(1.0, within(1e-3));
        Tensor x = points(new Rng(6), 5, 2, 2.0);
        double[] u = gm.energy(x).toDoubleArray();
        for (int r = 0; r < 5; r++) {
            assertThat(gm.energy(new double[] {x.get(r, 0), x.get(r, 1)})).isCloseTo(u[r], within(1e-10));
        }
        double[][] s = gm.sample(200_000, new Rng(7));
        double m0 = 0;
        for (double[] p : s) {
            m0 += p[0];
        }
        assertThat(m0 / s.length).isCloseTo(gm.exactMean()[0], within(0.02));
    }

    @Test
    void lambdaEnergiesAndInterpolationHaveConsistentGradients() {
        Energy quartic = x -> x.square().square().sum(1, false);
        assertGradientMatchesFiniteDifferences(quartic, points(new Rng(8), 4, 3, 1.0));
        Energy analytic = Energy.withGradient(2, x -> x.square().square().sum(1, false), x -> x.pow(3).mul(4));
        assertGradientMatchesFiniteDifferences(analytic, points(new Rng(9), 4, 2, 1.0));
        Energy u = Energy.standardNormal(2).interpolate(DoubleWell.paper(2), 0.3);
        assertGradientMatchesFiniteDifferences(u, points(new Rng(10), 6, 2, 1.5));
        Tensor x = points(new Rng(11), 6, 2, 1.5);
        double[] mix = u.energy(x).toDoubleArray();
        double[] a = Energy.standardNormal(2).energy(x).toDoubleArray();
        double[] b = DoubleWell.paper(2).energy(x).toDoubleArray();
        for (int i = 0; i < 6; i++) {
            assertThat(mix[i]).isCloseTo(0.7 * a[i] + 0.3 * b[i], within(1e-12));
        }
        assertThatThrownBy(() -> Energy.standardNormal(2).interpolate(DoubleWell.paper(3), 0.5))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new InterpolatedEnergy(quartic, quartic, 1.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DoubleWell.paper(2).energy(Tensor.zeros(F64, 3, 3)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void gradientsWorkInsideNoGradScopes() {
        Energy quartic = x -> x.square().square().sum(1, false);
        Tensor x = points(new Rng(12), 3, 2, 1.0);
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            double[] g = quartic.gradient(x).toDoubleArray();
            double[] g2 = quartic.gradient(x, true).toDoubleArray();
            double[] xs = x.toDoubleArray();
            for (int i = 0; i < g.length; i++) {
                assertThat(g[i]).isCloseTo(4 * Math.pow(xs[i], 3), within(1e-12));
                assertThat(g2[i]).isCloseTo(g[i], within(1e-12));
            }
        }
    }

    /**
     * A loss built from a differentiable force, as a Langevin layer with createGraph builds it:
     * x = theta-dependent points, L = sum(grad u(x) * v). Its gradient with respect to theta
     * (a gradient of a gradient) must match finite differences, for an analytic gradient and for
     * the autodiff one (which never differentiates through x's own graph).
     */
    @Test
    void differentiableGradientGivesSecondDerivativesThroughUpstreamGraphs() {
        Rng rng = new Rng(13);
        Tensor base = points(rng, 5, 2, 1.0);
        Tensor v = points(rng, 5, 2, 1.0);
        for (Energy e : List.of(DoubleWell.paper(2), Energy.of(2, DoubleWell.paper(2)::energy),
                new GaussianMixtureEnergy(new double[] {1, 2}, new double[][] {{-1, 0}, {1.5, 0.5}},
                        new double[][] {{0.7, 0.7}, {0.5, 1.2}}))) {
            Tensor theta = Tensor.of(new double[] {0.8, -0.3, 1.2}, 3).requireGrad();
            Function<Tensor, Tensor> loss = th -> {
                Tensor scale = th.slice(0, 0, 1);
                Tensor shift = th.slice(0, 1, 3).reshape(1, 2);
                Tensor x = base.mul(scale).add(shift).tanh().mul(2.0);
                return e.gradient(x, true).mul(v).sum().add(e.energy(x).sum().mul(0.1));
            };
            double[] g = Autograd.grad(loss.apply(theta), List.of(theta)).get(0).toDoubleArray();
            double[] th = theta.toDoubleArray();
            for (int i = 0; i < 3; i++) {
                double[] p = th.clone();
                double[] m = th.clone();
                p[i] += 1e-6;
                m[i] -= 1e-6;
                double num = (loss.apply(Tensor.of(p, 3)).item() - loss.apply(Tensor.of(m, 3)).item()) / 2e-6;
                assertThat(g[i]).as("%s d/dtheta_%d", e, i).isCloseTo(num, within(1e-5 * Math.max(1, Math.abs(num))));
            }
        }
    }

    @Test
    void detachedGradientCarriesNoGraph() {
        Tensor theta = Tensor.of(new double[] {0.5, 1.0}, 1, 2).requireGrad();
        Tensor x = theta.mul(2.0);
        assertThat(DoubleWell.paper(2).gradient(x).requiresGrad()).isFalse();
        assertThat(Energy.of(2, DoubleWell.paper(2)::energy).gradient(x).requiresGrad()).isFalse();
        assertThat(Energy.of(2, DoubleWell.paper(2)::energy).gradient(x, true).requiresGrad()).isTrue();
    }
}
