package org.flows4j.snf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.flows4j.distributions.StandardNormal;
import org.flows4j.energy.DoubleWell;
import org.flows4j.energy.Energy;
import org.flows4j.energy.GaussianMixtureEnergy;
import org.flows4j.energy.InterpolatedEnergy;
import org.flows4j.flows.Flow;
import org.flows4j.stochastic.MetropolisMC;
import org.flows4j.stochastic.OverdampedLangevin;
import org.flows4j.tensor.Autograd;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;
import org.flows4j.transforms.Composite;
import org.flows4j.transforms.Transform;
import org.junit.jupiter.api.Test;

class SnfTest {
    private static final DType F64 = DType.FLOAT64;
    private static final GaussianMixtureEnergy GAUSSIAN = GaussianMixtureEnergy.gaussian(new double[] {1.0, -0.5},
            new double[] {0.5, 0.8});

    /** A generator from N(0, I) to the Gaussian target through the given layers (sampling order). */
    private static BoltzmannGenerator generator(List<Transform> samplingOrder) {
        List<Transform> parts = new ArrayList<>(samplingOrder);
        Collections.reverse(parts);
        Flow flow = new Flow(new StandardNormal(2), new Composite(parts), F64);
        return new BoltzmannGenerator(flow, Energy.standardNormal(2), GAUSSIAN);
    }

    private static Energy lambda(double l) {
        return new InterpolatedEnergy(Energy.standardNormal(2), GAUSSIAN, l);
    }

    private static double[] moment(BoltzmannGenerator.SampleArrays a, int col, int power) {
        double[] c = a.column(col);
        for (int i = 0; i < c.length; i++) {
            c[i] = Math.pow(c[i], power);
        }
        return c;
    }

    /**
     * Self-normalised importance sampling with the path weights of stochastic flows converges to
     * the exact expectations of a Gaussian target, although the generated samples themselves are
     * far from it; and the mean weight estimates Z_X / Z_Z = 1 / (2 pi) (normalised target, prior
     * energy |z|^2/2), as the path-weight identity requires.
     */
    @Test
    void importanceWeightedEstimatesConvergeToTheExactValues() {
        Rng rng = new Rng(1);
        List<List<Transform>> flows = List.of(
                List.of(MetropolisMC.builder(lambda(0.5)).steps(5).stepSize(0.6).dtype(F64).build(rng.split()),
                        MetropolisMC.builder(lambda(1.0)).steps(5).stepSize(0.6).dtype(F64).build(rng.split())),
                List.of(OverdampedLangevin.builder(lambda(0.5)).steps(8).stepSize(0.05).dtype(F64).build(rng.split()),
                        OverdampedLangevin.builder(lambda(1.0)).steps(8).stepSize(0.05).dtype(F64).build(rng.split())),
                List.of(SplitCoupling.paperAffine(2, true, new int[] {8}, rng, F64),
                        MetropolisMC.builder(lambda(1.0)).steps(3).stepSize(0.5).dtype(F64).build(rng.split()),
                        SplitCoupling.paperAffine(2, false, new int[] {8}, rng, F64)));
        double[] exactMean = GAUSSIAN.exactMean();
        double[] exactSecond = GAUSSIAN.exactSecondMoment();
        for (List<Transform> layers : flows) {
            BoltzmannGenerator bg = generator(layers);
            double previousError = Double.POSITIVE_INFINITY;
            double previousSe = Double.POSITIVE_INFINITY;
            for (int n : new int[] {1_000, 100_000}) {
                BoltzmannGenerator.SampleArrays a = bg.sampleArrays(n, 100_000, rng);
                double[] lw = a.logWeights();
                double error = 0;
                double seSum = 0;
                for (int col = 0; col < 2; col++) {
                    for (int p = 1; p <= 2; p++) {
                        double[] o = moment(a, col, p);
                        double est = ImportanceWeights.mean(lw, o);
                        double se = ImportanceWeights.standardError(lw, o);
                        double exact = p == 1 ? exactMean[col] : exactSecond[col];
                        assertThat(est).as("%s moment %d of x%d at n=%d", layers.get(0), p, col, n)
                                .isCloseTo(exact, within(5 * se));
                        error += Math.abs(est - exact);
                        seSum += se;
                    }
                }
                if (n == 100_000) {
                    // Standard errors shrink as 1/sqrt(n) (a factor 10 here) and the error with them.
                    assertThat(seSum).as("standard errors shrink").isLessThan(0.25 * previousSe);
                    assertThat(error).as("error shrinks with n").isLessThan(previousError);
                    assertThat(error).isLessThan(0.15);
                    // The samples alone are biased: without the weights the same moments miss by far more.
                    double unweightedError = 0;
                    for (int col = 0; col < 2; col++) {
                        for (int p = 1; p <= 2; p++) {
                            double plain = java.util.Arrays.stream(moment(a, col, p)).average().orElseThrow();
                            unweightedError += Math.abs(plain - (p == 1 ? exactMean[col] : exactSecond[col]));
                        }
                    }
                    assertThat(unweightedError).as("unweighted error").isGreaterThan(Math.max(0.1, 3 * error));
                    assertThat(ImportanceWeights.logMeanWeight(lw)).isCloseTo(-Math.log(2 * Math.PI), within(0.02));
                    assertThat(ImportanceWeights.kishFraction(lw)).isBetween(0.05, 1.0);
                }
                previousError = error;
                previousSe = seSum;
            }
        }
    }

    @Test
    void importanceWeightUtilitiesHandleExtremeLogWeights() {
        double[] lw = {1000, 1000, 1000 - Math.log(2), Double.NaN};
        double[] w = ImportanceWeights.normalized(lw);
        assertThat(w[0]).isCloseTo(0.4, within(1e-12));
        assertThat(w[2]).isCloseTo(0.2, within(1e-12));
        assertThat(w[3]).isZero();
        assertThat(ImportanceWeights.kishFraction(new double[] {-5, -5, -5, -5})).isCloseTo(1.0, within(1e-12));
        assertThat(ImportanceWeights.kishFraction(new double[] {0, -800, -800, -800})).isCloseTo(0.25, within(1e-12));
        assertThat(ImportanceWeights.mean(new double[] {0, Math.log(3)}, new double[] {1, 5})).isCloseTo(4, within(1e-12));
        assertThat(ImportanceWeights.logMeanWeight(new double[] {2000, 2000})).isCloseTo(2000, within(1e-9));
    }

    @Test
    void freeEnergyProfilesFollowNumpysHistogramAndReweighting() {
        double[] v = {0.0, 0.1, 0.5, 0.9, 1.0};
        FreeEnergyProfile f = FreeEnergyProfile.auto(v, null, 2);
        // numpy.histogram([0, .1, .5, .9, 1], bins=2, density=True) = [0.8, 1.2] (0.5 falls in the second bin)
        assertThat(f.centers()).containsExactly(0.25, 0.75);
        assertThat(f.energies()[0]).isCloseTo(-Math.log(0.8), within(1e-12));
        assertThat(f.energies()[1]).isCloseTo(-Math.log(1.2), within(1e-12));
        FreeEnergyProfile w = FreeEnergyProfile.of(v, new double[] {0, 0, Math.log(3), 0, 0}, 2, 0, 1);
        assertThat(w.energies()[1] - w.energies()[0]).isCloseTo(-Math.log(5.0 / 2.0), within(1e-12));
        // Plain weights: a bin whose samples all weigh 0 is empty.
        FreeEnergyProfile pw = FreeEnergyProfile.ofWeights(v, new double[] {0, 0, 3, 1, 1}, 2, 0, 1);
        assertThat(pw.energies()[0]).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(pw.energies()[1]).isCloseTo(-Math.log(2.0), within(1e-12));
        assertThat(FreeEnergyProfile.autoWeights(v, new double[] {1, 1, 1, 1, 1}, 2).energies())
                .containsExactly(f.energies());
        assertThatThrownBy(() -> FreeEnergyProfile.ofWeights(v, new double[] {1, 1, -1, 1, 1}, 2, 0, 1))
                .isInstanceOf(IllegalArgumentException.class);
        FreeEnergyProfile e = FreeEnergyProfile.of(v, null, 4, 2, 3);
        assertThat(e.energies()).containsOnly(Double.NaN);
        FreeEnergyProfile c = FreeEnergyProfile.of(v, null, 4, 0, 1).centered();
        double s = 0;
        for (double x : c.energies()) {
            s += Double.isFinite(x) ? x : 0;
        }
        assertThat(s).isCloseTo(0, within(1e-12));
        // Reweighting samples of one density to another recovers the other's free energy.
        Rng rng = new Rng(2);
        int n = 400_000;
        double[] x = new double[n];
        double[] lw = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = 1.5 * rng.nextGaussian();
            lw[i] = -0.5 * x[i] * x[i] + 0.5 * x[i] * x[i] / 2.25; // N(0,1) over N(0, 1.5^2)
        }
        FreeEnergyProfile rw = FreeEnergyProfile.of(x, lw, 10, -2, 2).centered();
        double[] exact = new double[10];
        double m = 0;
        for (int j = 0; j < 10; j++) {
            exact[j] = 0.5 * rw.centers()[j] * rw.centers()[j];
            m += exact[j] / 10;
        }
        for (int j = 0; j < 10; j++) {
            assertThat(rw.energies()[j]).isCloseTo(exact[j] - m, within(0.05));
        }
    }

    @Test
    void splitCouplingsInvertAndTheirLogDetsAreTheJacobians() {
        Rng rng = new Rng(3);
        for (int dim : new int[] {2, 3, 5}) {
            for (boolean second : new boolean[] {true, false}) {
                for (SplitCoupling c : List.of(SplitCoupling.paperAffine(dim, second, new int[] {16, 16}, rng, F64),
                        SplitCoupling.spline(dim, second, new int[] {16}, 6, 2.0, rng, F64))) {
                    // Random, non-trivial parameters.
                    for (Tensor p : c.parameters()) {
                        double[] raw = p.rawDoubles();
                        for (int i = 0; i < raw.length; i++) {
                            raw[i] += 0.3 * rng.nextGaussian();
                        }
                    }
                    Tensor z = Tensor.randn(rng, F64, 7, dim).mul(1.5);
                    Transform.Result x = c.inverse(z);
                    Transform.Result back = c.forward(x.y());
                    for (int i = 0; i < z.numel(); i++) {
                        assertThat(back.y().getFlat(i)).isCloseTo(z.getFlat(i), within(1e-9));
                    }
                    for (int r = 0; r < 7; r++) {
                        assertThat(back.logAbsDet().getFlat(r)).isCloseTo(-x.logAbsDet().getFlat(r), within(1e-9));
                        double logDet = Math.log(Math.abs(determinant(jacobian(c, z, r))));
                        assertThat(x.logAbsDet().getFlat(r)).isCloseTo(logDet, within(1e-6));
                    }
                }
            }
        }
        assertThatThrownBy(() -> SplitCoupling.paperAffine(1, true, new int[] {4}, rng, F64))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** Evaluation without a graph runs float32 networks on the row kernels: same outputs to float32 rounding. */
    @Test
    void splitCouplingsGiveTheSameOutputsWithoutAGraph() {
        Rng rng = new Rng(14);
        for (SplitCoupling c : List.of(SplitCoupling.paperAffine(2, true, new int[] {64, 64}, rng, DType.FLOAT32),
                SplitCoupling.spline(3, false, new int[] {32, 20}, 8, 3.0, rng, DType.FLOAT32))) {
            Tensor z = Tensor.randn(rng, DType.FLOAT32, 1000, c.dim());
            Transform.Result graph = c.inverse(z.requireGrad());
            Transform.Result fast;
            try (Autograd.Scope ignored = Autograd.noGrad()) {
                fast = c.inverse(z);
            }
            for (int i = 0; i < z.numel(); i++) {
                assertThat(fast.y().getFlat(i)).isCloseTo(graph.y().getFlat(i), within(2e-5));
            }
            for (int i = 0; i < 1000; i++) {
                assertThat(fast.logAbsDet().getFlat(i)).isCloseTo(graph.logAbsDet().getFlat(i), within(2e-5));
            }
        }
    }

    /** Numerical Jacobian of the sampling map at row r. */
    private static double[][] jacobian(SplitCoupling c, Tensor z, int r) {
        int d = z.size(1);
        double[][] j = new double[d][d];
        double h = 1e-6;
        for (int k = 0; k < d; k++) {
            double[] p = new double[d];
            double[] m = new double[d];
            for (int i = 0; i < d; i++) {
                p[i] = z.get(r, i);
                m[i] = z.get(r, i);
            }
            p[k] += h;
            m[k] -= h;
            Tensor yp = c.inverse(Tensor.of(p, 1, d)).y();
            Tensor ym = c.inverse(Tensor.of(m, 1, d)).y();
            for (int i = 0; i < d; i++) {
                j[i][k] = (yp.getFlat(i) - ym.getFlat(i)) / (2 * h);
            }
        }
        return j;
    }

    private static double determinant(double[][] a) {
        int n = a.length;
        double[][] m = new double[n][];
        for (int i = 0; i < n; i++) {
            m[i] = a[i].clone();
        }
        double det = 1;
        for (int c = 0; c < n; c++) {
            int p = c;
            for (int r = c + 1; r < n; r++) {
                if (Math.abs(m[r][c]) > Math.abs(m[p][c])) {
                    p = r;
                }
            }
            if (p != c) {
                double[] t = m[p];
                m[p] = m[c];
                m[c] = t;
                det = -det;
            }
            det *= m[c][c];
            for (int r = c + 1; r < n; r++) {
                double f = m[r][c] / m[c][c];
                for (int k = c; k < n; k++) {
                    m[r][k] -= f * m[c][k];
                }
            }
        }
        return det;
    }

    /** The exact data chain samples the double well: its share of the right well matches quadrature. */
    @Test
    void exactDoubleWellDataHasTheRightWellOccupancy() {
        DoubleWellBenchmark.Settings s = DoubleWellBenchmark.Settings.paper();
        RandomWalkMetropolis.Chain c = DoubleWellBenchmark.exactData(s, new Rng(4));
        assertThat(c.samples()).hasNumberOfRows(10_000);
        assertThat(c.samples()[0]).hasSize(2);
        DoubleWell u = DoubleWell.paper(2);
        double right = 0;
        double all = 0;
        for (double x = -4; x <= 4; x += 1e-4) {
            double p = Math.exp(-u.energy1d(x));
            all += p;
            if (x > 0) {
                right += p;
            }
        }
        long inRight = java.util.Arrays.stream(c.samples()).filter(p -> p[0] > 0).count();
        assertThat(inRight / 10_000.0).isCloseTo(right / all, within(0.04));
        double var2 = java.util.Arrays.stream(c.samples()).mapToDouble(p -> p[1] * p[1]).average().orElseThrow();
        assertThat(var2).isCloseTo(1.0, within(0.08));
        assertThat(c.acceptance()).isBetween(0.05, 0.3);
    }

    @Test
    void everyBenchmarkMethodBuildsTrainsAndEvaluates() {
        DoubleWellBenchmark.Settings s = DoubleWellBenchmark.Settings.paper().withTraining(2, 2).withEvaluation(1_000, 3)
                .withMc(3, 0.25, true);
        Tensor data = DoubleWellBenchmark.toTensor(DoubleWellBenchmark.exactData(s, new Rng(5)).samples(), s.dtype());
        for (DoubleWellBenchmark.Method m : DoubleWellBenchmark.Method.values()) {
            BoltzmannGenerator bg = DoubleWellBenchmark.build(m, s, new Rng(6));
            long mcLayers = org.flows4j.stochastic.StochasticLayers.of(bg.transform()).size();
            assertThat(mcLayers).isEqualTo(m.stochastic() ? 4 : 0);
            SnfTrainer.Result r = DoubleWellBenchmark.train(bg, data, s, new Rng(7), null);
            assertThat(r.steps()).hasSize(4);
            assertThat(r.steps().get(3).kl()).isFinite();
            DoubleWellBenchmark.Evaluation e = DoubleWellBenchmark.evaluate(bg, s, new Rng(8), null);
            assertThat(e.centers()).hasSize(30);
            assertThat(e.profiles()).hasSize(3);
            assertThat(java.util.Arrays.stream(new double[] {e.bias(), e.unc(), e.biasRw(), e.uncRw(), e.kish()}).allMatch(Double::isFinite)).isTrue();
            // Reproducible from the seed.
            DoubleWellBenchmark.Evaluation again = DoubleWellBenchmark.evaluate(bg, s, new Rng(8), null);
            assertThat(again.biasRw()).isEqualTo(e.biasRw());
        }
        assertThat(DoubleWellBenchmark.Method.parse("NSF+MC")).isEqualTo(DoubleWellBenchmark.Method.NSF_MC);
        assertThatThrownBy(() -> DoubleWellBenchmark.Method.parse("maf")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void mixedTrainingLowersBothLossesOnTheDoubleWell() {
        DoubleWellBenchmark.Settings s = DoubleWellBenchmark.Settings.paper().withTraining(40, 40)
                .withDType(DType.FLOAT32);
        Tensor data = DoubleWellBenchmark.toTensor(DoubleWellBenchmark.exactData(s, new Rng(9)).samples(), s.dtype());
        BoltzmannGenerator bg = DoubleWellBenchmark.build(DoubleWellBenchmark.Method.RNVP, s, new Rng(10));
        double ml0;
        double kl0;
        Rng r = new Rng(11);
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            ml0 = bg.mlLoss(data).item();
            kl0 = bg.klLoss(4000, r).item();
        }
        DoubleWellBenchmark.train(bg, data, s, new Rng(12), null);
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            double ml = bg.mlLoss(data).item();
            double kl = bg.klLoss(4000, r).item();
            assertThat(ml).isLessThan(ml0 - 0.5);
            assertThat(kl).isLessThan(kl0 - 0.5);
            // J_ML + J_KL = KL(p||q) + KL(q||p) on paths: never below zero.
            assertThat(ml + kl).isGreaterThan(-0.05);
        }
    }

    /** A Langevin SNF for a mixture, trained by KL alone through its forces (gradients of gradients). */
    @Test
    void builderMakesLangevinFlowsThatTrainThroughTheirForces() {
        GaussianMixtureEnergy target = GaussianMixtureEnergy.isotropic(new double[][] {{-2, 0}, {2, 0.5}}, 0.6);
        SnfBuilder b = SnfBuilder.to(target).blocks(2).hidden(16).stochastic(SnfBuilder.Stochastic.LANGEVIN).steps(4)
                .stepSize(0.02).differentiateForce(true).trainableStepSize(true).dtype(F64);
        assertThat(b.lambdas()).containsExactly(0.0, 0.0, 1.0);
        BoltzmannGenerator bg = b.build(new Rng(20));
        assertThat(org.flows4j.stochastic.StochasticLayers.of(bg.transform())).hasSize(3);
        Rng r = new Rng(21);
        double before;
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            before = bg.klLoss(4000, r).item();
        }
        SnfTrainer.Result res = SnfTrainer.train(bg, null,
                new SnfTrainer.Config(List.of(SnfTrainer.Phase.kl(40)), 64, 1e-2), new Rng(22), null);
        assertThat(res.steps()).hasSize(40);
        double after;
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            after = bg.klLoss(4000, r).item();
        }
        assertThat(after).isLessThan(before - 0.2);
        // Without stochastic blocks: a plain Boltzmann generator, same couplings.
        assertThat(org.flows4j.stochastic.StochasticLayers.of(SnfBuilder.to(target).build(new Rng(23)).transform())).isEmpty();
        assertThatThrownBy(() -> SnfBuilder.to(x -> x.sum(1, false)).build(new Rng(0)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SnfBuilder.to(target).dim(3).build(new Rng(0))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void trainingRejectsBadInput() {
        DoubleWellBenchmark.Settings s = DoubleWellBenchmark.Settings.paper();
        BoltzmannGenerator bg = DoubleWellBenchmark.build(DoubleWellBenchmark.Method.RNVP, s, new Rng(13));
        assertThatThrownBy(() -> SnfTrainer.train(bg, null, new SnfTrainer.Config(List.of(SnfTrainer.Phase.ml(2)), 8, 1e-3),
                new Rng(0), null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SnfTrainer.Phase(1, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SnfTrainer.Config(List.of(), 8, 1e-3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BoltzmannGenerator(bg.flow(), Energy.standardNormal(3), DoubleWell.paper(2)))
                .isInstanceOf(IllegalArgumentException.class);
        // KL-only training needs no data.
        SnfTrainer.Result r = SnfTrainer.train(bg, null, new SnfTrainer.Config(List.of(SnfTrainer.Phase.kl(2)), 8, 1e-3),
                new Rng(0), null);
        assertThat(r.steps()).hasSize(2);
    }
}
