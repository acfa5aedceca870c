package org.flows4j.snf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.flows4j.tensor.Autograd;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;
import org.flows4j.transforms.ElementwiseTransformer;
import org.flows4j.transforms.RationalQuadraticSpline;
import org.junit.jupiter.api.Test;

/** The hand-written spline map and backward pass against the float64 tensor spline and its autodiff. */
class SplineMathTest {
    @Test
    void splineMathMatchesTheTensorSplineAndItsGradients() {
        Rng rng = new Rng(8);
        for (RationalQuadraticSpline rq : List.of(new RationalQuadraticSpline(20, 3.0),
                new RationalQuadraticSpline(5, 1.5))) {
            int k = rq.bins();
            int p = 3 * k - 1;
            int n = 3000;
            float[] u = new float[n * p];
            float[] x = new float[n];
            double[] gy = new double[n];
            double[] gl = new double[n];
            for (int i = 0; i < n; i++) {
                for (int q = 0; q < p; q++) {
                    u[i * p + q] = (float) (1.5 * rng.nextGaussian());
                }
                x[i] = (float) (rq.tailBound() * 1.2 * (2 * rng.nextDouble() - 1));
                gy[i] = rng.nextGaussian();
                gl[i] = rng.nextGaussian();
            }
            SplineMath m = new SplineMath(rq);
            for (boolean inverse : new boolean[] {false, true}) {
                Tensor xt = Tensor.of(DType.FLOAT64, toDouble(x), n, 1).requireGrad();
                Tensor ut = Tensor.of(DType.FLOAT64, toDouble(u), n, p).requireGrad();
                ElementwiseTransformer.Output o;
                List<Tensor> g;
                try (Autograd.Scope ignored = Autograd.setGradEnabled(true)) {
                    o = inverse ? rq.inverse(xt, ut) : rq.forward(xt, ut);
                    Tensor loss = o.y().reshape(n).mul(Tensor.of(gy, n)).sum()
                            .add(o.logAbsDerivative().reshape(n).mul(Tensor.of(gl, n)).sum());
                    g = Autograd.grad(loss, List.of(xt, ut));
                }
                double[] y = o.y().toDoubleArray();
                double[] ld = o.logAbsDerivative().toDoubleArray();
                double[] gx = g.get(0).toDoubleArray();
                double[] gu = g.get(1).toDoubleArray();
                float[] mine = new float[n * p];
                for (int i = 0; i < n; i++) {
                    double yi = m.apply(x[i], u, i * p, 1, inverse);
                    assertThat(yi).isCloseTo(y[i], within(1e-9));
                    assertThat(m.ld).isCloseTo(ld[i], within(1e-8));
                    double gxi = m.backward(x[i], u, i * p, 1, inverse, gy[i], gl[i], mine, i * p, 1);
                    assertThat(gxi).as("d/dx, inverse " + inverse + ", row " + i)
                            .isCloseTo(gx[i], within(1e-6 * (1 + Math.abs(gx[i]))));
                    for (int q = 0; q < p; q++) {
                        assertThat((double) mine[i * p + q]).as("d/du " + q + ", inverse " + inverse + ", row " + i)
                                .isCloseTo(gu[i * p + q], within(1e-5 * (1 + Math.abs(gu[i * p + q]))));
                    }
                }
            }
        }
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
