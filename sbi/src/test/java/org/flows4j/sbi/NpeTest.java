package org.flows4j.sbi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class NpeTest {
    @Test
    void learnsAGaussianPosteriorAndRestoresTheBestWeights() {
        // 2-D linear Gaussian: prior N(0, I), x = theta + N(0, 0.25 I): posterior N(0.8 x, 0.2 I)
        double[][] cov = {{1, 0}, {0, 1}};
        Prior prior = Priors.gaussian(new double[2], cov);
        Simulator sim = new Simulator() {
            public int thetaDim() {
                return 2;
            }

            public int xDim() {
                return 2;
            }

            public void simulate(double[] t, Rng rng, double[] x) {
                x[0] = t[0] + 0.5 * rng.nextGaussian();
                x[1] = t[1] + 0.5 * rng.nextGaussian();
            }
        };
        Simulations.Batch b = Simulations.sampleAndSimulate(prior, sim, 1500, 3, 2);
        Npe.Config cfg = new Npe.Config(2, 8, 3.0, 32, 2, 5e-3, 100, 5.0, 0.1, 5, 40, 60, 1);
        Npe npe = new Npe(prior, cfg);
        npe.appendSimulations(b).train();
        Npe.TrainingSummary s = npe.summary();
        assertThat(s.epochs()).isGreaterThan(3);
        double minVal = java.util.Arrays.stream(s.validationLoss()).min().orElseThrow();
        assertThat(s.bestValidationLoss()).isEqualTo(minVal);
        Posterior post = npe.buildPosterior();
        double[] xo = {1.0, -0.5};
        Posterior.Draw d = post.sample(4000, xo, new Rng(9));
        assertThat(d.complete()).isTrue();
        assertThat(d.acceptanceRate()).isEqualTo(1.0);
        double m0 = 0;
        double m1 = 0;
        double v0 = 0;
        for (double[] r : d.samples()) {
            m0 += r[0] / 4000;
            m1 += r[1] / 4000;
        }
        for (double[] r : d.samples()) {
            v0 += (r[0] - m0) * (r[0] - m0) / 3999;
        }
        assertThat(m0).isCloseTo(0.8, within(0.12));
        assertThat(m1).isCloseTo(-0.4, within(0.12));
        assertThat(v0).isCloseTo(0.2, within(0.08));
        // logProb in theta's units near the true Gaussian's at its mode: -log(2 pi 0.2)
        double lp = post.logProb(new double[][] {{0.8, -0.4}}, xo)[0];
        assertThat(lp).isCloseTo(-Math.log(2 * Math.PI * 0.2), within(0.35));
    }

    @Test
    void rejectionRespectsThePriorSupportAndStopsAtTheCap() {
        // a flow trained on a wide prior, sampled under a tiny box: almost all proposals rejected
        Prior wide = Priors.boxUniform(2, -1, 1);
        Task t = Tasks.twoMoons();
        Simulations.Batch b = Simulations.sampleAndSimulate(wide, t.simulator(), 300, 1, 1);
        Npe.Config cfg = new Npe.Config(1, 4, 3.0, 8, 1, 1e-3, 100, 5.0, 0.1, 2, 2, 60, 1);
        Posterior p = new Npe(wide, cfg).appendSimulations(b).train().buildPosterior();
        Prior tiny = Priors.boxUniform(new double[] {0.99, 0.99}, new double[] {1, 1});
        Posterior narrow = new Posterior(tiny, p.flow(), new double[] {0, 0}, new double[] {1, 1},
                new double[] {0, 0}, new double[] {1, 1});
        Posterior.Draw d = narrow.sample(1000, new double[] {0, 0}, new Rng(1), 20_000);
        assertThat(d.proposals()).isEqualTo(20_000);
        assertThat(d.complete()).isFalse();
        assertThat(d.acceptanceRate()).isLessThan(0.05);
        for (double[] r : d.samples()) {
            assertThat(tiny.inSupport(r)).isTrue();
        }
        assertThat(narrow.logProb(new double[][] {{0, 0}}, new double[] {0, 0})[0])
                .isEqualTo(Double.NEGATIVE_INFINITY);
    }

    @Test
    void gradientClippingBoundsTheJointNorm() {
        Tensor a = Tensor.of(new float[] {3, 4}, 2);
        Tensor b = Tensor.of(new float[] {12}, 1);
        Npe.clip(List.of(a, b), 6.5);
        double n = Math.sqrt(a.getFlat(0) * a.getFlat(0) + a.getFlat(1) * a.getFlat(1) + b.getFlat(0) * b.getFlat(0));
        assertThat(n).isCloseTo(6.5, within(1e-3));
        assertThat(a.getFlat(0) / a.getFlat(1)).isCloseTo(0.75, within(1e-6));
    }
}
