package org.flows4j.distributions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.assertj.core.data.Offset;
import org.flows4j.tensor.Autograd;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.GradCheck;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Trainable base distributions: diagonal normal and Gaussian mixture. */
class DistributionsTest {

    static double gridIntegral(Distribution d, double lo, double hi, int n) {
        double h = (hi - lo) / n;
        double[] pts = new double[n * n * 2];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                pts[2 * (i * n + j)] = lo + (i + 0.5) * h;
                pts[2 * (i * n + j) + 1] = lo + (j + 0.5) * h;
            }
        }
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            return d.logProb(Tensor.of(pts, n * n, 2)).exp().sum().item() * h * h;
        }
    }

    @Test
    void diagonalNormalMatchesTheFormulaAndStartsStandard() {
        DiagonalNormal d = new DiagonalNormal(3, DType.FLOAT64);
        Tensor x = Tensor.randn(new Rng(1), DType.FLOAT64, 5, 3);
        assertThat(d.logProb(x).toDoubleArray()).containsExactly(new StandardNormal(3).logProb(x).toDoubleArray(),
                Offset.offset(1e-12));
        DiagonalNormal e = new DiagonalNormal(Tensor.of(new double[] {1, -2}, 2), Tensor.of(new double[] {Math.log(0.5), Math.log(3)}, 2));
        double lp = e.logProb(Tensor.of(new double[] {1.5, 1}, 1, 2)).item();
        double expected = -0.5 * (1 + 1) - Math.log(0.5) - Math.log(3) - Math.log(2 * Math.PI);
        assertThat(lp).isCloseTo(expected, Offset.offset(1e-12));
        assertThat(gridIntegral(e, -12, 12, 300)).isCloseTo(1.0, Offset.offset(1e-3));
        assertThat(e.parameters()).hasSize(2);
    }

    @Test
    void diagonalNormalSamplesHaveItsMomentsAndAreReparameterised() {
        DiagonalNormal e = new DiagonalNormal(Tensor.of(new double[] {1, -2}, 2), Tensor.of(new double[] {Math.log(0.5), Math.log(3)}, 2));
        Tensor s = e.sample(20000, new Rng(2), DType.FLOAT32);
        assertThat(s.dtype()).isEqualTo(DType.FLOAT32);
        double[] mean = s.mean(0, false).toDoubleArray();
        assertThat(mean[0]).isCloseTo(1, Offset.offset(0.02));
        assertThat(mean[1]).isCloseTo(-2, Offset.offset(0.1));
        double[] sd = s.sub(s.mean(0, true)).square().mean(0, false).sqrt().toDoubleArray();
        assertThat(sd[0]).isCloseTo(0.5, Offset.offset(0.02));
        assertThat(sd[1]).isCloseTo(3, Offset.offset(0.1));
        List<Tensor> g = Autograd.grad(e.sample(10, new Rng(3), DType.FLOAT64).sum(), e.parameters());
        assertThat(g.get(0).toDoubleArray()).containsExactly(10, 10);
    }

    static GaussianMixture mixture(DType dt) {
        return GaussianMixture.of(new double[] {0.2, 0.5, 0.3}, new double[][] {{-2, 0}, {1, 1}, {0, -2.5}},
                new double[][] {{0.5, 1}, {0.7, 0.3}, {1.2, 0.4}}, dt);
    }

    @Test
    void gaussianMixtureIntegratesToOneIn2D() {
        assertThat(gridIntegral(mixture(DType.FLOAT64), -10, 10, 400)).isCloseTo(1.0, Offset.offset(1e-4));
        GaussianMixture random = new GaussianMixture(5, 2, new Rng(4), DType.FLOAT64);
        org.flows4j.transforms.TransformChecks.perturb(random, new Rng(5), 0.3);
        assertThat(gridIntegral(random, -14, 14, 400)).isCloseTo(1.0, Offset.offset(1e-3));
    }

    @Test
    void gaussianMixtureLogProbIsTheLogOfTheWeightedSum() {
        GaussianMixture m = mixture(DType.FLOAT64);
        double[] w = {0.2, 0.5, 0.3};
        double[][] mu = {{-2, 0}, {1, 1}, {0, -2.5}};
        double[][] sd = {{0.5, 1}, {0.7, 0.3}, {1.2, 0.4}};
        Tensor x = Tensor.of(new double[] {0, 0, -2, 0.3, 5, 5, 30, -30}, 4, 2);
        double[] lp = m.logProb(x).toDoubleArray();
        double[] xv = x.toDoubleArray();
        for (int r = 0; r < 3; r++) {
            double p = 0;
            for (int k = 0; k < 3; k++) {
                double dens = w[k];
                for (int j = 0; j < 2; j++) {
                    double z = (xv[2 * r + j] - mu[k][j]) / sd[k][j];
                    dens *= Math.exp(-0.5 * z * z) / (Math.sqrt(2 * Math.PI) * sd[k][j]);
                }
                p += dens;
            }
            assertThat(lp[r]).isCloseTo(Math.log(p), Offset.offset(1e-10));
        }
        assertThat(lp[3]).as("far away: finite thanks to log-sum-exp").isFinite();
        assertThat(m.logWeights().exp().toDoubleArray()).containsExactly(new double[] {0.2, 0.5, 0.3}, Offset.offset(1e-12));
    }

    @Test
    void gaussianMixtureSamplesFollowTheWeights() {
        GaussianMixture m = mixture(DType.FLOAT64);
        Tensor s = m.sample(30000, new Rng(6), DType.FLOAT64);
        double[] v = s.toDoubleArray();
        int nearSecond = 0;
        double meanX = 0;
        for (int i = 0; i < 30000; i++) {
            double dx = v[2 * i] - 1;
            double dy = v[2 * i + 1] - 1;
            if (dx * dx / 0.49 + dy * dy / 0.09 < 9) {
                nearSecond++;
            }
            meanX += v[2 * i];
        }
        assertThat(nearSecond / 30000.0).isCloseTo(0.5 * 0.989, Offset.offset(0.02));
        assertThat(meanX / 30000).isCloseTo(0.2 * -2 + 0.5 * 1, Offset.offset(0.03));
    }

    @Test
    void gaussianMixtureGradientsMatchFiniteDifferences() {
        GaussianMixture m = mixture(DType.FLOAT64);
        Tensor x = Tensor.randn(new Rng(7), DType.FLOAT64, 6, 2);
        GradCheck.checkFirstOrder("mixture logProb w.r.t. x", in -> m.logProb(in.get(0)).sum(), List.of(x));
        List<Tensor> ps = m.parameters();
        List<Tensor> g = Autograd.grad(m.logProb(x).sum(), ps);
        double h = 1e-6;
        for (int k = 0; k < ps.size(); k++) {
            double[] data = ps.get(k).rawDoubles();
            double[] auto = g.get(k).toDoubleArray();
            for (int i = 0; i < data.length; i++) {
                double orig = data[i];
                data[i] = orig + h;
                double fp = m.logProb(x).sum().item();
                data[i] = orig - h;
                double fm = m.logProb(x).sum().item();
                data[i] = orig;
                assertThat(auto[i]).as("parameter %d [%d]", k, i).isCloseTo((fp - fm) / (2 * h), Offset.offset(1e-6));
            }
        }
    }

    @Test
    void badParametersAreRefused() {
        assertThatThrownBy(() -> new GaussianMixture(0, 2, new Rng(1), DType.FLOAT64)).hasMessageContaining("components");
        assertThatThrownBy(() -> GaussianMixture.of(new double[] {1, -1}, new double[][] {{0}, {1}}, new double[][] {{1}, {1}},
                DType.FLOAT64)).hasMessageContaining("weights");
        assertThatThrownBy(() -> new DiagonalNormal(0, DType.FLOAT64)).hasMessageContaining("dimension");
        assertThatThrownBy(() -> mixture(DType.FLOAT64).logProb(Tensor.zeros(DType.FLOAT64, 2, 3)))
                .hasMessageContaining("[batch, 2]");
    }
}
