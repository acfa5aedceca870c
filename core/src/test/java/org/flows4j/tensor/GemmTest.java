package org.flows4j.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The float32 product, on both its paths (flat loops, row kernel), against a float64 reference. */
class GemmTest {
    @ParameterizedTest(name = "n={0} m={1} k={2}")
    @CsvSource({"3,4,5", "1,1,1", "256,64,64", "256,4,64", "64,64,256", "2,64,256", "37,5,19", "130,80,8",
            "7,3,300"})
    void everyTransposeMatchesFloat64Reference(int n, int m, int k) {
        SplittableRandom r = new SplittableRandom(n * 1000L + m * 10L + k);
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                float[] a = random(r, n * k);
                float[] b = random(r, k * m);
                float[] c = new float[n * m];
                java.util.Arrays.fill(c, Float.NaN); // must be overwritten
                Gemm.sgemm(ta, tb, n, m, k, a, b, c);
                double maxErr = 0;
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < m; j++) {
                        double s = 0;
                        for (int p = 0; p < k; p++) {
                            double av = ta ? a[p * n + i] : a[i * k + p];
                            double bv = tb ? b[j * k + p] : b[p * m + j];
                            s += av * bv;
                        }
                        maxErr = Math.max(maxErr, Math.abs(s - c[i * m + j]));
                    }
                }
                assertThat(maxErr).as("ta=%s tb=%s", ta, tb).isLessThan(1e-5 * Math.sqrt(k));
            }
        }
    }

    private static float[] random(SplittableRandom r, int len) {
        float[] x = new float[len];
        for (int i = 0; i < len; i++) {
            x[i] = (float) r.nextDouble(-1, 1);
        }
        return x;
    }
}
