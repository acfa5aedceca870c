package org.flows4j.sbi;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import org.flows4j.tensor.Rng;
import org.junit.jupiter.api.Test;

class C2stTest {
    static double[][] gauss(int n, int d, double shift, Rng rng) {
        double[][] a = new double[n][d];
        for (double[] r : a) {
            for (int j = 0; j < d; j++) {
                r[j] = rng.nextGaussian() + shift;
            }
        }
        return a;
    }

    @Test
    void aboutHalfForOneDistributionAboutOneForSeparatedOnes() {
        Rng rng = new Rng(1);
        double[][] a = gauss(1000, 2, 0, rng);
        double[][] b = gauss(1000, 2, 0, rng);
        double[][] far = gauss(1000, 2, 6, rng);
        double same = C2st.score(a, b, 0, 2);
        double apart = C2st.score(a, far, 0, 2);
        assertThat(same).isBetween(0.44, 0.56);
        assertThat(apart).isGreaterThan(0.99);
        double[][] near = gauss(1000, 2, 0.5, rng);
        assertThat(C2st.score(a, near, 0, 2)).isBetween(0.58, 0.72);
    }

    @Test
    void fastClassifierMatchesTheStraightforwardLoopsBitForBit() {
        Rng rng = new Rng(3);
        int d = 10;
        int n = 700;
        double[][] x = new double[n][];
        double[] flat = new double[n * d];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 2;
            x[i] = gauss(1, d, 0.3 * y[i], rng)[0];
            System.arraycopy(x[i], 0, flat, i * d, d);
        }
        int[] perm = new Rng(4).permutation(n);
        int[] train = java.util.Arrays.copyOfRange(perm, 0, 560);
        int[] test = java.util.Arrays.copyOfRange(perm, 560, n);
        C2st.Classifier fast = new C2st.Classifier(d, 10 * d, new Rng(7));
        C2stLoopReference.LoopClassifier loops = new C2stLoopReference.LoopClassifier(d, 10 * d, new Rng(7));
        fast.fit(x, y, train, 40);
        loops.fit(flat, y, train, 40);
        int h = 10 * d;
        double[] p = new double[loops.p.length];
        int o = 0;
        for (double[] row : fast.w1) {
            System.arraycopy(row, 0, p, o, h);
            o += h;
        }
        System.arraycopy(fast.b1, 0, p, o, h);
        o += h;
        for (double[] row : fast.w2) {
            System.arraycopy(row, 0, p, o, h);
            o += h;
        }
        System.arraycopy(fast.b2, 0, p, o, h);
        o += h;
        System.arraycopy(fast.w3, 0, p, o, h);
        o += h;
        p[o] = fast.b3[0];
        assertThat(fast.t).isEqualTo(loops.t);
        assertThat(p).containsExactly(loops.p);
        assertThat(fast.accuracy(x, y, test)).isEqualTo(loops.accuracy(flat, y, test));
    }

    @Test
    void mmdIsNearZeroForOneDistributionAndLargeForSeparatedOnes() {
        Rng rng = new Rng(2);
        double[][] a = gauss(500, 3, 0, rng);
        double[][] b = gauss(500, 3, 0, rng);
        double[][] far = gauss(500, 3, 3, rng);
        assertThat(Math.abs(Mmd.mmd2(a, b))).isLessThan(0.01);
        assertThat(Mmd.mmd2(a, far)).isGreaterThan(0.3);
    }

    @Test
    void twoMoonsExactPosteriorScoresAboutHalfAgainstTheReference() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(TasksTest.DATA), "no sbibm data");
        SbibmData.Observation o = SbibmData.load(TasksTest.DATA, "two_moons", 1);
        double[][] ref = java.util.Arrays.copyOf(o.referenceSamples(), 2000);
        double[][] exact = Tasks.twoMoons().exact().sample(2000, o.x(), new Rng(5));
        assertThat(C2st.score(ref, exact, 0, 2)).isBetween(0.44, 0.56);
    }
}
