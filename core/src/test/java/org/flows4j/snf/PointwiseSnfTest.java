package org.flows4j.snf;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.flows4j.energy.ImageDensity;
import org.flows4j.energy.ImageEnergy;
import org.flows4j.stochastic.StochasticLayers;
import org.flows4j.tensor.Autograd;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class PointwiseSnfTest {
    /** A small smooth image energy: a dark ring on white, 40 x 30 pixels, 10 pixels per unit. */
    static ImageEnergy ringEnergy() {
        double[][] gray = new double[30][40];
        for (int r = 0; r < 30; r++) {
            for (int c = 0; c < 40; c++) {
                double d = Math.hypot(c - 20, r - 14);
                gray[r][c] = Math.abs(d - 8) < 3 ? 40 : 250;
            }
        }
        ImageDensity img = ImageDensity.fromGray(gray, ImageDensity.Preparation.of(2));
        return new ImageEnergy(img, 20, 15, 10, 10);
    }

    private static float[] batch(ImageEnergy u, int n, long seed) {
        return ImageBenchmark.exactData(u, n, new Rng(seed));
    }

    private static Tensor tensor(float[] b, int n) {
        double[] d = new double[b.length];
        for (int i = 0; i < b.length; i++) {
            d[i] = b[i];
        }
        return Tensor.of(DType.FLOAT32, d, n, 2);
    }

    /** Fused J_ML and gradients against autodiff through the tensor layers (same Metropolis draws). */
    private static void compare(ImageBenchmark.Method method, int mcSteps) {
        ImageEnergy u = ringEnergy();
        ImageBenchmark.Settings s = ImageBenchmark.Settings.paper(2.0).withBlocks(2).withHidden(16, 16)
                .withMcSteps(mcSteps).withBins(8);
        s = new ImageBenchmark.Settings(s.blocks(), s.hidden(), s.mcSteps(), 0.3, 6, s.tailBound(), 1, 32, 1e-3, 100, 100,
                10);
        BoltzmannGenerator bg = ImageBenchmark.build(method, s, u, new Rng(3));
        perturb(bg, 0.3);
        int n = 64;
        float[] b = batch(u, n, 5);
        PointwiseSnf fused = PointwiseSnf.of(bg, org.flows4j.kernels.RowGemm.best(), true).orElseThrow();
        StochasticLayers.reseed(bg.transform(), new Rng(11));
        PointwiseSnf.Trainer tr = fused.newTrainer();
        double loss = tr.step(b, n);
        StochasticLayers.reseed(bg.transform(), new Rng(11));
        Tensor expected;
        List<Tensor> grads;
        try (Autograd.Scope ignored = Autograd.setGradEnabled(true)) {
            expected = bg.mlLoss(tensor(b, n));
            grads = Autograd.grad(expected, bg.parameters());
        }
        assertLossAndGradients(method.label(), loss, expected, tr, grads, 2e-3, 1e-5);
    }

    @Test
    void affineStepMatchesAutodiff() {
        compare(ImageBenchmark.Method.RNVP, 0);
    }

    @Test
    void splineStepMatchesAutodiff() {
        compare(ImageBenchmark.Method.NSF, 0);
    }

    /**
     * The paper's network shape (three hidden layers of 64: the switch path, a dense 64 x 64 layer
     * with its sparse products, a narrow output) at the paper's batch of 250, on both kernels,
     * against float64 autodiff through a twin generator with the same weights.
     */
    @Test
    void paperSizedStepsMatchFloat64Autodiff() {
        for (org.flows4j.kernels.RowGemm g : new org.flows4j.kernels.RowGemm[] {org.flows4j.kernels.RowGemm.best(),
            org.flows4j.kernels.RowGemm.plain()}) {
            compare64(ImageBenchmark.Method.RNVP, new int[] {64, 64, 64}, 250, g);
            compare64(ImageBenchmark.Method.NSF, new int[] {64, 64, 64}, 250, g);
        }
        compare64(ImageBenchmark.Method.RNVP, new int[] {24, 40, 33}, 101, org.flows4j.kernels.RowGemm.best());
        compare64(ImageBenchmark.Method.RNVP, new int[] {64, 64}, 77, org.flows4j.kernels.RowGemm.best());
    }

    private static void compare64(ImageBenchmark.Method method, int[] hidden, int n, org.flows4j.kernels.RowGemm gemm) {
        ImageEnergy u = ringEnergy();
        ImageBenchmark.Settings s = ImageBenchmark.Settings.paper(2.0).withBlocks(2).withHidden(hidden).withMcSteps(0)
                .withBins(8);
        s = new ImageBenchmark.Settings(s.blocks(), s.hidden(), s.mcSteps(), 0.3, 6, s.tailBound(), 1, n, 1e-3, 100, 100,
                10);
        BoltzmannGenerator bg = ImageBenchmark.build(method, s, u, new Rng(3));
        perturb(bg, 0.1);
        BoltzmannGenerator twin = SnfBuilder.to(u).dim(2).blocks(s.blocks()).hidden(s.hidden())
                .couplings(method.spline() ? SnfBuilder.Couplings.SPLINE : SnfBuilder.Couplings.AFFINE)
                .spline(s.splineBins(), s.tailBound()).stochastic(SnfBuilder.Stochastic.NONE).priorBlock(false)
                .dtype(DType.FLOAT64).build(new Rng(3));
        for (int k = 0; k < bg.parameters().size(); k++) {
            double[] v = bg.parameters().get(k).toDoubleArray();
            System.arraycopy(v, 0, twin.parameters().get(k).rawDoubles(), 0, v.length);
        }
        float[] b = batch(u, n, 5);
        PointwiseSnf.Trainer tr = PointwiseSnf.of(bg, gemm, true).orElseThrow().newTrainer();
        double loss = tr.step(b, n);
        double[] d = new double[b.length];
        for (int i = 0; i < b.length; i++) {
            d[i] = b[i];
        }
        Tensor expected;
        List<Tensor> grads;
        try (Autograd.Scope ignored = Autograd.setGradEnabled(true)) {
            expected = twin.mlLoss(Tensor.of(DType.FLOAT64, d, n, 2));
            grads = Autograd.grad(expected, twin.parameters());
        }
        String what = method.label() + " " + java.util.Arrays.toString(hidden) + " " + gemm.name();
        assertLossAndGradients(what, loss, expected, tr, grads, 1e-3, 1e-6);
    }

    /**
     * A step's gradients do not depend on the steps before it (the networks' gradient arrays are
     * replaced each step, the others zeroed): a second step on another batch gives the same
     * gradients, bit for bit, as a fresh trainer's first step on that batch.
     */
    @Test
    void gradientsOfAStepDoNotCarryOverFromTheLast() {
        for (ImageBenchmark.Method method : new ImageBenchmark.Method[] {ImageBenchmark.Method.RNVP,
            ImageBenchmark.Method.NSF}) {
            ImageEnergy u = ringEnergy();
            ImageBenchmark.Settings s = ImageBenchmark.Settings.paper(2.0).withBlocks(2).withHidden(32, 32, 32)
                    .withMcSteps(0).withBins(8);
            BoltzmannGenerator bg = ImageBenchmark.build(method, s, u, new Rng(3));
            perturb(bg, 0.1);
            PointwiseSnf fused = PointwiseSnf.of(bg, org.flows4j.kernels.RowGemm.best(), true).orElseThrow();
            PointwiseSnf.Trainer twice = fused.newTrainer();
            twice.step(batch(u, 100, 5), 100);
            twice.step(batch(u, 100, 6), 100);
            PointwiseSnf.Trainer once = fused.newTrainer();
            once.step(batch(u, 100, 6), 100);
            for (int k = 0; k < once.gradients().size(); k++) {
                assertThat(twice.gradients().get(k).rawFloats()).as(method.label() + " parameter " + k)
                        .containsExactly(once.gradients().get(k).rawFloats());
            }
        }
    }

    @Test
    void stochasticStepsMatchAutodiffWithTheSameMoves() {
        compare(ImageBenchmark.Method.RNVP_MC, 3);
        compare(ImageBenchmark.Method.NSF_MC, 3);
    }

    /** The spline's inverse gradient against central differences of its own inverse map. */
    @Test
    void splineInverseGradientMatchesFiniteDifferences() {
        org.flows4j.transforms.RationalQuadraticSpline rq = new org.flows4j.transforms.RationalQuadraticSpline(5, 2.0);
        SplineGrad sm = new SplineGrad(rq);
        Rng rng = new Rng(4);
        for (int trial = 0; trial < 20; trial++) {
            float[] w = new float[5];
            float[] h = new float[5];
            float[] d = new float[4];
            for (int q = 0; q < 5; q++) {
                w[q] = (float) rng.nextGaussian();
                h[q] = (float) rng.nextGaussian();
            }
            for (int q = 0; q < 4; q++) {
                d[q] = (float) rng.nextGaussian();
            }
            double y = -1.9 + 3.8 * rng.nextDouble();
            double gx = rng.nextGaussian();
            double gl = rng.nextGaussian();
            sm.inverseBackward(y, w, 0, h, 0, d, 0, 1, gx, gl);
            double gIn = sm.gIn;
            double[] gw = sm.gw.clone();
            double[] gd = sm.gd.clone();
            double eps = 1e-4;
            // dL/dy with L = gx * out + gl * logDet
            sm.inverse(y + eps, w, 0, h, 0, d, 0, 1);
            double lp = gx * sm.out + gl * sm.logDet;
            sm.inverse(y - eps, w, 0, h, 0, d, 0, 1);
            double lm = gx * sm.out + gl * sm.logDet;
            assertThat(gIn).isCloseTo((lp - lm) / (2 * eps), org.assertj.core.api.Assertions.within(1e-3 * (1 + Math.abs(gIn))));
            java.util.function.DoubleSupplier loss = () -> {
                sm.inverse(y, w, 0, h, 0, d, 0, 1);
                return gx * sm.out + gl * sm.logDet;
            };
            for (int q = 0; q < 5; q++) {
                double fd = centralDifference(w, q, loss);
                assertThat(gw[q]).isCloseTo(fd, org.assertj.core.api.Assertions.within(2e-3 * (1 + Math.abs(fd))));
            }
            for (int q = 0; q < 4; q++) {
                assertThat(gd[q]).isCloseTo(centralDifference(d, q, loss),
                        org.assertj.core.api.Assertions.within(2e-3 * (1 + Math.abs(gd[q]))));
            }
        }
    }

    /** Ziggurat normals: mean, variance, a binned chi-square against the normal CDF, the tail beyond 3.5. */
    @Test
    void zigguratDrawsAreStandardNormal() {
        Rng rng = new Rng(21);
        int n = 2_000_000;
        double[] edges = {-3, -2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2, 3};
        long[] counts = new long[edges.length + 1];
        double sum = 0;
        double sq = 0;
        long tail = 0;
        for (int i = 0; i < n; i++) {
            double x = ZigguratNormal.next(rng);
            sum += x;
            sq += x * x;
            if (Math.abs(x) > 3.5) {
                tail++;
            }
            int b = 0;
            while (b < edges.length && x >= edges[b]) {
                b++;
            }
            counts[b]++;
        }
        assertThat(sum / n).isCloseTo(0, org.assertj.core.api.Assertions.within(5 * Math.sqrt(1.0 / n)));
        assertThat(sq / n).isCloseTo(1, org.assertj.core.api.Assertions.within(5 * Math.sqrt(2.0 / n)));
        double chi2 = 0;
        for (int b = 0; b <= edges.length; b++) {
            double lo = b == 0 ? 0 : phi(edges[b - 1]);
            double hi = b == edges.length ? 1 : phi(edges[b]);
            double expected = n * (hi - lo);
            chi2 += (counts[b] - expected) * (counts[b] - expected) / expected;
        }
        assertThat(chi2).as("11 degrees of freedom").isLessThan(40);
        double pTail = 2 * (1 - phi(3.5));
        assertThat((double) tail).isCloseTo(n * pTail, org.assertj.core.api.Assertions.within(5 * Math.sqrt(n * pTail)));
    }

    /** The standard normal CDF (Abramowitz-Stegun 7.1.26 on erf, error < 1.5e-7). */
    private static double phi(double x) {
        double z = Math.abs(x) / Math.sqrt(2);
        double t = 1 / (1 + 0.3275911 * z);
        double erf = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592)
                * t * Math.exp(-z * z);
        return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
    }

    /** Fused sampling equals the tensor path's, and does not depend on the thread count. */
    @Test
    void samplingIsThreadIndependentAndMatchesTheTensorPath() {
        ImageEnergy u = ringEnergy();
        ImageBenchmark.Settings s = ImageBenchmark.Settings.paper(2.0).withBlocks(2).withHidden(16, 16).withMcSteps(0);
        BoltzmannGenerator bg = ImageBenchmark.build(ImageBenchmark.Method.NSF, s, u, new Rng(3));
        PointwiseSnf f = PointwiseSnf.of(bg, org.flows4j.kernels.RowGemm.best(), true).orElseThrow();
        PointwiseSnf.Samples one = f.sample(3000, new Rng(8), 1);
        PointwiseSnf.Samples two = f.sample(3000, new Rng(8), 2);
        assertThat(two.x()).containsExactly(one.x());
        // the same latent points through the tensor layers
        Rng r = new Rng(8).split();
        double[] z = new double[2 * 1024];
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) r.nextGaussian();
        }
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            Tensor x = bg.transform().inverse(Tensor.of(DType.FLOAT32, z, 1024, 2), null).y();
            double[] xs = x.toDoubleArray();
            for (int i = 0; i < xs.length; i++) {
                assertThat((double) one.x()[i]).isCloseTo(xs[i], org.assertj.core.api.Assertions.within(1e-4));
            }
        }
    }

    /** The fused loss within 1e-4 relative of autodiff's; each gradient within rel * (its largest entry) + abs. */
    private static void assertLossAndGradients(String what, double loss, Tensor expected, PointwiseSnf.Trainer tr,
            List<Tensor> grads, double rel, double abs) {
        assertThat(loss).as(what + " loss").isCloseTo(expected.item(), org.assertj.core.api.Assertions.within(
                1e-4 * (1 + Math.abs(loss))));
        for (int k = 0; k < grads.size(); k++) {
            float[] got = tr.gradients().get(k).rawFloats();
            double[] want = grads.get(k).toDoubleArray();
            double scale = 0;
            for (double w : want) {
                scale = Math.max(scale, Math.abs(w));
            }
            for (int i = 0; i < want.length; i++) {
                assertThat((double) got[i]).as(what + " parameter " + k + "[" + i + "]")
                        .isCloseTo(want[i], org.assertj.core.api.Assertions.within(rel * scale + abs));
            }
        }
    }

    /** Perturbs the initial weights (seeded) so that every term of the step is exercised. */
    private static void perturb(BoltzmannGenerator bg, double scale) {
        Rng p = new Rng(9);
        for (Tensor t : bg.parameters()) {
            float[] f = t.rawFloats();
            for (int i = 0; i < f.length; i++) {
                f[i] += (float) (scale * p.nextGaussian());
            }
        }
    }

    /** (loss(p + 0.01) - loss(p - 0.01)) / (the step float rounding actually took) in p[q]; p[q] restored. */
    private static double centralDifference(float[] p, int q, java.util.function.DoubleSupplier loss) {
        float keep = p[q];
        p[q] = keep + 1e-2f;
        double a = loss.getAsDouble();
        p[q] = keep - 1e-2f;
        double c = loss.getAsDouble();
        p[q] = keep;
        return (a - c) / ((double) (keep + 1e-2f) - (double) (keep - 1e-2f));
    }
}
