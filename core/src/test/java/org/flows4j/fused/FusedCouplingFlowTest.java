package org.flows4j.fused;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.flows4j.distributions.StandardNormal;
import org.flows4j.flows.Flow;
import org.flows4j.flows.RealNvp;
import org.flows4j.kernels.RowGemm;
import org.flows4j.nn.Activation;
import org.flows4j.nn.Mlp;
import org.flows4j.tensor.Autograd;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;
import org.flows4j.transforms.AffineTransformer;
import org.flows4j.transforms.Composite;
import org.flows4j.transforms.Coupling;
import org.flows4j.transforms.MlpConditioner;
import org.flows4j.transforms.Transform;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The fused kernels must compute what the autodiff path computes, for every supported shape. */
class FusedCouplingFlowTest {

    static Stream<Arguments> configs() {
        return Stream.of(
                Arguments.of("seed model, plain", RowGemm.plain(), 2, 6, 64, 2, Activation.RELU, AffineTransformer.Scale.TANH, 256),
                Arguments.of("seed model, best", RowGemm.best(), 2, 6, 64, 2, Activation.RELU, AffineTransformer.Scale.TANH, 256),
                Arguments.of("odd sizes, plain", RowGemm.plain(), 5, 3, 37, 3, Activation.TANH, AffineTransformer.Scale.IDENTITY, 31),
                Arguments.of("odd sizes, best", RowGemm.best(), 5, 3, 37, 3, Activation.TANH, AffineTransformer.Scale.IDENTITY, 31),
                Arguments.of("no hidden layer, best", RowGemm.best(), 3, 2, 8, 0, Activation.RELU, AffineTransformer.Scale.TANH, 7),
                Arguments.of("wide, best", RowGemm.best(), 8, 4, 80, 1, Activation.RELU, AffineTransformer.Scale.TANH, 130),
                // one kept coordinate and ReLU networks of two or more hidden layers: the switch-point path
                Arguments.of("three hidden layers, plain", RowGemm.plain(), 2, 4, 32, 3, Activation.RELU, AffineTransformer.Scale.TANH, 101),
                Arguments.of("some layers keep one of three, best", RowGemm.best(), 3, 5, 24, 2, Activation.RELU, AffineTransformer.Scale.IDENTITY, 57));
    }

    static Flow flow(long seed, int dim, int layers, int hidden, int hiddenLayers, Activation act,
            AffineTransformer.Scale scale) {
        Rng rng = new Rng(seed);
        List<Transform> parts = new java.util.ArrayList<>();
        for (int l = 0; l < layers; l++) {
            int[] sizes = new int[hiddenLayers + 2];
            sizes[0] = dim;
            for (int h = 1; h <= hiddenLayers; h++) {
                sizes[h] = hidden;
            }
            sizes[hiddenLayers + 1] = 2 * dim;
            double[] mask = new double[dim];
            for (int i = 0; i < dim; i++) {
                mask[i] = rng.nextDouble() < 0.5 ? 1 : 0;
            }
            mask[l % dim] = 1;
            mask[(l + 1) % dim] = 0;
            parts.add(new Coupling(mask, new MlpConditioner(new Mlp(sizes, act, rng, DType.FLOAT32), 0),
                    new AffineTransformer(scale), DType.FLOAT32));
        }
        return new Flow(new StandardNormal(dim), new Composite(parts), DType.FLOAT32);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void lossAndGradientsMatchAutodiff(String name, RowGemm gemm, int dim, int layers, int hidden, int hiddenLayers,
            Activation act, AffineTransformer.Scale scale, int batch) {
        Flow f = flow(dim * 31L + layers, dim, layers, hidden, hiddenLayers, act, scale);
        FusedCouplingFlow fused = FusedCouplingFlow.of(f, gemm).orElseThrow();
        FusedCouplingFlow.Step step = fused.newStep();
        for (int round = 0; round < 2; round++) {
            Tensor x = Tensor.randn(new Rng(round), DType.FLOAT32, batch, dim).mul(1.7);
            double fusedLoss = step.compute(x);
            Tensor loss = f.logProb(x).mean().neg();
            List<Tensor> expected = Autograd.grad(loss, f.parameters());
            assertThat(fusedLoss).isCloseTo(loss.item(), org.assertj.core.data.Offset.offset(1e-4 * Math.max(1, Math.abs(loss.item()))));
            for (int k = 0; k < expected.size(); k++) {
                assertClose(name + " gradient " + k, step.gradients().get(k).toDoubleArray(), expected.get(k).toDoubleArray());
            }
            // move the weights so the second round sees fresh values (the step must re-read them)
            for (Tensor p : f.parameters()) {
                float[] w = p.rawFloats();
                for (int i = 0; i < w.length; i++) {
                    w[i] *= 0.9f;
                }
            }
        }
    }

    static void assertClose(String what, double[] actual, double[] expected) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < actual.length; i++) {
            num += (actual[i] - expected[i]) * (actual[i] - expected[i]);
            den += expected[i] * expected[i];
        }
        assertThat(Math.sqrt(num)).as(what).isLessThanOrEqualTo(1e-4 * Math.sqrt(den) + 1e-7);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void densityAndSamplingMatchTheFlow(String name, RowGemm gemm, int dim, int layers, int hidden, int hiddenLayers,
            Activation act, AffineTransformer.Scale scale, int batch) {
        Flow f = flow(dim * 7L + layers, dim, layers, hidden, hiddenLayers, act, scale);
        FusedCouplingFlow fused = FusedCouplingFlow.of(f, gemm).orElseThrow();
        Tensor x = Tensor.randn(new Rng(4), DType.FLOAT32, 2500, dim);
        double[] expected = f.logProb(x).toDoubleArray();
        for (int threads : new int[] {1, 2}) {
            float[] got = fused.logProb(x, threads);
            for (int i = 0; i < expected.length; i++) {
                assertThat(got[i]).isCloseTo((float) expected[i], org.assertj.core.data.Offset.offset(
                        (float) (1e-4 * Math.max(1, Math.abs(expected[i])))));
            }
        }
        Flow.Samples a = fused.sample(2100, new Rng(9), 1);
        Flow.Samples b = fused.sample(2100, new Rng(9), 2);
        assertThat(a.samples().toFloatArray()).containsExactly(b.samples().toFloatArray());
        Flow.Samples ref = f.sampleWithLogProb(2100, new Rng(9));
        double[] xs = ref.samples().toDoubleArray();
        double[] fs = a.samples().toDoubleArray();
        for (int i = 0; i < xs.length; i++) {
            assertThat(Math.abs(xs[i] - fs[i])).isLessThan(1e-4 * Math.max(1, Math.abs(xs[i])));
        }
        double[] lr = ref.logProb().toDoubleArray();
        double[] lf = a.logProb().toDoubleArray();
        for (int i = 0; i < lr.length; i++) {
            assertThat(Math.abs(lr[i] - lf[i])).isLessThan(1e-3 * Math.max(1, Math.abs(lr[i])));
        }
    }

    /** Flows of couplings that keep one coordinate each (every 2-d RealNVP): the piecewise-linear path applies. */
    static Stream<Arguments> oneKeptConfigs() {
        return Stream.of(
                Arguments.of("seed model", 2, 6, 64, 2, AffineTransformer.Scale.TANH, 0.0),
                Arguments.of("trained-like weights", 2, 6, 64, 2, AffineTransformer.Scale.TANH, 2.0),
                Arguments.of("3-d, identity scale, one hidden layer", 3, 4, 37, 1, AffineTransformer.Scale.IDENTITY, 0.5),
                Arguments.of("no hidden layer", 2, 2, 8, 0, AffineTransformer.Scale.TANH, 0.0),
                Arguments.of("three hidden layers", 2, 3, 24, 3, AffineTransformer.Scale.TANH, 1.0));
    }

    /** Couplings that each keep coordinate l % dim, with weights spread by up to (1 + spread) x. */
    static Flow oneKeptFlow(long seed, int dim, int layers, int hidden, int hiddenLayers,
            AffineTransformer.Scale scale, double spread) {
        Rng rng = new Rng(seed);
        List<Transform> parts = new java.util.ArrayList<>();
        for (int l = 0; l < layers; l++) {
            int[] sizes = new int[hiddenLayers + 2];
            java.util.Arrays.fill(sizes, hidden);
            sizes[0] = dim;
            sizes[hiddenLayers + 1] = 2 * dim;
            double[] mask = new double[dim];
            mask[l % dim] = 1;
            Mlp net = new Mlp(sizes, Activation.RELU, rng, DType.FLOAT32);
            for (Tensor p : net.parameters()) {
                float[] w = p.rawFloats();
                for (int i = 0; i < w.length; i++) {
                    w[i] *= 1 + (float) (spread * rng.nextDouble());
                }
            }
            parts.add(new Coupling(mask, new MlpConditioner(net, 0), new AffineTransformer(scale), DType.FLOAT32));
        }
        return new Flow(new StandardNormal(dim), new Composite(parts), DType.FLOAT32);
    }

    /** The same flow in float64 (its weights are the float32 ones, exactly). */
    static Flow toFloat64(Flow f) {
        List<Transform> parts = new java.util.ArrayList<>();
        for (Transform t : ((Composite) f.transform()).parts()) {
            Coupling c = (Coupling) t;
            Mlp net = ((MlpConditioner) c.conditioner()).net();
            List<org.flows4j.nn.Linear> ls = net.layers().stream()
                    .map(l -> new org.flows4j.nn.Linear(l.weight().to(DType.FLOAT64), l.bias().to(DType.FLOAT64))).toList();
            parts.add(new Coupling(c.mask(), new MlpConditioner(new Mlp(ls, net.activation()), 0), c.transformer(),
                    DType.FLOAT64));
        }
        return new Flow(new StandardNormal(f.dim()), new Composite(parts), DType.FLOAT64);
    }

    /**
     * The piecewise-linear path (large jobs) gives the float64 flow's log-densities to float32
     * output rounding, on ordinary points and far tails, at 1 and 2 threads; its samples are the
     * products' samples (same draws), and their log-densities are the float64 flow's at them.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("oneKeptConfigs")
    void piecewisePathIsTheFlowInDoublePrecision(String name, int dim, int layers, int hidden, int hiddenLayers,
            AffineTransformer.Scale scale, double spread) {
        Flow f = oneKeptFlow(dim * 13L + layers, dim, layers, hidden, hiddenLayers, scale, spread);
        Flow f64 = toFloat64(f);
        FusedCouplingFlow fused = FusedCouplingFlow.of(f).orElseThrow();
        FusedCouplingFlow products = fused.withoutPiecewise();
        assertThat(fused.usesPiecewise()).isTrue();
        assertThat(products.usesPiecewise()).isFalse();
        int n = FusedCouplingFlow.PIECEWISE_ROWS + 1901;
        float tail = scale == AffineTransformer.Scale.IDENTITY ? 6 : 300;
        float[] pts = Tensor.randn(new Rng(5), DType.FLOAT32, n, dim).mul(1.7).toFloatArray();
        Rng r = new Rng(6);
        for (int i = 0; i < 200 * dim; i++) {
            pts[i] = (float) ((2 * r.nextDouble() - 1) * tail); // far out, both signs
        }
        Tensor x = Tensor.of(pts, n, dim);
        double[] exact = f64.logProb(x.to(DType.FLOAT64)).toDoubleArray();
        float[] viaProducts = products.logProb(x, 1);
        for (int threads : new int[] {1, 2}) {
            float[] got = fused.logProb(x, threads);
            for (int i = 0; i < n; i++) {
                assertThat((double) got[i]).as("%s row %d", name, i)
                        .isCloseTo(exact[i], org.assertj.core.data.Offset.offset(2e-6 * Math.max(1, Math.abs(exact[i]))));
                assertThat(viaProducts[i]).isCloseTo(got[i], org.assertj.core.data.Offset.offset(
                        (float) (1e-4 * Math.max(1, Math.abs(exact[i])))));
            }
        }
        Flow.Samples a = fused.sample(n, new Rng(9), 1);
        Flow.Samples b = fused.sample(n, new Rng(9), 2);
        Flow.Samples ref = products.sample(n, new Rng(9), 1);
        assertThat(a.samples().toFloatArray()).containsExactly(b.samples().toFloatArray());
        double[] xs = ref.samples().toDoubleArray();
        double[] fs = a.samples().toDoubleArray();
        for (int i = 0; i < xs.length; i++) {
            assertThat(fs[i]).isCloseTo(xs[i], org.assertj.core.data.Offset.offset(1e-4 * Math.max(1, Math.abs(xs[i]))));
        }
        double[] atSamples = f64.logProb(a.samples().to(DType.FLOAT64)).toDoubleArray();
        double[] lf = a.logProb().toDoubleArray();
        for (int i = 0; i < n; i++) {
            // the sample is rounded to float32 before the float64 flow sees it: allow for that step
            assertThat(lf[i]).isCloseTo(atSamples[i], org.assertj.core.data.Offset.offset(1e-4 * Math.max(1, Math.abs(atSamples[i]))));
        }
        // changed weights (as training changes them between calls) are seen: the forms are rebuilt
        for (Tensor p : f.parameters()) {
            float[] w = p.rawFloats();
            for (int i = 0; i < w.length; i++) {
                w[i] *= 0.9f;
            }
        }
        double[] moved = toFloat64(f).logProb(x.to(DType.FLOAT64)).toDoubleArray();
        float[] again = fused.logProb(x, 1);
        for (int i = 0; i < n; i++) {
            assertThat((double) again[i]).isCloseTo(moved[i], org.assertj.core.data.Offset.offset(2e-6 * Math.max(1, Math.abs(moved[i]))));
        }
    }

    /**
     * The switch-point path (a coupling that keeps one coordinate, ReLU networks of two or more
     * hidden layers) on rows with many equal conditioning values and signed zeros. (A row exactly
     * at a unit's switch point sits on the kink: the path then takes one of the two one-sided
     * gradients, as FusedNet documents; the grid here avoids the random thresholds.)
     */
    @Test
    void switchPointPathMatchesAutodiffOnTiedRows() {
        for (RowGemm gemm : List.of(RowGemm.plain(), RowGemm.best())) {
            Flow f = flow(11, 2, 4, 32, 2, Activation.RELU, AffineTransformer.Scale.TANH);
            FusedCouplingFlow.Step step = FusedCouplingFlow.of(f, gemm).orElseThrow().newStep();
            assertThat(step.switchedLayers()).as(gemm.name()).isEqualTo(4);
            float[] grid = {-1.5f, -1f, -0.5f, -0f, 0f, 0.5f, 1f, 2.25f};
            Rng rng = new Rng(5);
            int n = 203;
            float[] v = new float[2 * n];
            for (int i = 0; i < v.length; i++) {
                v[i] = grid[rng.nextInt(grid.length)];
            }
            Tensor x = Tensor.of(v, n, 2);
            double fusedLoss = step.compute(x);
            Tensor loss = f.logProb(x).mean().neg();
            List<Tensor> expected = Autograd.grad(loss, f.parameters());
            assertThat(fusedLoss).isCloseTo(loss.item(), org.assertj.core.data.Offset.offset(1e-4 * Math.max(1, Math.abs(loss.item()))));
            for (int k = 0; k < expected.size(); k++) {
                assertClose(gemm.name() + " gradient " + k, step.gradients().get(k).toDoubleArray(),
                        expected.get(k).toDoubleArray());
            }
        }
        // tanh networks and networks of one hidden layer keep the products
        assertThat(FusedCouplingFlow.of(flow(1, 2, 2, 8, 2, Activation.TANH, AffineTransformer.Scale.TANH)).orElseThrow()
                .newStep().switchedLayers()).isZero();
        assertThat(FusedCouplingFlow.of(flow(1, 2, 2, 8, 1, Activation.RELU, AffineTransformer.Scale.TANH)).orElseThrow()
                .newStep().switchedLayers()).isZero();
    }

    @Test
    void unsupportedFlowsAreDeclined() {
        assertThat(FusedCouplingFlow.of(RealNvp.builder().dtype(DType.FLOAT64).build(new Rng(0)))).isEmpty();
        assertThat(FusedCouplingFlow.of(RealNvp.builder().contextDim(3).build(new Rng(0)))).isEmpty();
        assertThat(FusedCouplingFlow.of(RealNvp.builder().build(new Rng(0)))).isPresent();
    }
}
