package org.flows4j.sbi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import org.flows4j.tensor.Rng;
import org.junit.jupiter.api.Test;

class TasksTest {
    static final Path DATA = Path.of("../../shared/sbibm");

    static double[] mean(double[][] a) {
        double[] m = new double[a[0].length];
        for (double[] r : a) {
            for (int j = 0; j < m.length; j++) {
                m[j] += r[j] / a.length;
            }
        }
        return m;
    }

    static double[] var(double[][] a) {
        double[] m = mean(a);
        double[] v = new double[m.length];
        for (double[] r : a) {
            for (int j = 0; j < m.length; j++) {
                v[j] += (r[j] - m[j]) * (r[j] - m[j]) / (a.length - 1);
            }
        }
        return v;
    }

    @Test
    void everyTaskSimulatesFiniteRowsOfTheRightShapeAndIsReproducible() {
        for (String name : Tasks.NAMES) {
            Task t = Tasks.get(name);
            int n = name.equals("lotka_volterra") || name.equals("sir") ? 40 : 200;
            Simulations.Batch a = Simulations.sampleAndSimulate(t.prior(), t.simulator(), n, 7, 1);
            Simulations.Batch b = Simulations.sampleAndSimulate(t.prior(), t.simulator(), n, 7, 2);
            assertThat(a.size() + a.dropped()).as(name).isEqualTo(n);
            assertThat(a.x()[0]).as(name).hasSize(t.xDim());
            assertThat(a.theta()[0]).as(name).hasSize(t.thetaDim());
            assertThat(a.x()).as(name + " same seed, other thread count").isDeepEqualTo(b.x());
            assertThat(a.dropped()).as(name).isLessThan(n / 10);
            for (double[] th : a.theta()) {
                assertThat(t.prior().inSupport(th)).isTrue();
                assertThat(t.prior().logProb(th)).isFinite();
            }
            Simulations.Batch c = Simulations.sampleAndSimulate(t.prior(), t.simulator(), n, 8, 1);
            assertThat(c.x()[0]).as(name + " other seed").isNotEqualTo(a.x()[0]);
        }
    }

    @Test
    void nonFiniteSimulationsAreDroppedAndCounted() {
        Simulator sim = new Simulator() {
            public int thetaDim() {
                return 1;
            }

            public int xDim() {
                return 2;
            }

            public void simulate(double[] t, Rng rng, double[] x) {
                x[0] = t[0] < 0.2 ? Double.NaN : t[0];
                x[1] = t[0] > 0.9 ? Double.POSITIVE_INFINITY : 1;
            }
        };
        double[][] theta = new double[100][1];
        for (int i = 0; i < 100; i++) {
            theta[i][0] = i / 100.0;
        }
        Simulations.Batch b = Simulations.simulate(sim, theta, 1, 3);
        assertThat(b.dropped()).isEqualTo(20 + 9);
        assertThat(b.size()).isEqualTo(71);
        assertThat(b.theta()[0][0]).isEqualTo(0.2);
        assertThat(b.x()[70][0]).isEqualTo(0.9);
    }

    @Test
    void priorSupports() {
        Prior box = Tasks.slcp().prior();
        assertThat(box.inSupport(new double[] {0, 0, 0, 0, 2.99})).isTrue();
        assertThat(box.inSupport(new double[] {0, 0, 0, 0, 3.01})).isFalse();
        assertThat(box.logProb(new double[] {0, 0, 0, 0, 0})).isCloseTo(-5 * Math.log(6), within(1e-12));
        Prior ln = Tasks.sir().prior();
        assertThat(ln.inSupport(new double[] {0.1, 0.1})).isTrue();
        assertThat(ln.inSupport(new double[] {-0.1, 0.1})).isFalse();
        assertThat(ln.logProb(new double[] {0, 0.1})).isEqualTo(Double.NEGATIVE_INFINITY);
        double[][] s = ln.sample(20000, new Rng(3));
        double[][] logs = new double[s.length][2];
        for (int i = 0; i < s.length; i++) {
            logs[i][0] = Math.log(s[i][0]);
            logs[i][1] = Math.log(s[i][1]);
        }
        assertThat(mean(logs)[0]).isCloseTo(Math.log(0.4), within(0.02));
        assertThat(Math.sqrt(var(logs)[1])).isCloseTo(0.2, within(0.005));
    }

    @Test
    void gaussianLinearMomentsMatchTheModel() {
        Task t = Tasks.gaussianLinear();
        Simulations.Batch b = Simulations.sampleAndSimulate(t.prior(), t.simulator(), 20000, 1, 2);
        for (int j = 0; j < 10; j++) {
            assertThat(var(b.theta())[j]).isCloseTo(0.1, within(0.006));
            assertThat(var(b.x())[j]).isCloseTo(0.2, within(0.012));
            assertThat(mean(b.x())[j]).isCloseTo(0, within(0.015));
        }
    }

    @Test
    void twoMoonsSimulatorAtZeroIsTheMoonNoise() {
        Task t = Tasks.twoMoons();
        double[][] theta = new double[5000][2];
        Simulations.Batch b = Simulations.simulate(t.simulator(), theta, 4, 1);
        double[] m = mean(b.x());
        // radius 0.1 around (0.25, 0): mean x0 = 0.25 + 0.1 * 2/pi, mean x1 = 0
        assertThat(m[0]).isCloseTo(0.25 + 0.2 / Math.PI, within(0.003));
        assertThat(m[1]).isCloseTo(0, within(0.003));
        for (double[] x : b.x()) {
            double r = Math.hypot(x[0] - 0.25, x[1]);
            assertThat(r).isBetween(0.04, 0.16);
            assertThat(x[0]).isGreaterThanOrEqualTo(0.25 - 1e-12 - 0.0);
        }
    }

    @Test
    void sirAndLotkaVolterraFollowTheirOdes() {
        // SIR with b = 0.4, g = 0.125: the epidemic peaks around day 45-55 with I/N ~ 0.3
        Task sir = Tasks.sir();
        double[] x = new double[10];
        sir.simulator().simulate(new double[] {0.4, 0.125}, new Rng(1), x);
        assertThat(x[0]).isLessThanOrEqualTo(2);
        assertThat(x[3]).isBetween(200.0, 450.0);
        assertThat(x[9]).isLessThan(60);
        Task lv = Tasks.lotkaVolterra();
        double[] y = new double[20];
        lv.simulator().simulate(new double[] {0.6859157, 0.10761319, 0.88789904, 0.116794825}, new Rng(1), y);
        // first point is the initial condition with 10% log-normal noise
        assertThat(y[0]).isBetween(30 * Math.exp(-0.4), 30 * Math.exp(0.4));
        assertThat(y[10]).isBetween(Math.exp(-0.4), Math.exp(0.4));
    }

    @Test
    void observationsOfTheBenchmarkAreTypicalOfOurSimulators() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(DATA), "no sbibm data");
        // the observation was simulated at the true parameters; ours at the same parameters should look alike
        SbibmData.Observation o = SbibmData.load(DATA, "lotka_volterra", 1);
        Task lv = Tasks.lotkaVolterra();
        double[] y = new double[20];
        lv.simulator().simulate(o.trueTheta(), new Rng(2), y);
        for (int j = 0; j < 20; j++) {
            assertThat(Math.abs(Math.log(y[j] / o.x()[j]))).as("lv %d", j).isLessThan(0.6);
        }
        SbibmData.Observation s = SbibmData.load(DATA, "sir", 1);
        double[] z = new double[10];
        Tasks.sir().simulator().simulate(s.trueTheta(), new Rng(2), z);
        for (int j = 0; j < 10; j++) {
            assertThat(z[j]).as("sir %d", j).isCloseTo(s.x()[j], within(5 * Math.sqrt(s.x()[j] + 4)));
        }
        assertThat(o.referenceSamples()).hasNumberOfRows(10000);
    }

    @Test
    void bernoulliGlmStimulusIsTheBenchmarksFile() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(DATA), "no sbibm data");
        double[] s = Tasks.bernoulliGlmStimulus();
        java.util.List<String> lines = Files.readAllLines(DATA.resolve("bernoulli_glm/stimulus_I.csv"));
        int off = lines.get(0).matches(".*[a-zA-Z].*") ? 1 : 0;
        for (int i = 0; i < 100; i++) {
            assertThat(s[i]).isCloseTo(Double.parseDouble(lines.get(i + off).split(",")[0]), within(1e-6));
        }
    }

    @Test
    void unknownTaskNamesTheKnownOnes() {
        assertThatThrownBy(() -> Tasks.get("moons")).hasMessageContaining("two_moons");
    }
}
