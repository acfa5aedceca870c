package org.flows4j.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/**
 * The vector kernel's narrow products must not depend on the JIT tier: the fused sampler hands
 * chunks to threads that may run them interpreted, C1- or C2-compiled, and promises the same floats
 * for any thread count. The dot products are held, bit for bit, to a scalar statement of the sum
 * they compute (per-lane FMA chains, a fixed pairwise tree over the lanes, then the tail in order),
 * over enough calls that the kernel is compiled part way through.
 */
class VectorRowGemmDotsTest {
    private static final int L = FloatVector.SPECIES_PREFERRED.length();

    private static float reference(float[] a, float[] b, int k) {
        float[] acc = new float[L];
        int kv = k - k % L;
        for (int p = 0; p < kv; p++) {
            acc[p % L] = Math.fma(a[p], b[p], acc[p % L]);
        }
        for (int h = L / 2; h > 0; h /= 2) {
            float[] next = new float[L];
            for (int i = 0; i < L; i++) {
                next[i] = acc[i] + acc[i ^ h];
            }
            acc = next;
        }
        float sum = acc[0];
        for (int p = kv; p < k; p++) {
            sum += a[p] * b[p];
        }
        return sum;
    }

    @Test
    void dotsAreTheSameFixedSumInEveryTier() {
        RowGemm g = new VectorRowGemm();
        Random r = new Random(3);
        int[][] sizes = {{9, 80, 3}, {4, 64, 2}, {5, 37, 6}, {3, 8, 1}};
        for (int round = 0; round < 3000; round++) {
            int[] size = sizes[round % sizes.length];
            int n = size[0];
            int k = size[1];
            int m = size[2];
            DotOperands ops = DotOperands.random(r, n, k, m, 3);
            float[][] a = ops.a();
            float[][] bt = ops.bt();
            // rounds alternate between a bias, none, and adding to what c holds; rows from 0 or 1
            int mode = round % 3;
            float[] bias = mode == 0 ? ops.bias() : null;
            boolean accumulate = mode == 2;
            int i0 = (round / 3) % 2;
            float[][] c = new float[n][m];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < m; j++) {
                    c[i][j] = (float) r.nextGaussian();
                }
            }
            float[][] before = new float[n][];
            for (int i = 0; i < n; i++) {
                before[i] = c[i].clone();
            }
            g.dots(a, bt, bias, accumulate, c, i0, n, k, m);
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < m; j++) {
                    float want = i < i0 ? before[i][j]
                            : reference(a[i], bt[j], k) + (accumulate ? before[i][j] : bias != null ? bias[j] : 0f);
                    assertThat(Float.floatToIntBits(c[i][j])).as("round %d row %d col %d", round, i, j)
                            .isEqualTo(Float.floatToIntBits(want));
                }
            }
        }
    }
}
