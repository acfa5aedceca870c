package org.flows4j.transforms;

import static org.assertj.core.api.Assertions.assertThat;

import org.assertj.core.data.Offset;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** ActNorm's data-dependent initialisation. */
class ActNormTest {

    static Tensor shiftedScaled(Rng rng, int n, int dim, DType dt) {
        double[] v = Tensor.randn(rng, DType.FLOAT64, n, dim).toDoubleArray();
        for (int b = 0; b < n; b++) {
            for (int i = 0; i < dim; i++) {
                v[b * dim + i] = v[b * dim + i] * (0.1 + 3 * i) + 5 - 2 * i;
            }
        }
        return Tensor.of(dt, v, n, dim);
    }

    static void assertStandardised(Tensor y, double tol) {
        int n = y.size(0);
        int dim = y.size(1);
        double[] v = y.toDoubleArray();
        for (int i = 0; i < dim; i++) {
            double m = 0;
            for (int b = 0; b < n; b++) {
                m += v[b * dim + i];
            }
            m /= n;
            double ss = 0;
            for (int b = 0; b < n; b++) {
                ss += (v[b * dim + i] - m) * (v[b * dim + i] - m);
            }
            assertThat(m).as("mean of coordinate %d", i).isCloseTo(0.0, Offset.offset(tol));
            assertThat(ss / n).as("variance of coordinate %d", i).isCloseTo(1.0, Offset.offset(tol));
        }
    }

    @Test
    void firstForwardBatchComesOutWithZeroMeanAndUnitVariance() {
        for (DType dt : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
            Rng rng = new Rng(1);
            ActNorm a = new ActNorm(5, dt);
            assertThat(a.isInitialized()).isFalse();
            Tensor x = shiftedScaled(rng, 500, 5, dt);
            Transform.Result r = a.forward(x);
            assertThat(a.isInitialized()).isTrue();
            assertStandardised(r.y(), dt == DType.FLOAT64 ? 1e-12 : 1e-5);
            // log-det = sum(log scale) = -sum(log std) for every row
            double expected = a.logScale().sum().item();
            for (double v : r.logAbsDet().toDoubleArray()) {
                assertThat(v).isCloseTo(expected, Offset.offset(1e-6));
            }
            // later batches do not re-initialise
            double[] before = a.logScale().toDoubleArray();
            a.forward(shiftedScaled(rng, 100, 5, dt).mul(Tensor.scalar(7, dt)));
            assertThat(a.logScale().toDoubleArray()).containsExactly(before);
        }
    }

    @Test
    void inverseAndSingleRowsDoNotInitialise() {
        ActNorm a = new ActNorm(3, DType.FLOAT64);
        a.inverse(Tensor.randn(new Rng(2), DType.FLOAT64, 10, 3));
        assertThat(a.isInitialized()).isFalse();
        a.forward(Tensor.randn(new Rng(2), DType.FLOAT64, 1, 3));
        assertThat(a.isInitialized()).isFalse();
        assertThat(a.logScale().toDoubleArray()).containsOnly(0.0);
    }

    @Test
    void loadedOrMarkedParametersAreNeverOverwritten() {
        ActNorm a = new ActNorm(2, DType.FLOAT64);
        a.shift().rawDoubles()[1] = 0.25; // as a model loader would
        a.forward(shiftedScaled(new Rng(3), 50, 2, DType.FLOAT64));
        assertThat(a.shift().toDoubleArray()).containsExactly(0.0, 0.25);
        ActNorm b = new ActNorm(2, DType.FLOAT64);
        b.markInitialized();
        b.forward(shiftedScaled(new Rng(3), 50, 2, DType.FLOAT64));
        assertThat(b.logScale().toDoubleArray()).containsOnly(0.0);
    }

    @Test
    void constantCoordinateGetsAFiniteScale() {
        ActNorm a = new ActNorm(2, DType.FLOAT64);
        double[] v = new double[20];
        for (int b = 0; b < 10; b++) {
            v[2 * b] = 3;
            v[2 * b + 1] = b;
        }
        Transform.Result r = a.forward(Tensor.of(v, 10, 2));
        assertThat(r.y().allFinite()).isTrue();
        assertThat(r.logAbsDet().allFinite()).isTrue();
    }
}
