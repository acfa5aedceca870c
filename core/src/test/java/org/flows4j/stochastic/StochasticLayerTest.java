package org.flows4j.stochastic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.function.Function;
import org.flows4j.energy.DoubleWell;
import org.flows4j.energy.Energy;
import org.flows4j.energy.GaussianMixtureEnergy;
import org.flows4j.tensor.Autograd;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;
import org.flows4j.transforms.Composite;
import org.flows4j.transforms.Transform;
import org.junit.jupiter.api.Test;

class StochasticLayerTest {
    private static final DType F64 = DType.FLOAT64;
    private static final double LOG_2PI = Math.log(2 * Math.PI);

    // ------------------------------------------------------------------ independent densities

    /** log N(x; mean, var I) in d dimensions. */
    private static double logNormal(double[] x, double[] mean, double var) {
        double q = 0;
        for (int i = 0; i < x.length; i++) {
            double z = x[i] - mean[i];
            q += z * z;
        }
        return -0.5 * q / var - 0.5 * x.length * (LOG_2PI + Math.log(var));
    }

    private static double[] row(Tensor t, int r) {
        int d = t.size(1);
        double[] out = new double[d];
        for (int i = 0; i < d; i++) {
            out[i] = t.get(r, i);
        }
        return out;
    }

    /** Gradient of the paper's double well, written out independently of the library. */
    private static double[] doubleWellGradient(double[] x) {
        double[] g = new double[x.length];
        g[0] = 4 * Math.pow(x[0], 3) - 12 * x[0] - 0.5;
        for (int i = 1; i < x.length; i++) {
            g[i] = x[i];
        }
        return g;
    }

    private static double doubleWellEnergy(double[] x) {
        double u = Math.pow(x[0], 4) - 6 * x[0] * x[0] - 0.5 * x[0];
        for (int i = 1; i < x.length; i++) {
            u += 0.5 * x[i] * x[i];
        }
        return u;
    }

    private static Tensor randomStart(Rng rng, int n, int d, double scale) {
        return Tensor.randn(rng, F64, n, d).mul(scale);
    }

    /**
     * Metropolis: for every recorded step, log of the backward over the forward transition density,
     * from the Gaussian proposal density and the acceptance probabilities (a rejected move has the
     * same point mass both ways). The layer's dS (u(end) - u(start)) must equal the sum.
     */
    @Test
    void metropolisDsIsTheLogRatioOfBackwardAndForwardTransitionDensities() {
        double step = 0.6;
        MetropolisMC mc = MetropolisMC.builder(DoubleWell.paper(2)).steps(15).stepSize(step).dtype(F64).build(new Rng(1));
        Tensor x = randomStart(new Rng(2), 40, 2, 1.5);
        StochasticTransform.Trajectory tr = mc.trajectory(x);
        assertThat(tr.states()).hasSize(16);
        int accepted = 0;
        for (int r = 0; r < 40; r++) {
            double logRatio = 0;
            for (int t = 0; t < 15; t++) {
                double[] a = row(tr.states().get(t), r);
                double[] b = row(tr.states().get(t + 1), r);
                if (java.util.Arrays.equals(a, b)) {
                    continue;
                }
                accepted++;
                double ua = doubleWellEnergy(a);
                double ub = doubleWellEnergy(b);
                double logForward = logNormal(b, a, step * step) + Math.min(0, -(ub - ua));
                double logBackward = logNormal(a, b, step * step) + Math.min(0, -(ua - ub));
                logRatio += logBackward - logForward;
            }
            assertThat(tr.dS().getFlat(r)).as("row %d", r).isCloseTo(logRatio, within(1e-9));
        }
        assertThat(accepted).isBetween(50, 550);
    }

    /** Overdamped Langevin: Gaussian transition densities N(y'; y + eps F(y), 2 eps) both ways. */
    @Test
    void overdampedLangevinDsIsTheLogRatioOfBackwardAndForwardTransitionDensities() {
        double eps = 0.02;
        OverdampedLangevin ld = OverdampedLangevin.builder(DoubleWell.paper(3)).steps(12).stepSize(eps).dtype(F64)
                .build(new Rng(3));
        Tensor x = randomStart(new Rng(4), 30, 3, 1.5);
        StochasticTransform.Trajectory tr = ld.trajectory(x);
        for (int r = 0; r < 30; r++) {
            double logRatio = 0;
            for (int t = 0; t < 12; t++) {
                double[] a = row(tr.states().get(t), r);
                double[] b = row(tr.states().get(t + 1), r);
                double[] ga = doubleWellGradient(a);
                double[] gb = doubleWellGradient(b);
                double[] meanF = new double[3];
                double[] meanB = new double[3];
                for (int i = 0; i < 3; i++) {
                    meanF[i] = a[i] - eps * ga[i];
                    meanB[i] = b[i] - eps * gb[i];
                }
                logRatio += logNormal(a, meanB, 2 * eps) - logNormal(b, meanF, 2 * eps);
            }
            assertThat(tr.dS().getFlat(r)).as("row %d", r).isCloseTo(logRatio, within(1e-8 * Math.max(1, Math.abs(logRatio))));
        }
    }

    /**
     * Underdamped Langevin on (q, v): the forward density of (q', v') given (q, v) is Gaussian in q'
     * and then in v'; the backward move is the same integrator from (q', -v') to (q, -v).
     */
    @Test
    void underdampedLangevinDsIsTheLogRatioOfBackwardAndForwardTransitionDensities() {
        double dt = 0.05;
        double m = 1.7;
        double gamma = 0.8;
        int d = 2;
        UnderdampedLangevin ul = UnderdampedLangevin.builder(DoubleWell.paper(d)).steps(10).stepSize(dt).mass(m)
                .friction(gamma).build(new Rng(5));
        Tensor x = randomStart(new Rng(6), 25, 2 * d, 1.2);
        StochasticTransform.Trajectory tr = ul.trajectory(x);
        for (int r = 0; r < 25; r++) {
            double logRatio = 0;
            for (int t = 0; t < 10; t++) {
                double[] a = row(tr.states().get(t), r);
                double[] b = row(tr.states().get(t + 1), r);
                double[] qa = java.util.Arrays.copyOfRange(a, 0, d);
                double[] va = java.util.Arrays.copyOfRange(a, d, 2 * d);
                double[] qb = java.util.Arrays.copyOfRange(b, 0, d);
                double[] vb = java.util.Arrays.copyOfRange(b, d, 2 * d);
                double forward = underdampedLogDensity(qa, va, qb, vb, dt, m, gamma);
                double backward = underdampedLogDensity(qb, neg(vb), qa, neg(va), dt, m, gamma);
                logRatio += backward - forward;
            }
            assertThat(tr.dS().getFlat(r)).as("row %d", r).isCloseTo(logRatio, within(1e-7 * Math.max(1, Math.abs(logRatio))));
        }
    }

    private static double[] neg(double[] v) {
        double[] o = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            o[i] = -v[i];
        }
        return o;
    }

    /** log p(q', v' | q, v) of one step of the integrator, as two conditional Gaussians. */
    private static double underdampedLogDensity(double[] q, double[] v, double[] q2, double[] v2, double dt, double m,
            double gamma) {
        int d = q.length;
        double half = dt / (2 * m);
        double noise = Math.sqrt(4 * gamma * m / dt);
        double damp = 1 / (1 + gamma * dt / 2);
        double[] f = doubleWellGradient(q);
        double[] f2 = doubleWellGradient(q2);
        double[] meanQ = new double[d];
        double[] vh = new double[d];
        double[] meanV = new double[d];
        for (int i = 0; i < d; i++) {
            meanQ[i] = q[i] + dt * (v[i] + half * (-f[i] - gamma * m * v[i]));
            vh[i] = (q2[i] - q[i]) / dt;
            meanV[i] = damp * (vh[i] + half * (-f2[i]));
        }
        double sdQ = dt * half * noise;
        double sdV = damp * half * noise;
        return logNormal(q2, meanQ, sdQ * sdQ) + logNormal(v2, meanV, sdV * sdV);
    }

    // ------------------------------------------------------------------ invariance

    private static final GaussianMixtureEnergy MIXTURE = new GaussianMixtureEnergy(new double[] {0.3, 0.7},
            new double[][] {{-1.5, 0.5}, {1.0, -0.5}}, new double[][] {{0.6, 0.9}, {0.8, 0.5}});

    /** Asserts sample means and second moments of each column are within z standard errors of the exact ones. */
    private static void assertMoments(String what, double[][] s, double[] mean, double[] second, double z,
            double extraVarianceTolerance) {
        int n = s.length;
        for (int i = 0; i < mean.length; i++) {
            double m1 = 0;
            double m2 = 0;
            double m4 = 0;
            for (double[] p : s) {
                m1 += p[i];
                m2 += p[i] * p[i];
                m4 += Math.pow(p[i], 4);
            }
            m1 /= n;
            m2 /= n;
            m4 /= n;
            double var = m2 - m1 * m1;
            double se1 = Math.sqrt(var / n);
            double se2 = Math.sqrt((m4 - m2 * m2) / n);
            assertThat(m1).as("%s mean of coordinate %d", what, i).isCloseTo(mean[i], within(z * se1));
            assertThat(m2).as("%s second moment of coordinate %d", what, i)
                    .isCloseTo(second[i], within(z * se2 + extraVarianceTolerance));
        }
    }

    private static double[][] rows(Tensor t) {
        double[][] out = new double[t.size(0)][t.size(1)];
        for (int r = 0; r < out.length; r++) {
            out[r] = row(t, r);
        }
        return out;
    }

    @Test
    void metropolisLeavesItsTargetInvariant() {
        int n = 20_000;
        Tensor x = Tensor.of(flatten(MIXTURE.sample(n, new Rng(7))), n, 2);
        MetropolisMC mc = MetropolisMC.builder(MIXTURE).steps(10).stepSize(0.8).dtype(F64).build(new Rng(8));
        Tensor y;
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            y = mc.forward(x).y();
        }
        double moved = 0;
        for (int i = 0; i < n * 2; i++) {
            moved += Math.abs(y.getFlat(i) - x.getFlat(i));
        }
        assertThat(moved / (2 * n)).as("mean displacement").isGreaterThan(0.3);
        assertMoments("Metropolis", rows(y), MIXTURE.exactMean(), MIXTURE.exactSecondMoment(), 4.5, 0);
    }

    @Test
    void overdampedLangevinLeavesItsTargetInvariantUpToTheDiscretisationError() {
        int n = 20_000;
        double eps = 0.005;
        Tensor x = Tensor.of(flatten(MIXTURE.sample(n, new Rng(9))), n, 2);
        OverdampedLangevin ld = OverdampedLangevin.builder(MIXTURE).steps(40).stepSize(eps).dtype(F64).build(new Rng(10));
        Tensor y;
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            y = ld.forward(x).y();
        }
        // The Euler scheme's stationary variance exceeds the target's by O(eps) (eps / 2 for a unit Gaussian).
        assertMoments("overdamped Langevin", rows(y), MIXTURE.exactMean(), MIXTURE.exactSecondMoment(), 4.5, eps);
    }

    /** On a Gaussian target the Euler scheme's stationary variance is known exactly: sigma^2 / (1 - eps / (2 sigma^2)). */
    @Test
    void overdampedLangevinHasTheEulerSchemesExactStationaryVarianceOnAGaussian() {
        int n = 40_000;
        double eps = 0.3;
        double sigma = 1.0;
        GaussianMixtureEnergy g = GaussianMixtureEnergy.gaussian(new double[] {0.5}, new double[] {sigma});
        Tensor x = Tensor.of(flatten(g.sample(n, new Rng(11))), n, 1);
        OverdampedLangevin ld = OverdampedLangevin.builder(g).steps(60).stepSize(eps).dtype(F64).build(new Rng(12));
        Tensor y;
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            y = ld.forward(x).y();
        }
        double stationaryVar = sigma * sigma / (1 - eps / (2 * sigma * sigma));
        assertMoments("Euler stationary", rows(y), new double[] {0.5}, new double[] {stationaryVar + 0.25}, 4.5, 0);
    }

    @Test
    void underdampedLangevinLeavesTheAugmentedTargetInvariantUpToTheDiscretisationError() {
        int n = 20_000;
        double m = 2.0;
        double[][] q = MIXTURE.sample(n, new Rng(13));
        Rng vr = new Rng(14);
        double[] flat = new double[n * 4];
        for (int r = 0; r < n; r++) {
            flat[4 * r] = q[r][0];
            flat[4 * r + 1] = q[r][1];
            flat[4 * r + 2] = vr.nextGaussian() / Math.sqrt(m);
            flat[4 * r + 3] = vr.nextGaussian() / Math.sqrt(m);
        }
        UnderdampedLangevin ul = UnderdampedLangevin.builder(MIXTURE).steps(40).stepSize(0.02).mass(m).friction(1.0)
                .build(new Rng(15));
        Tensor y;
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            y = ul.forward(Tensor.of(flat, n, 4)).y();
        }
        double[] mq = MIXTURE.exactMean();
        double[] sq = MIXTURE.exactSecondMoment();
        assertMoments("underdamped Langevin", rows(y), new double[] {mq[0], mq[1], 0, 0},
                new double[] {sq[0], sq[1], 1 / m, 1 / m}, 4.5, 0.01);
        Energy aug = UnderdampedLangevin.augmentedEnergy(MIXTURE, 2, m);
        assertThat(aug.dim()).isEqualTo(4);
        Tensor p = Tensor.of(new double[] {0.1, 0.2, 1.0, -2.0}, 1, 4);
        assertThat(aug.energy(p).item()).isCloseTo(MIXTURE.energy(new double[] {0.1, 0.2}) + 0.5 * m * 5, within(1e-12));
    }

    private static double[] flatten(double[][] rows) {
        int d = rows[0].length;
        double[] out = new double[rows.length * d];
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(rows[r], 0, out, r * d, d);
        }
        return out;
    }

    // ------------------------------------------------------------------ gradients

    /** Replays a layer from a saved generator state so finite differences see the same noise. */
    private static double replay(StochasticTransform layer, Rng.State state, Function<Transform.Result, Tensor> loss,
            Tensor x) {
        layer.setRng(Rng.of(state));
        return loss.apply(layer.forward(x)).item();
    }

    @Test
    void metropolisGradientsFlowThroughKeptPositionsAndEnergies() {
        DoubleWell dw = DoubleWell.paper(2);
        MetropolisMC mc = MetropolisMC.builder(dw).steps(8).stepSize(0.5).dtype(F64).build(new Rng(16));
        Tensor x = randomStart(new Rng(17), 10, 2, 1.5).requireGrad();
        Transform.Result r = mc.forward(x);
        // y_end = y_start + (sum of accepted moves): dy/dx = I, and d dS / dx = grad u(y) - grad u(x).
        List<Tensor> gY = Autograd.grad(r.y().sum(), List.of(x));
        for (int i = 0; i < 20; i++) {
            assertThat(gY.get(0).getFlat(i)).isEqualTo(1.0);
        }
        Tensor gS = Autograd.grad(r.logAbsDet().sum(), List.of(x)).get(0);
        Tensor expected = dw.gradient(r.y()).sub(dw.gradient(x));
        for (int i = 0; i < 20; i++) {
            assertThat(gS.getFlat(i)).isCloseTo(expected.getFlat(i), within(1e-10));
        }
    }

    @Test
    void trainableMetropolisStepSizeGetsThePathwiseGradient() {
        DoubleWell dw = DoubleWell.paper(2);
        MetropolisMC mc = MetropolisMC.builder(dw).steps(6).stepSize(0.4).trainableStepSize(true).dtype(F64)
                .build(new Rng(18));
        assertThat(mc.parameters()).hasSize(1);
        Tensor x = randomStart(new Rng(19), 12, 2, 1.5);
        Function<Transform.Result, Tensor> loss = res -> res.y().square().sum().add(res.logAbsDet().sum());
        Rng.State state = mc.rng().state();
        Tensor logStep = mc.parameters().get(0);
        double g = Autograd.grad(loss.apply(mc.forward(x)), List.of(logStep)).get(0).item();
        double h = 1e-7;
        double orig = logStep.rawDoubles()[0];
        logStep.rawDoubles()[0] = orig + h;
        double up = replay(mc, state, loss, x);
        logStep.rawDoubles()[0] = orig - h;
        double down = replay(mc, state, loss, x);
        logStep.rawDoubles()[0] = orig;
        assertThat(g).isCloseTo((up - down) / (2 * h), within(1e-5 * Math.max(1, Math.abs(g))));
        assertThat(Math.abs(g)).isGreaterThan(1e-3);
    }

    /**
     * Through the forces (gradients of gradients) the layer's derivative with respect to an
     * upstream parameter is the exact pathwise derivative: it matches finite differences with the
     * noise held fixed. Without, the forces count as constants (the paper's code) and it does not.
     */
    @Test
    void langevinThroughTheForcesGivesExactPathwiseGradients() {
        for (boolean analytic : new boolean[] {true, false}) {
            Energy e = analytic ? DoubleWell.paper(2) : Energy.of(2, DoubleWell.paper(2)::energy);
            OverdampedLangevin exact = OverdampedLangevin.builder(e).steps(5).stepSize(0.01).differentiateForce(true)
                    .trainableStepSize(true).dtype(F64).build(new Rng(20));
            OverdampedLangevin paper = OverdampedLangevin.builder(e).steps(5).stepSize(0.01).dtype(F64).build(new Rng(20));
            Tensor base = randomStart(new Rng(21), 8, 2, 1.0);
            Tensor theta = Tensor.of(new double[] {1.3, 0.2}, 2).requireGrad();
            Function<Tensor, Tensor> input = th -> base.mul(th.slice(0, 0, 1)).add(th.slice(0, 1, 2));
            Function<Transform.Result, Tensor> loss = res -> res.y().pow(3).sum().add(res.logAbsDet().sum());
            Rng.State state = exact.rng().state();
            List<Tensor> params = List.of(theta, exact.parameters().get(0));
            List<Tensor> g = Autograd.grad(loss.apply(exact.forward(input.apply(theta))), params);
            double[] th = theta.toDoubleArray();
            double h = 1e-6;
            for (int i = 0; i < 2; i++) {
                double[] p = th.clone();
                double[] m = th.clone();
                p[i] += h;
                m[i] -= h;
                double num = (replay(exact, state, loss, input.apply(Tensor.of(p, 2)))
                        - replay(exact, state, loss, input.apply(Tensor.of(m, 2)))) / (2 * h);
                assertThat(g.get(0).getFlat(i)).as("analytic=%s d/dtheta_%d", analytic, i)
                        .isCloseTo(num, within(1e-5 * Math.max(1, Math.abs(num))));
            }
            double[] ls = exact.parameters().get(0).rawDoubles();
            double orig = ls[0];
            ls[0] = orig + h;
            double up = replay(exact, state, loss, input.apply(theta.detach()));
            ls[0] = orig - h;
            double down = replay(exact, state, loss, input.apply(theta.detach()));
            ls[0] = orig;
            assertThat(g.get(1).item()).isCloseTo((up - down) / (2 * h), within(1e-5 * Math.max(1, Math.abs(up - down) / (2 * h))));
            Tensor gPaper = Autograd.grad(loss.apply(paper.forward(input.apply(theta))), List.of(theta)).get(0);
            assertThat(Math.abs(gPaper.getFlat(0) - g.get(0).getFlat(0))).as("constant-force gradient differs")
                    .isGreaterThan(1e-6);
        }
    }

    // ------------------------------------------------------------------ plumbing

    /** Without a graph the Metropolis layer runs on plain arrays: same random numbers, same chain. */
    @Test
    void metropolisWithoutAGraphRunsTheSameChain() {
        for (DType dt : new DType[] {F64, DType.FLOAT32}) {
            Energy u = new org.flows4j.energy.InterpolatedEnergy(Energy.standardNormal(2), DoubleWell.paper(2), 0.5);
            MetropolisMC mc = MetropolisMC.builder(u).steps(10).stepSize(0.4).dtype(dt).build(new Rng(30));
            Tensor x = Tensor.randn(new Rng(31), dt, 200, 2);
            Rng.State state = mc.rng().state();
            Transform.Result withGraph = mc.forward(x.requireGrad());
            mc.setRng(Rng.of(state));
            Transform.Result without;
            try (Autograd.Scope ignored = Autograd.noGrad()) {
                without = mc.forward(x);
            }
            double tol = dt == F64 ? 1e-12 : 1e-4;
            for (int i = 0; i < 400; i++) {
                assertThat(without.y().getFlat(i)).isCloseTo(withGraph.y().getFlat(i), within(tol));
            }
            for (int i = 0; i < 200; i++) {
                assertThat(without.logAbsDet().getFlat(i)).isCloseTo(withGraph.logAbsDet().getFlat(i), within(tol));
            }
            assertThat(without.y().dtype()).isEqualTo(dt);
        }
        // float32 in chunks (several, with a remainder; an odd coordinate count and a pending spare
        // normal go step by step): the graph path's chain and the same generator state afterwards
        for (int[] c : new int[][] {{5001, 2, 0}, {4097, 3, 0}, {3000, 2, 1}}) {
            int n = c[0];
            int d = c[1];
            Energy u = new org.flows4j.energy.InterpolatedEnergy(Energy.standardNormal(d), DoubleWell.paper(d), 0.7);
            MetropolisMC mc = MetropolisMC.builder(u).steps(6).stepSize(0.5).build(new Rng(33));
            if (c[2] == 1) {
                mc.rng().nextGaussian();
            }
            Tensor x = Tensor.randn(new Rng(34), DType.FLOAT32, n, d).mul(1.5);
            Rng.State state = mc.rng().state();
            Transform.Result withGraph = mc.forward(x.requireGrad());
            Rng.State after = mc.rng().state();
            mc.setRng(Rng.of(state));
            Transform.Result without;
            try (Autograd.Scope ignored = Autograd.noGrad()) {
                without = mc.forward(x);
            }
            assertThat(mc.rng().state()).isEqualTo(after);
            int differing = 0;
            for (int i = 0; i < n; i++) {
                // float32 energies on the graph path: an accept decision may rarely differ
                if (Math.abs(without.logAbsDet().getFlat(i) - withGraph.logAbsDet().getFlat(i)) > 1e-3) {
                    differing++;
                    continue;
                }
                for (int k = 0; k < d; k++) {
                    assertThat(without.y().getFlat(i * d + k)).isCloseTo(withGraph.y().getFlat(i * d + k), within(1e-4));
                }
            }
            assertThat(differing).isLessThanOrEqualTo(n / 1000);
        }
        // energyArray of the built-ins agrees with their tensor energies.
        Tensor p = randomStart(new Rng(32), 9, 2, 2.0);
        for (Energy e : List.of(DoubleWell.paper(2), Energy.standardNormal(2), MIXTURE, (Energy) x -> x.pow(4).sum(1, false),
                new org.flows4j.energy.InterpolatedEnergy(Energy.standardNormal(2), DoubleWell.paper(2), 0.3))) {
            double[] a = e.energyArray(p.toDoubleArray(), 9);
            double[] b = e.energy(p).toDoubleArray();
            for (int i = 0; i < 9; i++) {
                assertThat(a[i]).isCloseTo(b[i], within(1e-10));
            }
        }
    }

    @Test
    void layersAreReproducibleFromTheirSeedsAndReseedable() {
        DoubleWell dw = DoubleWell.paper(2);
        Tensor x = randomStart(new Rng(22), 16, 2, 1.0);
        Composite flow = new Composite(List.of(
                MetropolisMC.builder(dw).steps(3).stepSize(0.3).dtype(F64).build(new Rng(1)),
                OverdampedLangevin.builder(dw).steps(3).stepSize(0.01).dtype(F64).build(new Rng(2))));
        assertThat(StochasticLayers.of(flow)).hasSize(2);
        StochasticLayers.reseed(flow, new Rng(99));
        Transform.Result a = flow.inverse(x);
        StochasticLayers.reseed(flow, new Rng(99));
        Transform.Result b = flow.inverse(x);
        assertThat(a.y().toDoubleArray()).containsExactly(b.y().toDoubleArray());
        assertThat(a.logAbsDet().toDoubleArray()).containsExactly(b.logAbsDet().toDoubleArray());
        Transform.Result c = flow.inverse(x);
        assertThat(c.y().toDoubleArray()).isNotEqualTo(a.y().toDoubleArray());
        assertThat(StochasticLayers.linearSchedule(4)).containsExactly(0, 0.25, 0.5, 0.75, 1.0);
    }

    @Test
    void badSettingsAreRejected() {
        DoubleWell dw = DoubleWell.paper(2);
        assertThatThrownBy(() -> MetropolisMC.builder(dw).steps(0).build(new Rng(0))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MetropolisMC.builder(dw).stepSize(-1).build(new Rng(0))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MetropolisMC.builder(x -> x.sum(1, false)).build(new Rng(0)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> OverdampedLangevin.builder(dw).stepSize(Double.NaN).build(new Rng(0)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> UnderdampedLangevin.builder(dw).friction(0).build(new Rng(0)))
                .isInstanceOf(IllegalArgumentException.class);
        MetropolisMC mc = MetropolisMC.builder(dw).build(new Rng(0));
        assertThatThrownBy(() -> mc.forward(Tensor.zeros(F64, 3, 3))).isInstanceOf(IllegalArgumentException.class);
    }
}
