package org.flows4j.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.flows4j.tensor.Autograd;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** A ReLU network of one (effective) input against its exact piecewise-affine form. */
class PiecewiseLinearNetTest {
    /** The same network in float64 (to compare with the exact piecewise form). */
    private static Mlp toDouble(Mlp m) {
        List<Linear> ls = m.layers().stream()
                .map(l -> new Linear(l.weight().to(DType.FLOAT64), l.bias().to(DType.FLOAT64))).toList();
        return new Mlp(ls, m.activation());
    }

    /** Spreads the weights like a trained network's (break points over several units). */
    private static void spread(Mlp m, Rng rng) {
        for (Linear l : m.layers()) {
            for (Tensor t : List.of(l.weight(), l.bias())) {
                float[] f = t.rawFloats();
                for (int i = 0; i < f.length; i++) {
                    f[i] *= 1 + 2 * (float) rng.nextDouble();
                }
            }
        }
    }

    /**
     * The look-up (a grid cell, then the break points in that cell) finds the piece of every x: the
     * number of break points <= x, at each break point and its neighbouring doubles, at random
     * and far values and at the infinities.
     */
    @Test
    void pieceCountsTheBreakPointsAtOrBelowX() {
        Rng rng = new Rng(8);
        for (int[] sizes : new int[][] {{1, 64, 64, 4}, {1, 16, 2}, {1, 3, 1}}) {
            Mlp m = new Mlp(sizes, Activation.RELU, rng, DType.FLOAT32);
            spread(m, rng);
            PiecewiseLinearNet p = PiecewiseLinearNet.of(m);
            int nb = p.pieces() - 1;
            double[] bp = new double[nb];
            for (int i = 0; i < nb; i++) {
                bp[i] = p.breakPoint(i);
            }
            java.util.List<Double> xs = new java.util.ArrayList<>(List.of(Double.NEGATIVE_INFINITY,
                    Double.POSITIVE_INFINITY, -1e30, 1e30, 0.0, -0.0));
            for (double b : bp) {
                xs.add(b);
                xs.add(Math.nextDown(b));
                xs.add(Math.nextUp(b));
            }
            for (int i = 0; i < 20000; i++) {
                xs.add((i % 2 == 0 ? 3 : 30) * rng.nextGaussian());
            }
            for (double x : xs) {
                int expected = 0;
                while (expected < nb && bp[expected] <= x) {
                    expected++;
                }
                assertThat(p.piece(x)).as("x = %s", x).isEqualTo(expected);
            }
        }
    }

    /** A one-input ReLU network is exactly its piecewise-affine form: float64 agrees to 1e-12, float32 to its rounding. */
    @Test
    void oneInputNetworksEqualTheirPiecewiseLinearForms() {
        Rng rng = new Rng(3);
        for (int[] sizes : new int[][] {{1, 64, 64, 1}, {1, 64, 64, 20}, {1, 32, 48, 16, 5}, {1, 7}, {1, 3, 1}}) {
            Mlp m = new Mlp(sizes, Activation.RELU, rng, DType.FLOAT32);
            spread(m, rng);
            PiecewiseLinearNet p = PiecewiseLinearNet.of(m);
            int n = 4000;
            float[] x = new float[n];
            for (int i = 0; i < n; i++) {
                x[i] = (float) (i < 100 ? (i - 50) * 0.3 : 4 * rng.nextGaussian());
            }
            Tensor xt = Tensor.of(x, n, 1);
            double[] exact;
            float[] f32;
            try (Autograd.Scope ignored = Autograd.noGrad()) {
                exact = toDouble(m).forward(xt.to(DType.FLOAT64)).toDoubleArray();
                f32 = m.forward(xt).rawFloats();
            }
            int o = m.out();
            float[] got = new float[n * o];
            p.evaluate(x, 0, 1, n, got, 0, o);
            double scale = 0;
            for (double v : exact) {
                scale = Math.max(scale, Math.abs(v));
            }
            for (int i = 0; i < n * o; i++) {
                assertThat((double) got[i]).isCloseTo(exact[i], within(1e-6 * (1 + Math.abs(exact[i]))));
                assertThat(got[i]).isCloseTo(f32[i], within((float) (1e-5 * (1 + scale))));
                double[] one = p.evaluate((double) x[i / o]);
                assertThat(one[i % o]).isCloseTo(exact[i], within(1e-12 * (1 + scale)));
            }
            assertThat(p.pieces()).isGreaterThan(sizes.length > 2 ? 1 : 0);
        }
    }

    /**
     * A network of several inputs seen through one of them (the others zero, that one scaled, as
     * a coupling's mask leaves it) is the piecewise form of that input, on ordinary and far values.
     */
    @Test
    void oneInputOfSeveralIsThePiecewiseFormOfThatInput() {
        Rng rng = new Rng(8);
        for (int[] sizes : new int[][] {{2, 64, 64, 4}, {5, 16, 3}, {3, 20, 20, 20, 6}}) {
            Mlp m = new Mlp(sizes, Activation.RELU, rng, DType.FLOAT32);
            spread(m, rng);
            int in = sizes[0];
            for (int input = 0; input < in; input++) {
                double scale = input == 0 ? 1 : 0.5 + input;
                PiecewiseLinearNet p = PiecewiseLinearNet.of(m, input, scale);
                int n = 500;
                double[] u = new double[n];
                double[] rows = new double[n * in];
                for (int i = 0; i < n; i++) {
                    u[i] = i < 20 ? (i - 10) * 1e3 : 3 * rng.nextGaussian();
                    rows[i * in + input] = scale * u[i];
                }
                double[] exact;
                try (Autograd.Scope ignored = Autograd.noGrad()) {
                    exact = toDouble(m).forward(Tensor.of(DType.FLOAT64, rows, n, in)).toDoubleArray();
                }
                int o = m.out();
                for (int i = 0; i < n; i++) {
                    double[] got = p.evaluate(u[i]);
                    for (int j = 0; j < o; j++) {
                        double want = exact[i * o + j];
                        assertThat(got[j]).as("%s input %d row %d", java.util.Arrays.toString(sizes), input, i)
                                .isCloseTo(want, within(1e-11 * (1 + Math.abs(want))));
                        assertThat(p.slope(p.piece(u[i]), j) * u[i] + p.intercept(p.piece(u[i]), j)).isEqualTo(got[j]);
                    }
                }
            }
        }
        Mlp tanh = new Mlp(new int[] {2, 8, 2}, Activation.TANH, rng, DType.FLOAT32);
        assertThatThrownBy(() -> PiecewiseLinearNet.of(tanh, 0, 1)).isInstanceOf(IllegalArgumentException.class);
        Mlp relu = new Mlp(new int[] {2, 8, 2}, Activation.RELU, rng, DType.FLOAT32);
        assertThatThrownBy(() -> PiecewiseLinearNet.of(relu, 2, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
