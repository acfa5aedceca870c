package org.flows4j.flows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.flows4j.tensor.Autograd;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;
import org.flows4j.transforms.Coupling;
import org.flows4j.transforms.Transform;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

/** The seed's coupling layer and composed RealNVP flows: invertibility, log-dets, normalisation. */
class RealNvpTest {

    static Flow randomFlow(long seed, int dim, int layers, DType dtype) {
        return RealNvp.builder().dim(dim).layers(layers).hidden(16).dtype(dtype).build(new Rng(seed));
    }

    /** Random points, some far in the tails. */
    static Tensor points(Rng rng, int n, int dim, double scale) {
        Tensor x = Tensor.randn(rng, DType.FLOAT64, n, dim);
        return x.mul(scale);
    }

    @RepeatedTest(8)
    void roundTripFloat64InRandomDimensions(RepetitionInfo info) {
        long seed = info.getCurrentRepetition();
        Rng rng = new Rng(seed);
        int dim = 2 + rng.nextInt(7);
        int layers = 1 + rng.nextInt(6);
        Flow flow = randomFlow(seed, dim, layers, DType.FLOAT64);
        for (double scale : new double[] {1, 10, 1000}) {
            Tensor x = points(rng, 50, dim, scale);
            Transform.Result fwd = flow.transform().forward(x);
            Transform.Result back = flow.transform().inverse(fwd.y());
            double[] a = x.toDoubleArray();
            double[] b = back.y().toDoubleArray();
            for (int i = 0; i < a.length; i++) {
                assertThat(Math.abs(a[i] - b[i])).as("round trip at scale %s", scale)
                        .isLessThan(1e-10 * Math.max(1, Math.abs(a[i])));
            }
            double[] ldF = fwd.logAbsDet().toDoubleArray();
            double[] ldB = back.logAbsDet().toDoubleArray();
            for (int i = 0; i < ldF.length; i++) {
                assertThat(ldF[i] + ldB[i]).as("forward and inverse log-dets cancel").isCloseTo(0.0,
                        org.assertj.core.data.Offset.offset(1e-10));
                assertThat(Double.isFinite(ldF[i])).isTrue();
            }
        }
    }

    @Test
    void roundTripFloat32() {
        Flow flow = randomFlow(11, 2, 6, DType.FLOAT32);
        Tensor x = Tensor.randn(new Rng(5), DType.FLOAT32, 200, 2);
        Tensor back = flow.transform().inverse(flow.transform().forward(x).y()).y();
        double[] a = x.toDoubleArray();
        double[] b = back.toDoubleArray();
        for (int i = 0; i < a.length; i++) {
            assertThat(Math.abs(a[i] - b[i])).isLessThan(1e-5);
        }
    }

    @RepeatedTest(6)
    void logDetEqualsAutodiffJacobian(RepetitionInfo info) {
        long seed = 100 + info.getCurrentRepetition();
        Rng rng = new Rng(seed);
        int dim = 2 + rng.nextInt(5);
        Flow flow = randomFlow(seed, dim, 1 + rng.nextInt(6), DType.FLOAT64);
        for (double[] p : FlowTestSupport.rows(points(rng, 5, dim, 3))) {
            for (boolean inverse : new boolean[] {false, true}) {
                Tensor x = FlowTestSupport.row(p);
                Transform.Result r = inverse ? flow.transform().inverse(x) : flow.transform().forward(x);
                double expected = FlowTestSupport.logAbsDet(FlowTestSupport.jacobian(flow.transform(), p, inverse, null));
                assertThat(r.logAbsDet().item()).as("log|det J| (inverse=%s)", inverse)
                        .isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-9));
            }
        }
    }

    @Test
    void densityIntegratesToOneOnAGrid() {
        Flow flow = randomFlow(3, 2, 6, DType.FLOAT64);
        int n = 400;
        double lo = -9;
        double hi = 9;
        double h = (hi - lo) / n;
        double[] pts = new double[n * n * 2];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                pts[2 * (i * n + j)] = lo + (i + 0.5) * h;
                pts[2 * (i * n + j) + 1] = lo + (j + 0.5) * h;
            }
        }
        double total;
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            total = flow.logProb(Tensor.of(pts, n * n, 2)).exp().sum().item() * h * h;
        }
        assertThat(total).isCloseTo(1.0, org.assertj.core.data.Offset.offset(2e-3));
    }

    @Test
    void sampleWithLogProbAgreesWithLogProb() {
        Flow flow = randomFlow(9, 3, 4, DType.FLOAT64);
        Flow.Samples s = flow.sampleWithLogProb(100, new Rng(1));
        double[] direct = flow.logProb(s.samples()).toDoubleArray();
        double[] viaSampling = s.logProb().toDoubleArray();
        for (int i = 0; i < direct.length; i++) {
            assertThat(viaSampling[i]).isCloseTo(direct[i], org.assertj.core.data.Offset.offset(1e-10));
        }
    }

    @Test
    void seedArchitecture() {
        Flow flow = RealNvp.builder().build(new Rng(0));
        // six couplings, each a 2-64-64-4 MLP: (2*64+64) + (64*64+64) + (64*4+4)
        assertThat(flow.parameterCount()).isEqualTo(6L * (192 + 4160 + 260));
        Coupling first = (Coupling) ((org.flows4j.transforms.Composite) flow.transform()).parts().get(0);
        assertThat(first.mask()).containsExactly(1, 0);
    }

    @Test
    void badConfigurationIsRefused() {
        assertThatThrownBy(() -> RealNvp.builder().layers(0).build(new Rng(0))).hasMessageContaining("layers");
        assertThatThrownBy(() -> RealNvp.builder().hidden(0).build(new Rng(0))).hasMessageContaining("hidden");
        Flow flow = randomFlow(1, 2, 2, DType.FLOAT64);
        assertThatThrownBy(() -> flow.logProb(Tensor.zeros(DType.FLOAT64, 4, 3))).hasMessageContaining("[batch, 2]");
    }
}
