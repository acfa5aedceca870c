package org.flows4j.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class RowGemmSparseTest {
    private static float[][] matrix(Random r, int rows, int cols, double zeros) {
        float[][] m = new float[rows][cols];
        for (float[] row : m) {
            for (int j = 0; j < cols; j++) {
                row[j] = r.nextDouble() < zeros ? 0f : (float) r.nextGaussian();
            }
        }
        return m;
    }

    private static float[][] copy(float[][] m) {
        float[][] c = new float[m.length][];
        for (int i = 0; i < m.length; i++) {
            c[i] = m[i].clone();
        }
        return c;
    }

    /** gemmSparse equals gemm followed by relu or reluMask, bit for bit, in both kernels and at odd sizes. */
    @Test
    void sparseProductEqualsTheDenseOneWithReluOrMask() {
        Random r = new Random(7);
        for (RowGemm g : new RowGemm[] {RowGemm.best(), RowGemm.plain()}) {
            for (int[] size : new int[][] {{13, 64, 64}, {8, 1, 64}, {250, 64, 128}, {7, 20, 20}, {5, 64, 16}}) {
                int n = size[0];
                int k = size[1];
                int m = size[2];
                float[][] a = matrix(r, n, k, 0.5);
                float[][] b = matrix(r, k, m, 0);
                float[] bias = matrix(r, 1, m, 0)[0];
                float[][] mask = matrix(r, n, m, 0.4);
                for (int mode = 0; mode < 3; mode++) {
                    float[][] dense = new float[n][m];
                    float[][] sparse = new float[n][m];
                    float[] bs = mode == 2 ? null : bias;
                    g.gemm(false, a, b, bs, false, dense, 0, n, k, m);
                    if (mode == 1) {
                        g.relu(dense, 0, n, m);
                    } else if (mode == 2) {
                        g.reluMask(mask, dense, 0, n, m);
                    }
                    g.gemmSparse(copy(a), b, bs, sparse, 0, n, k, m, mode == 1, mode == 2 ? mask : null);
                    for (int i = 0; i < n; i++) {
                        assertThat(sparse[i]).as(g.name() + " " + n + "x" + k + "x" + m + " mode " + mode + " row " + i)
                                .containsExactly(dense[i]);
                    }
                }
            }
        }
    }
}
