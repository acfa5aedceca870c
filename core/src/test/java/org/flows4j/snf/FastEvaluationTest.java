package org.flows4j.snf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.flows4j.nn.PiecewiseLinearNet;
import org.flows4j.nn.Activation;
import org.flows4j.nn.Linear;
import org.flows4j.nn.Mlp;
import org.flows4j.tensor.Autograd;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;
import org.flows4j.transforms.Transform;
import org.junit.jupiter.api.Test;

/** The no-graph evaluation kernels against the tensor engine. */
class FastEvaluationTest {
    /** The same network in float64 (to compare with the exact piecewise form). */
    private static Mlp toDouble(Mlp m) {
        List<Linear> ls = m.layers().stream()
                .map(l -> new Linear(l.weight().to(DType.FLOAT64), l.bias().to(DType.FLOAT64))).toList();
        return new Mlp(ls, m.activation());
    }

    /** Networks side by side in one piecewise form (the union of their break points) give each one's outputs. */
    @Test
    void concatenatedPiecewiseFormsGiveEachNetworksOutputs() {
        Rng rng = new Rng(4);
        List<Mlp> nets = List.of(new Mlp(new int[] {1, 64, 64, 20}, Activation.RELU, rng, DType.FLOAT32),
                new Mlp(new int[] {1, 64, 64, 1}, Activation.RELU, rng, DType.FLOAT32),
                new Mlp(new int[] {1, 16, 3}, Activation.RELU, rng, DType.FLOAT32));
        PiecewiseLinearNet all = PiecewiseForms.cached(nets);
        assertThat(PiecewiseForms.cached(nets)).isSameAs(all);
        int n = 3000;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (3 * rng.nextGaussian());
        }
        float[] got = new float[n * all.out()];
        all.evaluate(x, 0, 1, n, got, 0, all.out());
        double[] cols = new double[n * all.out()];
        all.evaluateColumns(x, 0, n, cols, 0, n, new int[n]);
        int col = 0;
        for (Mlp m : nets) {
            PiecewiseLinearNet one = PiecewiseLinearNet.of(m);
            float[] want = new float[n * m.out()];
            one.evaluate(x, 0, 1, n, want, 0, m.out());
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < m.out(); j++) {
                    float w = want[i * m.out() + j];
                    float tol = 1e-6f * (1 + Math.abs(w));
                    assertThat(got[i * all.out() + col + j]).isCloseTo(w, within(tol));
                    assertThat((float) cols[(col + j) * n + i]).isCloseTo(w, within(tol));
                }
            }
            col += m.out();
        }
        // a changed parameter is seen
        nets.get(1).layers().get(2).bias().rawFloats()[0] += 1f;
        assertThat(PiecewiseForms.cached(nets)).isNotSameAs(all);
    }

    /** 2-d couplings without a graph (piecewise networks on large batches) give the tensor path's outputs. */
    @Test
    void twoDimensionalCouplingsGiveTheGraphOutputsOnLargeBatches() {
        Rng rng = new Rng(15);
        for (SplitCoupling c : List.of(SplitCoupling.paperAffine(2, true, new int[] {64, 64}, rng, DType.FLOAT32),
                SplitCoupling.paperAffine(2, false, new int[] {64, 64}, rng, DType.FLOAT32),
                SplitCoupling.spline(2, false, new int[] {64, 64}, 20, 3.0, rng, DType.FLOAT32),
                SplitCoupling.spline(2, true, new int[] {32, 32, 32}, 8, 3.5, rng, DType.FLOAT32))) {
            int n = 5000;
            Tensor z = Tensor.randn(rng, DType.FLOAT32, n, 2).mul(1.5);
            for (boolean toData : new boolean[] {true, false}) {
                Transform.Result graph = toData ? c.inverse(z.requireGrad()) : c.forward(z.requireGrad());
                Transform.Result fast;
                try (Autograd.Scope ignored = Autograd.noGrad()) {
                    fast = toData ? c.inverse(z) : c.forward(z);
                }
                for (int i = 0; i < z.numel(); i++) {
                    assertThat(fast.y().getFlat(i)).isCloseTo(graph.y().getFlat(i), within(2e-5));
                }
                for (int i = 0; i < n; i++) {
                    assertThat(fast.logAbsDet().getFlat(i)).isCloseTo(graph.logAbsDet().getFlat(i), within(2e-5));
                }
            }
        }
    }

    /** Both spline kernels (vectorised and plain) give the float64 tensor spline's outputs and log-derivatives. */
    @Test
    void splineKernelsMatchTheTensorSpline() {
        Rng rng = new Rng(16);
        for (org.flows4j.transforms.RationalQuadraticSpline rq : List.of(
                new org.flows4j.transforms.RationalQuadraticSpline(20, 3.0),
                new org.flows4j.transforms.RationalQuadraticSpline(3, 1.0))) {
            int k = rq.bins();
            int p = 3 * k - 1;
            int m = 1003;
            double[] v = new double[m];
            double[] u = new double[p * m];
            double[] rows = new double[m * p];
            for (int i = 0; i < m; i++) {
                v[i] = i < 20 ? (i == 0 ? Double.NaN : rq.tailBound() * (i - 10) / 9.0) : 1.3 * rq.tailBound() * (2 * rng.nextDouble() - 1);
                for (int q = 0; q < p; q++) {
                    double val = 2 * rng.nextGaussian();
                    u[q * m + i] = val;
                    rows[i * p + q] = val;
                }
            }
            for (boolean inverse : new boolean[] {false, true}) {
                org.flows4j.transforms.ElementwiseTransformer.Output ref;
                try (Autograd.Scope ignored = Autograd.noGrad()) {
                    Tensor x = Tensor.of(DType.FLOAT64, v, m, 1);
                    Tensor params = Tensor.of(DType.FLOAT64, rows, m, p);
                    ref = inverse ? rq.inverse(x, params) : rq.forward(x, params);
                }
                for (org.flows4j.kernels.SplineKernel kernel : List.of(org.flows4j.kernels.SplineKernel.best(),
                        org.flows4j.kernels.SplineKernel.plain())) {
                    double[] y = new double[m];
                    double[] ld = new double[m];
                    kernel.apply(k, rq.tailBound(), rq.minBinWidth(), rq.minBinHeight(), rq.minDerivative(), inverse, v,
                            u, m, m, y, ld);
                    for (int i = 1; i < m; i++) {
                        assertThat(y[i]).as(kernel.name() + " y " + i).isCloseTo(ref.y().getFlat(i), within(1e-9));
                        assertThat(ld[i]).as(kernel.name() + " ld " + i)
                                .isCloseTo(ref.logAbsDerivative().getFlat(i), within(1e-8));
                    }
                    assertThat(y[0]).isNaN();
                }
            }
        }
    }
}
