package org.flows4j.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The plain kernel's narrow products and ReLU against scalar statements of what they compute, bit for bit. */
class PlainRowGemmTest {
    /** Four running sums over p (p mod 4 for the first k - k % 4 terms, then the tail into the first), summed pairwise. */
    private static float fourChains(float[] a, float[] b, int k) {
        float[] s = new float[4];
        int kv = k - k % 4;
        for (int p = 0; p < kv; p++) {
            s[p % 4] += a[p] * b[p];
        }
        for (int p = kv; p < k; p++) {
            s[0] += a[p] * b[p];
        }
        return (s[0] + s[1]) + (s[2] + s[3]);
    }

    @Test
    void dotsAreFourChainSumsForEveryOutputCountAndStart() {
        RowGemm g = RowGemm.plain();
        Random r = new Random(5);
        int[][] sizes = {{7, 64, 2}, {5, 37, 3}, {3, 8, 1}, {4, 3, 4}, {2, 66, 5}};
        for (int[] size : sizes) {
            int n = size[0];
            int k = size[1];
            int m = size[2];
            float[][] a = new float[n][k];
            float[][] bt = new float[m][k];
            float[] bias = new float[m];
            for (float[] row : a) {
                for (int p = 0; p < k; p++) {
                    row[p] = (float) (r.nextGaussian() * Math.exp(2 * r.nextGaussian()));
                }
            }
            for (float[] row : bt) {
                for (int p = 0; p < k; p++) {
                    row[p] = (float) r.nextGaussian();
                }
            }
            for (int j = 0; j < m; j++) {
                bias[j] = (float) r.nextGaussian();
            }
            for (int mode = 0; mode < 3; mode++) {
                float[][] c = new float[n][m];
                float[][] before = new float[n][m];
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < m; j++) {
                        c[i][j] = (float) r.nextGaussian();
                        before[i][j] = c[i][j];
                    }
                }
                boolean accumulate = mode == 1;
                g.dots(a, bt, mode == 0 ? bias : null, accumulate, c, 1, n, k, m);
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < m; j++) {
                        float want = i < 1 ? before[i][j]
                                : fourChains(a[i], bt[j], k) + (accumulate ? before[i][j] : mode == 0 ? bias[j] : 0f);
                        assertThat(c[i][j]).as("size %s mode %d row %d output %d", java.util.Arrays.toString(size), mode, i, j)
                                .isEqualTo(want);
                    }
                }
            }
        }
    }

    @Test
    void reluIsMaxWithZeroAndKeepsNaN() {
        float[][] h = {{-1f, -0f, 0f, 2.5f, Float.NaN, Float.MIN_VALUE, -Float.MIN_VALUE}};
        RowGemm.plain().relu(h, 0, 1, 7);
        assertThat(h[0]).containsExactly(0f, 0f, 0f, 2.5f, Float.NaN, Float.MIN_VALUE, 0f);
        assertThat(Float.floatToRawIntBits(h[0][1])).as("-0 becomes +0").isZero();
        float[] x = {-2f, 0.5f};
        float[][] out = new float[2][3];
        NetKernel.plain().affineRelu(x, new float[] {1f, -1f, 0f}, new float[] {0.5f, 0f, Float.NaN}, out, 0, 2, 3);
        assertThat(out[0]).containsExactly(0f, 2f, Float.NaN);
        assertThat(out[1]).containsExactly(1f, 0f, Float.NaN);
    }
}
