package org.flows4j.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
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
            for (; j + 2 * L <= m; j += 2 * L) {
                block4x2(transA, a, b, bias, accumulate, c, i, j, k);
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
            for (; j + 4 * L <= m; j += 4 * L) {
                for (int r = i; r < i1; r++) {
                    block1x4(transA, a, b, bias, accumulate, c, r, j, k);
                }
            }
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
        int i = i0;
        // four rows at a time: four independent chains of products and lane sums in flight instead
        // of one (each row's sum in the same order as alone, so the same numbers)
        for (; i + 4 <= i1; i += 4) {
            float[] a0 = a[i];
            float[] a1 = a[i + 1];
            float[] a2 = a[i + 2];
            float[] a3 = a[i + 3];
            for (int j = 0; j < m; j++) {
                float[] bj = bt[j];
                FloatVector acc0 = FloatVector.zero(S);
                FloatVector acc1 = acc0;
                FloatVector acc2 = acc0;
                FloatVector acc3 = acc0;
                for (int p = 0; p < kv; p += L) {
                    FloatVector b = FloatVector.fromArray(S, bj, p);
                    acc0 = FloatVector.fromArray(S, a0, p).fma(b, acc0);
                    acc1 = FloatVector.fromArray(S, a1, p).fma(b, acc1);
                    acc2 = FloatVector.fromArray(S, a2, p).fma(b, acc2);
                    acc3 = FloatVector.fromArray(S, a3, p).fma(b, acc3);
                }
                float s0 = sumLanes(acc0);
                float s1 = sumLanes(acc1);
                float s2 = sumLanes(acc2);
                float s3 = sumLanes(acc3);
                for (int p = kv; p < k; p++) {
                    s0 += a0[p] * bj[p];
                    s1 += a1[p] * bj[p];
                    s2 += a2[p] * bj[p];
                    s3 += a3[p] * bj[p];
                }
                c[i][j] = s0 + (accumulate ? c[i][j] : bias != null ? bias[j] : 0f);
                c[i + 1][j] = s1 + (accumulate ? c[i + 1][j] : bias != null ? bias[j] : 0f);
                c[i + 2][j] = s2 + (accumulate ? c[i + 2][j] : bias != null ? bias[j] : 0f);
                c[i + 3][j] = s3 + (accumulate ? c[i + 3][j] : bias != null ? bias[j] : 0f);
            }
        }
        for (; i < i1; i++) {
            float[] ai = a[i];
            float[] ci = c[i];
            for (int j = 0; j < m; j++) {
                float[] bj = bt[j];
                FloatVector acc = FloatVector.zero(S);
                for (int p = 0; p < kv; p += L) {
                    acc = FloatVector.fromArray(S, ai, p).fma(FloatVector.fromArray(S, bj, p), acc);
                }
                float sum = sumLanes(acc);
                for (int p = kv; p < k; p++) {
                    sum += ai[p] * bj[p];
                }
                ci[j] = sum + (accumulate ? ci[j] : bias != null ? bias[j] : 0f);
            }
        }
    }

    /** Pairings of lane i with lane i ^ h for h = L/2, L/4, ..., 1: the steps of {@link #sumLanes}. */
    private static final VectorShuffle<Float>[] HALVES = halves();

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] halves() {
        int steps = Integer.numberOfTrailingZeros(L);
        VectorShuffle<Float>[] s = new VectorShuffle[steps];
        for (int t = 0; t < steps; t++) {
            int h = L >> (t + 1);
            s[t] = VectorShuffle.fromOp(S, i -> i ^ h);
        }
        return s;
    }

    /**
     * The sum of v's lanes as a fixed pairwise tree of lanewise adds. Not reduceLanes(ADD): its
     * float order is unspecified, and on JDK 25 C2 sums the lanes as a tree while the interpreter
     * and C1 sum them in order, so the same input gave sums an ulp apart depending on whether the
     * caller had been compiled yet (a sample chunk drawn on a fresh second thread differed from the
     * same chunk drawn warm). Lanewise adds and lane moves are exact in every tier and on every JDK;
     * summing the stored lanes in order in scalar code is as deterministic but was 10-30% slower
     * for whole sampling runs on JDK 25.
     */
    static float sumLanes(FloatVector v) {
        for (VectorShuffle<Float> h : HALVES) {
            v = v.add(v.rearrange(h));
        }
        return v.lane(0);
    }

    @Override
    public void gemmSparse(float[][] a, float[][] b, float[] bias, float[][] c, int i0, int i1, int k, int m,
            boolean relu, float[][] mask) {
        if (m % (4 * L) != 0) {
            RowGemm.super.gemmSparse(a, b, bias, c, i0, i1, k, m, relu, mask);
            return;
        }
        int[] idx = new int[k];
        float[] size = new float[k];
        int i = i0;
        for (; i + 4 <= i1; i += 4) {
            float[] a0 = a[i];
            float[] a1 = a[i + 1];
            float[] a2 = a[i + 2];
            float[] a3 = a[i + 3];
            // |a0| + |a1| + |a2| + |a3| is zero exactly where all four are (+-0): a sum of
            // non-negative floats does not round to zero, and NaN stays nonzero
            int p = 0;
            for (; p + L <= k; p += L) {
                FloatVector.fromArray(S, a0, p).abs().add(FloatVector.fromArray(S, a1, p).abs())
                        .add(FloatVector.fromArray(S, a2, p).abs()).add(FloatVector.fromArray(S, a3, p).abs())
                        .intoArray(size, p);
            }
            for (; p < k; p++) {
                size[p] = Math.abs(a0[p]) + Math.abs(a1[p]) + Math.abs(a2[p]) + Math.abs(a3[p]);
            }
            int cnt = 0;
            for (p = 0; p < k; p++) {
                idx[cnt] = p;
                cnt += size[p] != 0f ? 1 : 0;
            }
            for (int j = 0; j < m; j += 4 * L) {
                sparse4x4(a0, a1, a2, a3, b, bias, c, i, j, idx, cnt, relu, mask);
            }
        }
        for (; i < i1; i++) {
            float[] ai = a[i];
            int cnt = 0;
            for (int p = 0; p < k; p++) {
                int nz = Float.floatToRawIntBits(ai[p]) & 0x7fffffff;
                idx[cnt] = p;
                cnt += (nz | -nz) >>> 31;
            }
            for (int j = 0; j < m; j += 4 * L) {
                sparse1x4(ai, b, bias, c, i, j, idx, cnt, relu, mask);
            }
        }
    }

    private static void sparse4x4(float[] a0r, float[] a1r, float[] a2r, float[] a3r, float[][] b, float[] bias,
            float[][] c, int i, int j, int[] idx, int cnt, boolean relu, float[][] mask) {
        FloatVector c00 = bias != null ? FloatVector.fromArray(S, bias, j) : FloatVector.zero(S);
        FloatVector c01 = bias != null ? FloatVector.fromArray(S, bias, j + L) : FloatVector.zero(S);
        FloatVector c02 = bias != null ? FloatVector.fromArray(S, bias, j + 2 * L) : FloatVector.zero(S);
        FloatVector c03 = bias != null ? FloatVector.fromArray(S, bias, j + 3 * L) : FloatVector.zero(S);
        FloatVector c10 = c00;
        FloatVector c11 = c01;
        FloatVector c12 = c02;
        FloatVector c13 = c03;
        FloatVector c20 = c00;
        FloatVector c21 = c01;
        FloatVector c22 = c02;
        FloatVector c23 = c03;
        FloatVector c30 = c00;
        FloatVector c31 = c01;
        FloatVector c32 = c02;
        FloatVector c33 = c03;
        for (int t = 0; t < cnt; t++) {
            int p = idx[t];
            float[] bp = b[p];
            FloatVector b0 = FloatVector.fromArray(S, bp, j);
            FloatVector b1 = FloatVector.fromArray(S, bp, j + L);
            FloatVector b2 = FloatVector.fromArray(S, bp, j + 2 * L);
            FloatVector b3 = FloatVector.fromArray(S, bp, j + 3 * L);
            FloatVector a0 = FloatVector.broadcast(S, a0r[p]);
            c00 = b0.fma(a0, c00);
            c01 = b1.fma(a0, c01);
            c02 = b2.fma(a0, c02);
            c03 = b3.fma(a0, c03);
            FloatVector a1 = FloatVector.broadcast(S, a1r[p]);
            c10 = b0.fma(a1, c10);
            c11 = b1.fma(a1, c11);
            c12 = b2.fma(a1, c12);
            c13 = b3.fma(a1, c13);
            FloatVector a2 = FloatVector.broadcast(S, a2r[p]);
            c20 = b0.fma(a2, c20);
            c21 = b1.fma(a2, c21);
            c22 = b2.fma(a2, c22);
            c23 = b3.fma(a2, c23);
            FloatVector a3 = FloatVector.broadcast(S, a3r[p]);
            c30 = b0.fma(a3, c30);
            c31 = b1.fma(a3, c31);
            c32 = b2.fma(a3, c32);
            c33 = b3.fma(a3, c33);
        }
        float[] r0 = c[i];
        float[] r1 = c[i + 1];
        float[] r2 = c[i + 2];
        float[] r3 = c[i + 3];
        if (relu) {
            c00 = c00.max(0f);
            c01 = c01.max(0f);
            c02 = c02.max(0f);
            c03 = c03.max(0f);
            c10 = c10.max(0f);
            c11 = c11.max(0f);
            c12 = c12.max(0f);
            c13 = c13.max(0f);
            c20 = c20.max(0f);
            c21 = c21.max(0f);
            c22 = c22.max(0f);
            c23 = c23.max(0f);
            c30 = c30.max(0f);
            c31 = c31.max(0f);
            c32 = c32.max(0f);
            c33 = c33.max(0f);
        } else if (mask != null) {
            FloatVector zero = FloatVector.zero(S);
            float[] m0 = mask[i];
            float[] m1 = mask[i + 1];
            float[] m2 = mask[i + 2];
            float[] m3 = mask[i + 3];
            c00 = c00.blend(zero, FloatVector.fromArray(S, m0, j).compare(VectorOperators.LE, 0f));
            c01 = c01.blend(zero, FloatVector.fromArray(S, m0, j + L).compare(VectorOperators.LE, 0f));
            c02 = c02.blend(zero, FloatVector.fromArray(S, m0, j + 2 * L).compare(VectorOperators.LE, 0f));
            c03 = c03.blend(zero, FloatVector.fromArray(S, m0, j + 3 * L).compare(VectorOperators.LE, 0f));
            c10 = c10.blend(zero, FloatVector.fromArray(S, m1, j).compare(VectorOperators.LE, 0f));
            c11 = c11.blend(zero, FloatVector.fromArray(S, m1, j + L).compare(VectorOperators.LE, 0f));
            c12 = c12.blend(zero, FloatVector.fromArray(S, m1, j + 2 * L).compare(VectorOperators.LE, 0f));
            c13 = c13.blend(zero, FloatVector.fromArray(S, m1, j + 3 * L).compare(VectorOperators.LE, 0f));
            c20 = c20.blend(zero, FloatVector.fromArray(S, m2, j).compare(VectorOperators.LE, 0f));
            c21 = c21.blend(zero, FloatVector.fromArray(S, m2, j + L).compare(VectorOperators.LE, 0f));
            c22 = c22.blend(zero, FloatVector.fromArray(S, m2, j + 2 * L).compare(VectorOperators.LE, 0f));
            c23 = c23.blend(zero, FloatVector.fromArray(S, m2, j + 3 * L).compare(VectorOperators.LE, 0f));
            c30 = c30.blend(zero, FloatVector.fromArray(S, m3, j).compare(VectorOperators.LE, 0f));
            c31 = c31.blend(zero, FloatVector.fromArray(S, m3, j + L).compare(VectorOperators.LE, 0f));
            c32 = c32.blend(zero, FloatVector.fromArray(S, m3, j + 2 * L).compare(VectorOperators.LE, 0f));
            c33 = c33.blend(zero, FloatVector.fromArray(S, m3, j + 3 * L).compare(VectorOperators.LE, 0f));
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

    private static void sparse1x4(float[] ar, float[][] b, float[] bias, float[][] c, int i, int j, int[] idx, int cnt,
            boolean relu, float[][] mask) {
        FloatVector c0 = start(bias, false, null, j);
        FloatVector c1 = start(bias, false, null, j + L);
        FloatVector c2 = start(bias, false, null, j + 2 * L);
        FloatVector c3 = start(bias, false, null, j + 3 * L);
        for (int t = 0; t < cnt; t++) {
            int p = idx[t];
            float[] bp = b[p];
            FloatVector s = FloatVector.broadcast(S, ar[p]);
            c0 = FloatVector.fromArray(S, bp, j).fma(s, c0);
            c1 = FloatVector.fromArray(S, bp, j + L).fma(s, c1);
            c2 = FloatVector.fromArray(S, bp, j + 2 * L).fma(s, c2);
            c3 = FloatVector.fromArray(S, bp, j + 3 * L).fma(s, c3);
        }
        float[] r = c[i];
        if (relu) {
            c0 = c0.max(0f);
            c1 = c1.max(0f);
            c2 = c2.max(0f);
            c3 = c3.max(0f);
        } else if (mask != null) {
            FloatVector zero = FloatVector.zero(S);
            float[] mi = mask[i];
            c0 = c0.blend(zero, FloatVector.fromArray(S, mi, j).compare(VectorOperators.LE, 0f));
            c1 = c1.blend(zero, FloatVector.fromArray(S, mi, j + L).compare(VectorOperators.LE, 0f));
            c2 = c2.blend(zero, FloatVector.fromArray(S, mi, j + 2 * L).compare(VectorOperators.LE, 0f));
            c3 = c3.blend(zero, FloatVector.fromArray(S, mi, j + 3 * L).compare(VectorOperators.LE, 0f));
        }
        c0.intoArray(r, j);
        c1.intoArray(r, j + L);
        c2.intoArray(r, j + 2 * L);
        c3.intoArray(r, j + 3 * L);
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
                hi[j] = Math.max(hi[j], 0f); // as the lanes' max: NaN stays NaN
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

    /** Four rows, two vectors: each broadcast feeds two FMAs (the same sums as block4x1 twice). */
    private static void block4x2(boolean transA, float[][] a, float[][] b, float[] bias, boolean acc, float[][] c, int i,
            int j, int k) {
        float[] r0 = c[i];
        float[] r1 = c[i + 1];
        float[] r2 = c[i + 2];
        float[] r3 = c[i + 3];
        FloatVector c00 = start(bias, acc, r0, j);
        FloatVector c01 = start(bias, acc, r0, j + L);
        FloatVector c10 = start(bias, acc, r1, j);
        FloatVector c11 = start(bias, acc, r1, j + L);
        FloatVector c20 = start(bias, acc, r2, j);
        FloatVector c21 = start(bias, acc, r2, j + L);
        FloatVector c30 = start(bias, acc, r3, j);
        FloatVector c31 = start(bias, acc, r3, j + L);
        for (int p = 0; p < k; p++) {
            float[] bp = b[p];
            FloatVector b0 = FloatVector.fromArray(S, bp, j);
            FloatVector b1 = FloatVector.fromArray(S, bp, j + L);
            FloatVector a0 = FloatVector.broadcast(S, av(transA, a, i, p));
            c00 = b0.fma(a0, c00);
            c01 = b1.fma(a0, c01);
            FloatVector a1 = FloatVector.broadcast(S, av(transA, a, i + 1, p));
            c10 = b0.fma(a1, c10);
            c11 = b1.fma(a1, c11);
            FloatVector a2 = FloatVector.broadcast(S, av(transA, a, i + 2, p));
            c20 = b0.fma(a2, c20);
            c21 = b1.fma(a2, c21);
            FloatVector a3 = FloatVector.broadcast(S, av(transA, a, i + 3, p));
            c30 = b0.fma(a3, c30);
            c31 = b1.fma(a3, c31);
        }
        c00.intoArray(r0, j);
        c01.intoArray(r0, j + L);
        c10.intoArray(r1, j);
        c11.intoArray(r1, j + L);
        c20.intoArray(r2, j);
        c21.intoArray(r2, j + L);
        c30.intoArray(r3, j);
        c31.intoArray(r3, j + L);
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

    /** One row, four vectors: four independent accumulator chains (the same sums as block1x1). */
    private static void block1x4(boolean transA, float[][] a, float[][] b, float[] bias, boolean acc, float[][] c, int i,
            int j, int k) {
        float[] r = c[i];
        FloatVector c0 = start(bias, acc, r, j);
        FloatVector c1 = start(bias, acc, r, j + L);
        FloatVector c2 = start(bias, acc, r, j + 2 * L);
        FloatVector c3 = start(bias, acc, r, j + 3 * L);
        for (int p = 0; p < k; p++) {
            float[] bp = b[p];
            FloatVector s = FloatVector.broadcast(S, av(transA, a, i, p));
            c0 = FloatVector.fromArray(S, bp, j).fma(s, c0);
            c1 = FloatVector.fromArray(S, bp, j + L).fma(s, c1);
            c2 = FloatVector.fromArray(S, bp, j + 2 * L).fma(s, c2);
            c3 = FloatVector.fromArray(S, bp, j + 3 * L).fma(s, c3);
        }
        c0.intoArray(r, j);
        c1.intoArray(r, j + L);
        c2.intoArray(r, j + 2 * L);
        c3.intoArray(r, j + 3 * L);
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
