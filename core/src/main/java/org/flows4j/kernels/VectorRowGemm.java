package org.flows4j.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The JDK Vector API kernel: a 4-row by 4-vector block of c stays in registers while p runs, so
 * each loaded vector of b feeds four FMAs and nothing is stored until the block is done. Loaded
 * only when the incubator module is present (see {@link RowGemm#best()}).
 */
final class VectorRowGemm implements RowGemm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    @Override
    public String name() {
        return "vector";
    }

    @Override
    public void gemm(boolean transA, float[][] a, float[][] b, float[] bias, boolean accumulate, float[][] c, int i0,
            int i1, int k, int m) {
        int i = i0;
        for (; i + 4 <= i1; i += 4) {
            int j = 0;
            for (; j + 4 * L <= m; j += 4 * L) {
                block4x4(transA, a, b, bias, accumulate, c, i, j, k);
            }
            for (; j + L <= m; j += L) {
                block4x1(transA, a, b, bias, accumulate, c, i, j, k);
            }
            if (j < m) {
                scalarTail(transA, a, b, bias, accumulate, c, i, i + 4, j, k, m);
            }
        }
        if (i < i1) {
            int j = 0;
            for (; j + L <= m; j += L) {
                for (int r = i; r < i1; r++) {
                    block1x1(transA, a, b, bias, accumulate, c, r, j, k);
                }
            }
            if (j < m) {
                scalarTail(transA, a, b, bias, accumulate, c, i, i1, j, k, m);
            }
        }
    }

    @Override
    public void dots(float[][] a, float[][] bt, float[] bias, boolean accumulate, float[][] c, int i0, int i1, int k,
            int m) {
        int kv = k - k % L;
        for (int i = i0; i < i1; i++) {
            float[] ai = a[i];
            float[] ci = c[i];
            for (int j = 0; j < m; j++) {
                float[] bj = bt[j];
                FloatVector acc = FloatVector.zero(S);
                for (int p = 0; p < kv; p += L) {
                    acc = FloatVector.fromArray(S, ai, p).fma(FloatVector.fromArray(S, bj, p), acc);
                }
                float sum = acc.reduceLanes(VectorOperators.ADD);
                for (int p = kv; p < k; p++) {
                    sum += ai[p] * bj[p];
                }
                ci[j] = sum + (accumulate ? ci[j] : bias != null ? bias[j] : 0f);
            }
        }
    }

    @Override
    public void relu(float[][] h, int i0, int i1, int m) {
        int mv = m - m % L;
        for (int i = i0; i < i1; i++) {
            float[] hi = h[i];
            for (int j = 0; j < mv; j += L) {
                FloatVector.fromArray(S, hi, j).max(0f).intoArray(hi, j);
            }
            for (int j = mv; j < m; j++) {
                float v = hi[j];
                hi[j] = v > 0 ? v : 0f;
            }
        }
    }

    @Override
    public void reluMask(float[][] h, float[][] g, int i0, int i1, int m) {
        int mv = m - m % L;
        FloatVector zero = FloatVector.zero(S);
        for (int i = i0; i < i1; i++) {
            float[] hi = h[i];
            float[] gi = g[i];
            for (int j = 0; j < mv; j += L) {
                FloatVector hv = FloatVector.fromArray(S, hi, j);
                FloatVector.fromArray(S, gi, j).blend(zero, hv.compare(VectorOperators.LE, 0f)).intoArray(gi, j);
            }
            for (int j = mv; j < m; j++) {
                gi[j] = hi[j] > 0 ? gi[j] : 0f;
            }
        }
    }

    private static FloatVector start(float[] bias, boolean accumulate, float[] row, int j) {
        if (accumulate) {
            return FloatVector.fromArray(S, row, j);
        }
        return bias != null ? FloatVector.fromArray(S, bias, j) : FloatVector.zero(S);
    }

    private static float av(boolean transA, float[][] a, int i, int p) {
        return transA ? a[p][i] : a[i][p];
    }

    private static void block4x4(boolean transA, float[][] a, float[][] b, float[] bias, boolean acc, float[][] c, int i,
            int j, int k) {
        float[] r0 = c[i];
        float[] r1 = c[i + 1];
        float[] r2 = c[i + 2];
        float[] r3 = c[i + 3];
        FloatVector c00 = start(bias, acc, r0, j);
        FloatVector c01 = start(bias, acc, r0, j + L);
        FloatVector c02 = start(bias, acc, r0, j + 2 * L);
        FloatVector c03 = start(bias, acc, r0, j + 3 * L);
        FloatVector c10 = start(bias, acc, r1, j);
        FloatVector c11 = start(bias, acc, r1, j + L);
        FloatVector c12 = start(bias, acc, r1, j + 2 * L);
        FloatVector c13 = start(bias, acc, r1, j + 3 * L);
        FloatVector c20 = start(bias, acc, r2, j);
        FloatVector c21 = start(bias, acc, r2, j + L);
        FloatVector c22 = start(bias, acc, r2, j + 2 * L);
        FloatVector c23 = start(bias, acc, r2, j + 3 * L);
        FloatVector c30 = start(bias, acc, r3, j);
        FloatVector c31 = start(bias, acc, r3, j + L);
        FloatVector c32 = start(bias, acc, r3, j + 2 * L);
        FloatVector c33 = start(bias, acc, r3, j + 3 * L);
        // rows of A hoisted out of the loop (row-major A) or one row of A per step (transposed A)
        float[] a0r = transA ? null : a[i];
        float[] a1r = transA ? null : a[i + 1];
        float[] a2r = transA ? null : a[i + 2];
        float[] a3r = transA ? null : a[i + 3];
        for (int p = 0; p < k; p++) {
            float[] bp = b[p];
            float[] ap = transA ? a[p] : null;
            float s0 = transA ? ap[i] : a0r[p];
            float s1 = transA ? ap[i + 1] : a1r[p];
            float s2 = transA ? ap[i + 2] : a2r[p];
            float s3 = transA ? ap[i + 3] : a3r[p];
            FloatVector b0 = FloatVector.fromArray(S, bp, j);
            FloatVector b1 = FloatVector.fromArray(S, bp, j + L);
            FloatVector b2 = FloatVector.fromArray(S, bp, j + 2 * L);
            FloatVector b3 = FloatVector.fromArray(S, bp, j + 3 * L);
            FloatVector a0 = FloatVector.broadcast(S, s0);
            c00 = b0.fma(a0, c00);
            c01 = b1.fma(a0, c01);
            c02 = b2.fma(a0, c02);
            c03 = b3.fma(a0, c03);
            FloatVector a1 = FloatVector.broadcast(S, s1);
            c10 = b0.fma(a1, c10);
            c11 = b1.fma(a1, c11);
            c12 = b2.fma(a1, c12);
            c13 = b3.fma(a1, c13);
            FloatVector a2 = FloatVector.broadcast(S, s2);
            c20 = b0.fma(a2, c20);
            c21 = b1.fma(a2, c21);
            c22 = b2.fma(a2, c22);
            c23 = b3.fma(a2, c23);
            FloatVector a3 = FloatVector.broadcast(S, s3);
            c30 = b0.fma(a3, c30);
            c31 = b1.fma(a3, c31);
            c32 = b2.fma(a3, c32);
            c33 = b3.fma(a3, c33);
        }
        c00.intoArray(r0, j);
        c01.intoArray(r0, j + L);
        c02.intoArray(r0, j + 2 * L);
        c03.intoArray(r0, j + 3 * L);
        c10.intoArray(r1, j);
        c11.intoArray(r1, j + L);
        c12.intoArray(r1, j + 2 * L);
        c13.intoArray(r1, j + 3 * L);
        c20.intoArray(r2, j);
        c21.intoArray(r2, j + L);
        c22.intoArray(r2, j + 2 * L);
        c23.intoArray(r2, j + 3 * L);
        c30.intoArray(r3, j);
        c31.intoArray(r3, j + L);
        c32.intoArray(r3, j + 2 * L);
        c33.intoArray(r3, j + 3 * L);
    }

    private static void block4x1(boolean transA, float[][] a, float[][] b, float[] bias, boolean acc, float[][] c, int i,
            int j, int k) {
        float[] r0 = c[i];
        float[] r1 = c[i + 1];
        float[] r2 = c[i + 2];
        float[] r3 = c[i + 3];
        FloatVector c0 = start(bias, acc, r0, j);
        FloatVector c1 = start(bias, acc, r1, j);
        FloatVector c2 = start(bias, acc, r2, j);
        FloatVector c3 = start(bias, acc, r3, j);
        for (int p = 0; p < k; p++) {
            FloatVector bv = FloatVector.fromArray(S, b[p], j);
            c0 = bv.fma(FloatVector.broadcast(S, av(transA, a, i, p)), c0);
            c1 = bv.fma(FloatVector.broadcast(S, av(transA, a, i + 1, p)), c1);
            c2 = bv.fma(FloatVector.broadcast(S, av(transA, a, i + 2, p)), c2);
            c3 = bv.fma(FloatVector.broadcast(S, av(transA, a, i + 3, p)), c3);
        }
        c0.intoArray(r0, j);
        c1.intoArray(r1, j);
        c2.intoArray(r2, j);
        c3.intoArray(r3, j);
    }

    private static void block1x1(boolean transA, float[][] a, float[][] b, float[] bias, boolean acc, float[][] c, int i,
            int j, int k) {
        float[] r = c[i];
        FloatVector ci = start(bias, acc, r, j);
        for (int p = 0; p < k; p++) {
            ci = FloatVector.fromArray(S, b[p], j).fma(FloatVector.broadcast(S, av(transA, a, i, p)), ci);
        }
        ci.intoArray(r, j);
    }

    private static void scalarTail(boolean transA, float[][] a, float[][] b, float[] bias, boolean acc, float[][] c,
            int i0, int i1, int j0, int k, int m) {
        for (int i = i0; i < i1; i++) {
            float[] r = c[i];
            for (int j = j0; j < m; j++) {
                float s = acc ? r[j] : bias != null ? bias[j] : 0f;
                for (int p = 0; p < k; p++) {
                    s += av(transA, a, i, p) * b[p][j];
                }
                r[j] = s;
            }
        }
    }
}
