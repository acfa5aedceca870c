package org.flows4j.transforms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.assertj.core.data.Offset;
import org.flows4j.tensor.Autograd;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.GradCheck;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

/** The rational-quadratic spline on its own: closed-form inverse, tails, NaN-safety, gradients. */
class RationalQuadraticSplineTest {

    static Tensor params(Rng rng, RationalQuadraticSpline s, int batch, int dim, DType dtype, double scale) {
        return Tensor.randn(rng, dtype, batch, s.paramsPerDim() * dim).mul(scale);
    }

    @Test
    void zeroParametersGiveTheIdentity() {
        RationalQuadraticSpline s = new RationalQuadraticSpline(8, 3);
        Tensor x = Tensor.of(new double[] {-5, -3, -1.3, 0, 0.7, 2.99, 3, 40}, 4, 2);
        ElementwiseTransformer.Output out = s.forward(x, Tensor.zeros(DType.FLOAT64, 4, 2 * s.paramsPerDim()));
        TransformChecks.assertClose("identity", out.y().toDoubleArray(), x.toDoubleArray(), 1e-14);
        TransformChecks.assertClose("zero log-derivative", out.logAbsDerivative().toDoubleArray(), new double[8], 1e-14);
    }

    @Test
    void tailsAreTheIdentityAndTheSplineMapsTheIntervalOntoItself() {
        Rng rng = new Rng(1);
        RationalQuadraticSpline s = new RationalQuadraticSpline(5, 2.5);
        Tensor p = params(rng, s, 6, 1, DType.FLOAT64, 2);
        Tensor x = Tensor.of(new double[] {-1e4, -2.5000001, -2.5, 2.5, 2.5000001, 1e4}, 6, 1);
        ElementwiseTransformer.Output out = s.forward(x, p);
        TransformChecks.assertClose("tails and ends", out.y().toDoubleArray(), x.toDoubleArray(), 1e-15);
        double[] ld = out.logAbsDerivative().toDoubleArray();
        for (double v : ld) {
            assertThat(v).isCloseTo(0.0, Offset.offset(1e-12));
        }
    }

    @Test
    void monotoneAndDerivativeMatchesFiniteDifferences() {
        Rng rng = new Rng(2);
        RationalQuadraticSpline s = new RationalQuadraticSpline(10, 3);
        int n = 2001;
        Tensor p1 = params(rng, s, 1, 1, DType.FLOAT64, 3);
        double[] rowP = p1.toDoubleArray();
        double[] all = new double[n * rowP.length];
        double[] xs = new double[n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(rowP, 0, all, i * rowP.length, rowP.length);
            xs[i] = -4 + 8.0 * (i + 0.37) / n; // never exactly on +-B, where the curvature jumps
        }
        Tensor p = Tensor.of(all, n, rowP.length);
        double h = 1e-6;
        double[] y = s.forward(Tensor.of(xs, n, 1), p).y().toDoubleArray();
        double[] ld = s.forward(Tensor.of(xs, n, 1), p).logAbsDerivative().toDoubleArray();
        double[] xp = xs.clone();
        double[] xm = xs.clone();
        for (int i = 0; i < n; i++) {
            xp[i] += h;
            xm[i] -= h;
        }
        double[] yp = s.forward(Tensor.of(xp, n, 1), p).y().toDoubleArray();
        double[] ym = s.forward(Tensor.of(xm, n, 1), p).y().toDoubleArray();
        for (int i = 1; i < n; i++) {
            assertThat(y[i]).as("strictly increasing").isGreaterThan(y[i - 1]);
            double fd = (yp[i] - ym[i]) / (2 * h);
            assertThat(Math.exp(ld[i])).as("derivative at x = %s", xs[i]).isCloseTo(fd, Offset.offset(1e-5 * Math.max(1, fd)));
        }
    }

    /**
     * Round trips at 0.5B, B and 10B. Float64: error below 1e-10 with parameters of any scale.
     * Float32: below 1e-5 with parameters of the scale an initialised network gives (std 0.3);
     * with wild parameters (std 1.5, slopes down to ~1e-4) the error in x is float32 rounding of y
     * divided by the slope, so what is checked is the backward error |x - x'| min(1, f'(x)).
     */
    @RepeatedTest(6)
    void roundTripFloat64AndFloat32(RepetitionInfo info) {
        Rng rng = new Rng(10 + info.getCurrentRepetition());
        int bins = 2 + rng.nextInt(15);
        double bound = 0.5 + 5 * rng.nextDouble();
        RationalQuadraticSpline s = new RationalQuadraticSpline(bins, bound);
        int dim = 1 + rng.nextInt(16);
        int batch = 64;
        for (DType dt : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
            for (double pScale : new double[] {0.3, 1.5}) {
                boolean conditioned = dt == DType.FLOAT32 && pScale > 1;
                double tol = dt == DType.FLOAT64 ? 1e-10 : 1e-5;
                Tensor p = params(rng, s, batch, dim, dt, pScale);
                for (double scale : new double[] {0.5 * bound, bound, 10 * bound}) {
                    Tensor x = TransformChecks.points(rng, batch, dim, dt, scale);
                    ElementwiseTransformer.Output fwd = s.forward(x, p);
                    ElementwiseTransformer.Output inv = s.inverse(fwd.y(), p);
                    double[] a = x.toDoubleArray();
                    double[] b = inv.y().toDoubleArray();
                    double[] lf = fwd.logAbsDerivative().toDoubleArray();
                    double[] li = inv.logAbsDerivative().toDoubleArray();
                    for (int i = 0; i < a.length; i++) {
                        double err = Math.abs(a[i] - b[i]) * (conditioned ? Math.min(1, Math.exp(lf[i])) : 1);
                        assertThat(err).as("x -> y -> x %s params %s at %s", dt, pScale, a[i])
                                .isLessThan(tol * Math.max(1, Math.abs(a[i])));
                        if (!conditioned) {
                            assertThat(lf[i] + li[i]).as("log-derivatives cancel")
                                    .isCloseTo(0.0, Offset.offset(dt == DType.FLOAT64 ? 1e-8 : 1e-3));
                        }
                    }
                    if (!conditioned) {
                        Tensor back = s.forward(s.inverse(x, p).y(), p).y();
                        TransformChecks.assertClose("y -> x -> y " + dt, back.toDoubleArray(), a, tol);
                    }
                }
            }
        }
    }

    /** Inputs exactly at every knot, at +-B, just inside and outside them, and far away. */
    static double[] edgeValues(double[] knots, double bound, boolean f32) {
        java.util.List<Double> v = new java.util.ArrayList<>();
        for (double k : knots) {
            double kk = f32 ? (float) k : k;
            v.add(kk);
            v.add(f32 ? Math.nextUp((float) kk) : Math.nextUp(kk));
            v.add(f32 ? Math.nextDown((float) kk) : Math.nextDown(kk));
        }
        for (double b : new double[] {bound, -bound}) {
            v.add(b);
            v.add(f32 ? Math.nextUp((float) b) : Math.nextUp(b));
            v.add(f32 ? Math.nextDown((float) b) : Math.nextDown(b));
        }
        for (double far : new double[] {0, 1e-30, -1e-30, 1e4, -1e4, 1e30, -1e30}) {
            v.add(far);
        }
        double[] out = new double[v.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = v.get(i);
        }
        return out;
    }

    @RepeatedTest(25)
    void inverseNeverReturnsNaNEvenAtKnotsBoundsAndExtremeParameters(RepetitionInfo info) {
        Rng rng = new Rng(1000 + info.getCurrentRepetition());
        int bins = 2 + rng.nextInt(20);
        double bound = Math.pow(10, -1 + 2.5 * rng.nextDouble());
        double minW = rng.nextDouble() < 0.5 ? 1e-3 : 1e-6;
        RationalQuadraticSpline s = new RationalQuadraticSpline(bins, bound, minW, minW, rng.nextDouble() < 0.5 ? 1e-3 : 1e-5);
        double pScale = new double[] {0.1, 1, 5, 20}[rng.nextInt(4)];
        for (DType dt : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
            boolean f32 = dt == DType.FLOAT32;
            Tensor p1 = params(rng, s, 1, 1, dt, pScale);
            for (boolean heights : new boolean[] {true, false}) {
                double[] knots = s.knotPositions(p1, 1, 1, heights).toDoubleArray();
                double[] v = edgeValues(knots, bound, f32);
                int n = v.length;
                Tensor p = p1.broadcastTo(n, s.paramsPerDim()).copy();
                Tensor in = Tensor.of(dt, v, n, 1).requireGrad();
                Tensor pg = p.requireGrad();
                for (boolean inverse : new boolean[] {true, false}) {
                    ElementwiseTransformer.Output out = inverse ? s.inverse(in, pg) : s.forward(in, pg);
                    double[] y = out.y().toDoubleArray();
                    double[] ld = out.logAbsDerivative().toDoubleArray();
                    for (int i = 0; i < n; i++) {
                        assertThat(Double.isFinite(y[i])).as("output at %s (inverse=%s, %s)", v[i], inverse, dt).isTrue();
                        assertThat(Double.isFinite(ld[i])).as("log-derivative at %s (inverse=%s, %s)", v[i], inverse, dt)
                                .isTrue();
                        if (Math.abs(v[i]) <= bound) {
                            assertThat(Math.abs(y[i])).as("stays in [-B, B]").isLessThanOrEqualTo(bound * (1 + 1e-5) + 1e-6);
                        }
                    }
                    List<Tensor> g = Autograd.grad(out.y().sum().add(out.logAbsDerivative().sum()), List.of(in, pg));
                    assertThat(g.get(0).allFinite()).as("input gradient finite (inverse=%s, %s)", inverse, dt).isTrue();
                    assertThat(g.get(1).allFinite()).as("parameter gradient finite (inverse=%s, %s)", inverse, dt).isTrue();
                }
            }
        }
    }

    /**
     * A flat bin (height at the minimum) followed by a steep knot makes b < 0 in the inverse's
     * quadratic, where 2c / (-b - sqrt(disc)) cancels (to 0 / 0 in float32, a NaN gradient). The
     * inverse must stay consistent with the forward map (y-space round trip; x itself is only
     * determined up to rounding of y over a slope of ~1e-9 there) and have finite gradients.
     */
    @Test
    void flatBinBeforeASteepKnotInvertsConsistentlyWithFiniteGradients() {
        RationalQuadraticSpline s = new RationalQuadraticSpline(4, 1, 1e-3, 1e-7, 1e-3);
        double[] p = new double[11];
        p[5] = -60; // heights: bin 1 at the minimum (2e-7)
        p[9] = 200; // derivative at knot 2 (the end of bin 1): ~200
        for (DType dt : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
            double[] yk = s.knotPositions(Tensor.of(dt, p, 1, 11), 1, 1, true).toDoubleArray();
            int n = 101;
            double[] ys = new double[n];
            double[] all = new double[n * 11];
            for (int i = 0; i < n; i++) {
                ys[i] = yk[1] + (yk[2] - yk[1]) * i / (n - 1);
                System.arraycopy(p, 0, all, i * 11, 11);
            }
            Tensor params = Tensor.of(dt, all, n, 11).requireGrad();
            Tensor y = Tensor.of(dt, ys, n, 1).requireGrad();
            ElementwiseTransformer.Output inv = s.inverse(y, params);
            Tensor again = s.forward(inv.y(), params).y();
            TransformChecks.assertClose(dt + " forward(inverse(y))", again.toDoubleArray(), y.toDoubleArray(),
                    dt == DType.FLOAT64 ? 1e-13 : 1e-6);
            List<Tensor> g = Autograd.grad(inv.y().sum().add(inv.logAbsDerivative().sum()), List.of(y, params));
            assertThat(inv.logAbsDerivative().allFinite()).isTrue();
            assertThat(g.get(0).allFinite()).as(dt + " input gradient").isTrue();
            assertThat(g.get(1).allFinite()).as(dt + " parameter gradient").isTrue();
        }
    }

    @RepeatedTest(10)
    void fuzzInverseOverRandomValuesAndParameters(RepetitionInfo info) {
        Rng rng = new Rng(5000 + info.getCurrentRepetition());
        RationalQuadraticSpline s = new RationalQuadraticSpline(2 + rng.nextInt(30), Math.pow(10, -1 + 3 * rng.nextDouble()));
        int n = 500;
        for (DType dt : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
            Tensor p = params(rng, s, n, 1, dt, Math.pow(10, -1 + 2.5 * rng.nextDouble())).requireGrad();
            Tensor y = TransformChecks.points(rng, n, 1, dt, s.tailBound() * rng.nextDouble() * 2).requireGrad();
            ElementwiseTransformer.Output o = s.inverse(y, p);
            assertThat(o.y().allFinite()).isTrue();
            assertThat(o.logAbsDerivative().allFinite()).isTrue();
            List<Tensor> g = Autograd.grad(o.y().sum().add(o.logAbsDerivative().sum()), List.of(y, p));
            assertThat(g.get(0).allFinite()).isTrue();
            assertThat(g.get(1).allFinite()).isTrue();
        }
    }

    @Test
    void knotsMapToKnots() {
        Rng rng = new Rng(5);
        RationalQuadraticSpline s = new RationalQuadraticSpline(7, 2);
        Tensor p = params(rng, s, 1, 1, DType.FLOAT64, 2);
        double[] xk = s.knotPositions(p, 1, 1, false).toDoubleArray();
        double[] yk = s.knotPositions(p, 1, 1, true).toDoubleArray();
        Tensor pp = p.broadcastTo(xk.length, s.paramsPerDim()).copy();
        double[] y = s.forward(Tensor.of(xk, xk.length, 1), pp).y().toDoubleArray();
        double[] x = s.inverse(Tensor.of(yk, yk.length, 1), pp).y().toDoubleArray();
        TransformChecks.assertClose("forward of x-knots", y, yk, 1e-12);
        TransformChecks.assertClose("inverse of y-knots", x, xk, 1e-12);
        assertThat(xk[0]).isEqualTo(-2.0);
        assertThat(xk[7]).isEqualTo(2.0);
        for (int k = 1; k < xk.length; k++) {
            assertThat(xk[k] - xk[k - 1]).as("minimum bin width").isGreaterThanOrEqualTo(4 * 1e-3 * (1 - 1e-9));
            assertThat(yk[k] - yk[k - 1]).as("minimum bin height").isGreaterThanOrEqualTo(4 * 1e-3 * (1 - 1e-9));
        }
    }

    @Test
    void derivativeNeverBelowTheMinimumAtKnots() {
        RationalQuadraticSpline s = new RationalQuadraticSpline(4, 1, 1e-3, 1e-3, 0.01);
        Tensor p = Tensor.full(DType.FLOAT64, -1e3, 1, s.paramsPerDim());
        p = Tensor.concat(1, p.slice(1, 0, 8), Tensor.full(DType.FLOAT64, -1e3, 1, 3));
        double[] xk = s.knotPositions(p, 1, 1, false).toDoubleArray();
        Tensor pp = p.broadcastTo(3, s.paramsPerDim()).copy();
        double[] ld = s.forward(Tensor.of(new double[] {xk[1], xk[2], xk[3]}, 3, 1), pp).logAbsDerivative().toDoubleArray();
        for (double v : ld) {
            assertThat(Math.exp(v)).isCloseTo(0.01, Offset.offset(1e-9));
        }
    }

    @RepeatedTest(4)
    void finiteDifferenceGradientsWithRespectToInputsAndParameters(RepetitionInfo info) {
        Rng rng = new Rng(50 + info.getCurrentRepetition());
        RationalQuadraticSpline s = new RationalQuadraticSpline(2 + rng.nextInt(7), 1 + 2 * rng.nextDouble());
        int dim = 1 + rng.nextInt(3);
        int batch = 4;
        Tensor x = TransformChecks.points(rng, batch, dim, DType.FLOAT64, s.tailBound() * 0.7);
        // one coordinate outside the interval: its parameter gradient must be exactly zero there
        double[] xv = x.toDoubleArray();
        xv[0] = s.tailBound() * 1.5;
        x = Tensor.of(xv, batch, dim);
        Tensor p = params(rng, s, batch, dim, DType.FLOAT64, 1);
        Tensor wy = Tensor.randn(rng, DType.FLOAT64, batch, dim);
        Tensor wl = Tensor.randn(rng, DType.FLOAT64, batch, dim);
        for (boolean inverse : new boolean[] {false, true}) {
            GradCheck.checkFirstOrder("spline (inverse=" + inverse + ")", in -> {
                ElementwiseTransformer.Output o = inverse ? s.inverse(in.get(0), in.get(1)) : s.forward(in.get(0), in.get(1));
                return o.y().mul(wy).sum().add(o.logAbsDerivative().mul(wl).sum());
            }, List.of(x, p));
        }
    }

    @Test
    void farInputsGiveFiniteGradientsAndZeroParameterGradient() {
        Rng rng = new Rng(7);
        RationalQuadraticSpline s = new RationalQuadraticSpline(8, 3);
        for (DType dt : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
            Tensor x = Tensor.of(dt, new double[] {1e4, -1e4, 3.5, -7}, 4, 1).requireGrad();
            Tensor p = params(rng, s, 4, 1, dt, 3).requireGrad();
            for (boolean inverse : new boolean[] {false, true}) {
                ElementwiseTransformer.Output o = inverse ? s.inverse(x, p) : s.forward(x, p);
                List<Tensor> g = Autograd.grad(o.y().sum().add(o.logAbsDerivative().sum()), List.of(x, p));
                assertThat(g.get(0).toDoubleArray()).containsOnly(1.0);
                assertThat(g.get(1).toDoubleArray()).containsOnly(0.0);
            }
        }
    }

    @Test
    void badConfigurationAndShapesAreRefused() {
        assertThatThrownBy(() -> new RationalQuadraticSpline(1, 3)).hasMessageContaining("bins");
        assertThatThrownBy(() -> new RationalQuadraticSpline(8, 0)).hasMessageContaining("tail bound");
        assertThatThrownBy(() -> new RationalQuadraticSpline(8, 3, 0.2, 1e-3, 1e-3)).hasMessageContaining("width");
        assertThatThrownBy(() -> new RationalQuadraticSpline(8, 3, 1e-3, 0, 1e-3)).hasMessageContaining("height");
        assertThatThrownBy(() -> new RationalQuadraticSpline(8, 3, 1e-3, 1e-3, 0)).hasMessageContaining("derivative");
        RationalQuadraticSpline s = new RationalQuadraticSpline(8, 3);
        assertThatThrownBy(() -> s.forward(Tensor.zeros(DType.FLOAT64, 2, 3), Tensor.zeros(DType.FLOAT64, 2, 23)))
                .hasMessageContaining("69");
        assertThat(s.paramsPerDim()).isEqualTo(23);
    }
}
