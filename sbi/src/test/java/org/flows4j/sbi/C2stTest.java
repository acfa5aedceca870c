package org.flows4j.sbi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import org.flows4j.tensor.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

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

    @ParameterizedTest
    @EnumSource(C2st.Precision.class)
    void aboutHalfForOneDistributionAboutOneForSeparatedOnes(C2st.Precision precision) {
        Rng rng = new Rng(1);
        double[][] a = gauss(1000, 2, 0, rng);
        double[][] b = gauss(1000, 2, 0, rng);
        double[][] far = gauss(1000, 2, 6, rng);
        double same = C2st.score(a, b, 0, 2, precision);
        double apart = C2st.score(a, far, 0, 2, precision);
        assertThat(same).isBetween(0.44, 0.56);
        assertThat(apart).isGreaterThan(0.99);
        double[][] near = gauss(1000, 2, 0.5, rng);
        assertThat(C2st.score(a, near, 0, 2, precision)).isBetween(0.58, 0.72);
    }

    /**
     * The float32 classifier is the float64 one in other arithmetic: same initial weights (rounded),
     * same minibatches, same updates. Over one epoch the weights agree to float accuracy amplified by
     * a few Adam steps; the padding columns of the float32 network stay exactly zero.
     */
    @Test
    void float32ClassifierTracksTheFloat64OneOverAnEpoch() {
        Rng rng = new Rng(3);
        int d = 10;
        int h = 10 * d;
        int n = 2000;
        double[][] x = new double[n][];
        float[][] xf = new float[n][d];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 2;
            x[i] = gauss(1, d, 0.3 * y[i], rng)[0];
            for (int j = 0; j < d; j++) {
                xf[i][j] = (float) x[i][j];
                x[i][j] = xf[i][j];
            }
        }
        int[] perm = new Rng(4).permutation(n);
        int[] train = java.util.Arrays.copyOfRange(perm, 0, 1600);
        int[] test = java.util.Arrays.copyOfRange(perm, 1600, n);
        C2st.Classifier c64 = new C2st.Classifier(d, h, new Rng(7));
        Classifier32 c32 = new Classifier32(d, h, new Rng(7));
        assertThat(c32.hp).isEqualTo(128);
        assertThat(Classifier32.paddedWidth(20)).isEqualTo(32);
        assertThat(Classifier32.paddedWidth(40)).isEqualTo(64);
        assertThat(Classifier32.paddedWidth(50)).isEqualTo(64);
        for (int k = 0; k < h; k++) {
            assertThat(c32.w2[5][k]).isEqualTo((float) c64.w2[5][k]);
        }
        c64.fit(x, y, train, 1);
        c32.fit(xf, y, train, 1);
        assertThat(c32.t).isEqualTo(c64.t).isEqualTo(8);
        double maxDiff = 0;
        for (int i = 0; i < c32.hp; i++) {
            for (int k = 0; k < c32.hp; k++) {
                if (i < h && k < h) {
                    maxDiff = Math.max(maxDiff, Math.abs(c32.w2[i][k] - c64.w2[i][k]));
                } else {
                    assertThat(c32.w2[i][k]).isZero();
                }
            }
        }
        for (int j = 0; j < d; j++) {
            for (int k = 0; k < h; k++) {
                maxDiff = Math.max(maxDiff, Math.abs(c32.w1[j][k] - c64.w1[j][k]));
            }
        }
        for (int k = 0; k < h; k++) {
            maxDiff = Math.max(maxDiff, Math.abs(c32.w3t[0][k] - c64.w3[k]));
            maxDiff = Math.max(maxDiff, Math.abs(c32.b1[k] - c64.b1[k]));
            maxDiff = Math.max(maxDiff, Math.abs(c32.b2[k] - c64.b2[k]));
        }
        // 8 Adam steps move each weight by up to 8e-3; rounding moves them by far less than that
        assertThat(maxDiff).isLessThan(1e-3);
        assertThat(c32.accuracy(xf, y, test)).isCloseTo(c64.accuracy(x, y, test), within(0.01));
    }

    /** Scores of the two precisions agree statistically, here to within 0.01 on average over seeds. */
    @Test
    void float32AndFloat64ScoresAgree() {
        Rng rng = new Rng(11);
        double[][] a = gauss(1000, 2, 0, rng);
        double[][] b = gauss(1000, 2, 0.5, rng);
        double f32 = 0;
        double f64 = 0;
        for (long seed = 0; seed < 3; seed++) {
            double s32 = C2st.score(a, b, seed, 2, C2st.Precision.FLOAT32);
            double s64 = C2st.score(a, b, seed, 2, C2st.Precision.FLOAT64);
            assertThat(s32).isBetween(0.58, 0.72);
            assertThat(s64).isBetween(0.58, 0.72);
            f32 += s32 / 3;
            f64 += s64 / 3;
        }
        assertThat(f32).isCloseTo(f64, within(0.01));
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
