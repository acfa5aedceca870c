package org.flows4j.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Block draws: the same numbers (normals to one float32 rounding step) and the same state as the scalar draws. */
class RngBulkTest {
    private static final long GOLDEN = 0x9e3779b97f4a7c15L;

    private static Rng[] twins(Rng.State s) {
        return new Rng[] {Rng.of(s), Rng.of(s)};
    }

    @Test
    void fastNormalsAreTheScalarNormals() {
        Rng base = new Rng(42);
        int differing = 0;
        long total = 0;
        for (int n : new int[] {0, 1, 2, 3, 15, 16, 17, 33, 1000, 100_001, 400_000}) {
            for (boolean spare : new boolean[] {false, true}) {
                Rng[] r = twins(base.split().state());
                if (spare) {
                    r[0].nextGaussian();
                    r[1].nextGaussian();
                }
                float[] a = new float[n];
                float[] b = new float[n];
                r[0].fillGaussian(a);
                r[1].fillGaussianFast(b);
                assertThat(r[1].state()).isEqualTo(r[0].state());
                for (int i = 0; i < n; i++) {
                    if (a[i] != b[i]) {
                        differing++;
                        assertThat(Math.abs(a[i] - b[i])).isLessThanOrEqualTo(Math.ulp(a[i]));
                    }
                }
                total += n;
            }
        }
        assertThat(differing).as("values one rounding step apart, of " + total).isLessThanOrEqualTo(2);
    }

    /** A pair whose first uniform is exactly 0 (mix64(0) = 0): the scalar generator redraws it, and so does the block path. */
    @Test
    void fastNormalsRedrawAZeroUniformAsTheScalarPathDoes() {
        for (int p : new int[] {0, 1, 5, 8, 21}) {
            Rng[] r = twins(new Rng.State(-(2L * p + 1) * GOLDEN, GOLDEN, false, 0));
            float[] a = new float[64];
            float[] b = new float[64];
            r[0].fillGaussian(a);
            r[1].fillGaussianFast(b);
            assertThat(r[1].state()).isEqualTo(r[0].state());
            for (int i = 0; i < a.length; i++) {
                assertThat(Math.abs(a[i] - b[i])).isLessThanOrEqualTo(Math.ulp(a[i]));
            }
        }
    }

    @Test
    void blockUniformsAreTheScalarUniforms() {
        Rng base = new Rng(7);
        for (int n : new int[] {0, 1, 7, 8, 9, 1000, 12_345}) {
            Rng[] r = twins(base.split().state());
            double[] a = new double[n];
            for (int i = 0; i < n; i++) {
                a[i] = r[0].nextDouble();
            }
            double[] b = new double[n];
            r[1].fillUniform(b);
            assertThat(b).containsExactly(a);
            assertThat(r[1].state()).isEqualTo(r[0].state());
        }
    }

    @Test
    void plainBlockNormalsAreBitForBitTheScalarOnes() {
        Rng r = new Rng(3);
        Rng.State s = r.state();
        float[] a = new float[1001];
        r.fillGaussian(a);
        float[] b = new float[1000];
        int done = org.flows4j.kernels.BulkRandom.plain().gaussianPairs(s.seed(), s.gamma(), b, 0, 500);
        assertThat(done).isEqualTo(500);
        for (int i = 0; i < b.length; i++) {
            assertThat(b[i]).isEqualTo(a[i]);
        }
    }

    @Test
    void blockExponentialsAreMinusLogsOfTheScalarUniforms() {
        Rng base = new Rng(9);
        for (int n : new int[] {0, 1, 7, 8, 9, 1000, 12_345}) {
            Rng[] r = twins(base.split().state());
            double[] b = new double[n];
            r[1].fillExponential(b);
            for (int i = 0; i < n; i++) {
                double e = -Math.log(r[0].nextDouble());
                assertThat(b[i]).isCloseTo(e, org.assertj.core.api.Assertions.within(2 * Math.ulp(e) + 1e-300));
            }
            assertThat(r[1].state()).isEqualTo(r[0].state());
        }
    }
}
