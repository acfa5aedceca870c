package org.flows4j.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The plain kernel's narrow products, and both kernels' ReLU, against scalar statements of what they compute, bit for bit. */
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
            DotOperands ops = DotOperands.random(r, n, k, m, 2);
            float[][] a = ops.a();
            float[][] bt = ops.bt();
            float[] bias = ops.bias();
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

    /** Both kernels (lanes and scalar tails alike): ReLU is max(v, 0), so -0 becomes +0 and NaN stays NaN. */
    @Test
    void reluIsMaxWithZeroAndKeepsNaN() {
        float[] special = {-1f, -0f, 0f, 2.5f, Float.NaN, Float.MIN_VALUE, -Float.MIN_VALUE};
        for (int m : new int[] {special.length, 40}) {
            for (RowGemm g : new RowGemm[] {RowGemm.plain(), RowGemm.best()}) {
                float[][] h = new float[1][m];
                for (int j = 0; j < m; j++) {
                    h[0][j] = special[j % special.length];
                }
                g.relu(h, 0, 1, m);
                for (int j = 0; j < m; j++) {
                    float v = special[j % special.length];
                    assertThat(Float.floatToRawIntBits(h[0][j])).as("%s relu(%s)", g.name(), v)
                            .isEqualTo(Float.floatToRawIntBits(Math.max(v, 0f)));
                }
            }
            for (NetKernel nk : new NetKernel[] {NetKernel.plain(), NetKernel.best()}) {
                float[] x = {-2f, 0.5f};
                float[] a = new float[m];
                float[] b = new float[m];
                for (int j = 0; j < m; j++) {
                    a[j] = j % 3 - 1;
                    b[j] = j % 7 == 4 ? Float.NaN : 0.5f * (j % 5) - 1;
                }
                float[][] out = new float[2][m];
                nk.affineRelu(x, a, b, out, 0, 2, m);
                for (int r = 0; r < 2; r++) {
                    for (int j = 0; j < m; j++) {
                        assertThat(Float.floatToRawIntBits(out[r][j])).as("%s row %d unit %d", nk.name(), r, j)
                                .isEqualTo(Float.floatToRawIntBits(Math.max(a[j] * x[r] + b[j], 0f)));
                    }
                }
            }
        }
    }
}
