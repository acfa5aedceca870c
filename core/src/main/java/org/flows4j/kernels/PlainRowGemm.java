package org.flows4j.kernels;

/** Plain Java: four output rows per pass over b, so each loaded row of b feeds four FMAs. */
final class PlainRowGemm implements RowGemm {
    @Override
    public String name() {
        return "plain";
    }

    @Override
    public void gemm(boolean transA, float[][] a, float[][] b, float[] bias, boolean accumulate, float[][] c, int i0,
            int i1, int k, int m) {
        int i = i0;
        for (; i + 4 <= i1; i += 4) {
            float[] c0 = c[i];
            float[] c1 = c[i + 1];
            float[] c2 = c[i + 2];
            float[] c3 = c[i + 3];
            init(c0, bias, accumulate, m);
            init(c1, bias, accumulate, m);
            init(c2, bias, accumulate, m);
            init(c3, bias, accumulate, m);
            for (int p = 0; p < k; p++) {
                float a0;
                float a1;
                float a2;
                float a3;
                if (transA) {
                    float[] ap = a[p];
                    a0 = ap[i];
                    a1 = ap[i + 1];
                    a2 = ap[i + 2];
                    a3 = ap[i + 3];
                } else {
                    a0 = a[i][p];
                    a1 = a[i + 1][p];
                    a2 = a[i + 2][p];
                    a3 = a[i + 3][p];
                }
                if (a0 == 0 && a1 == 0 && a2 == 0 && a3 == 0) {
                    continue;
                }
                float[] bp = b[p];
                for (int j = 0; j < m; j++) {
                    float v = bp[j];
                    c0[j] += a0 * v;
                    c1[j] += a1 * v;
                    c2[j] += a2 * v;
                    c3[j] += a3 * v;
                }
            }
        }
        for (; i < i1; i++) {
            float[] ci = c[i];
            init(ci, bias, accumulate, m);
            for (int p = 0; p < k; p++) {
                float av = transA ? a[p][i] : a[i][p];
                if (av == 0) {
                    continue;
                }
                float[] bp = b[p];
                for (int j = 0; j < m; j++) {
                    ci[j] += av * bp[j];
                }
            }
        }
    }

    /**
     * Two outputs per pass over a row of a when m allows (each loaded a[i][p] feeds two dot
     * products), each dot product in four running sums (four independent chains of multiply-adds
     * instead of one long one).
     */
    @Override
    public void dots(float[][] a, float[][] bt, float[] bias, boolean accumulate, float[][] c, int i0, int i1, int k,
            int m) {
        for (int i = i0; i < i1; i++) {
            float[] ai = a[i];
            float[] ci = c[i];
            int j = 0;
            for (; j + 2 <= m; j += 2) {
                float[] b0 = bt[j];
                float[] b1 = bt[j + 1];
                float x0 = 0;
                float x1 = 0;
                float x2 = 0;
                float x3 = 0;
                float y0 = 0;
                float y1 = 0;
                float y2 = 0;
                float y3 = 0;
                int p = 0;
                for (; p + 4 <= k; p += 4) {
                    float a0 = ai[p];
                    float a1 = ai[p + 1];
                    float a2 = ai[p + 2];
                    float a3 = ai[p + 3];
                    x0 += a0 * b0[p];
                    x1 += a1 * b0[p + 1];
                    x2 += a2 * b0[p + 2];
                    x3 += a3 * b0[p + 3];
                    y0 += a0 * b1[p];
                    y1 += a1 * b1[p + 1];
                    y2 += a2 * b1[p + 2];
                    y3 += a3 * b1[p + 3];
                }
                for (; p < k; p++) {
                    x0 += ai[p] * b0[p];
                    y0 += ai[p] * b1[p];
                }
                ci[j] = ((x0 + x1) + (x2 + x3)) + start(ci, bias, accumulate, j);
                ci[j + 1] = ((y0 + y1) + (y2 + y3)) + start(ci, bias, accumulate, j + 1);
            }
            if (j < m) {
                float[] bj = bt[j];
                float s0 = 0;
                float s1 = 0;
                float s2 = 0;
                float s3 = 0;
                int p = 0;
                for (; p + 4 <= k; p += 4) {
                    s0 += ai[p] * bj[p];
                    s1 += ai[p + 1] * bj[p + 1];
                    s2 += ai[p + 2] * bj[p + 2];
                    s3 += ai[p + 3] * bj[p + 3];
                }
                for (; p < k; p++) {
                    s0 += ai[p] * bj[p];
                }
                ci[j] = ((s0 + s1) + (s2 + s3)) + start(ci, bias, accumulate, j);
            }
        }
    }

    /** What output j starts from: its current value (accumulate), its bias, or zero. */
    private static float start(float[] ci, float[] bias, boolean accumulate, int j) {
        return accumulate ? ci[j] : bias != null ? bias[j] : 0f;
    }

    @Override
    public void relu(float[][] h, int i0, int i1, int m) {
        for (int i = i0; i < i1; i++) {
            float[] hi = h[i];
            for (int j = 0; j < m; j++) {
                // max, not a conditional: the JIT vectorises it (the same value but for NaN, which it keeps)
                hi[j] = Math.max(hi[j], 0f);
            }
        }
    }

    @Override
    public void reluMask(float[][] h, float[][] g, int i0, int i1, int m) {
        for (int i = i0; i < i1; i++) {
            float[] hi = h[i];
            float[] gi = g[i];
            for (int j = 0; j < m; j++) {
                gi[j] = hi[j] > 0 ? gi[j] : 0f;
            }
        }
    }

    private static void init(float[] row, float[] bias, boolean accumulate, int m) {
        if (accumulate) {
            return;
        }
        if (bias != null) {
            System.arraycopy(bias, 0, row, 0, m);
        } else {
            java.util.Arrays.fill(row, 0, m, 0f);
        }
    }
}
