package org.flows4j.tensor;

import org.flows4j.kernels.RowGemm;

/**
 * GEMM on row-major arrays: {@code C[n,m] = op(A) @ op(B)} (C overwritten).
 *
 * <p>Float32 products of any size worth it go to the row kernel ({@link RowGemm#best()}: the JDK
 * Vector API when present, else plain loops the JIT vectorises): the operands are copied into row
 * arrays, which costs O(nk + km + nm) against the product's O(nkm). Small products and float64
 * use the flat loops below.
 */
public final class Gemm {
    /** Below this many multiply-adds the copies into rows cost more than they save. */
    private static final long ROW_KERNEL_MIN_WORK = 4096;

    private static final RowGemm KERNEL = RowGemm.best();

    private Gemm() {}

    /** Float32 product; A is [n,k] (or [k,n] if ta), B is [k,m] (or [m,k] if tb). */
    public static void sgemm(boolean ta, boolean tb, int n, int m, int k, float[] a, float[] b, float[] c) {
        if ((long) n * m * k >= ROW_KERNEL_MIN_WORK) {
            rowSgemm(ta, tb, n, m, k, a, b, c);
        } else {
            flatSgemm(ta, tb, n, m, k, a, b, c);
        }
    }

    private static void rowSgemm(boolean ta, boolean tb, int n, int m, int k, float[] a, float[] b, float[] c) {
        float[][] cr = new float[n][m];
        if (tb && m < 8) {
            // narrow output: dot products over contiguous rows of A and of B as stored
            float[][] ar = ta ? transposedRows(a, k, n) : rows(a, n, k);
            KERNEL.dots(ar, rows(b, m, k), null, false, cr, 0, n, k, m);
        } else {
            float[][] br = tb ? transposedRows(b, m, k) : rows(b, k, m);
            KERNEL.gemm(ta, ta ? rows(a, k, n) : rows(a, n, k), br, null, false, cr, 0, n, k, m);
        }
        for (int i = 0; i < n; i++) {
            System.arraycopy(cr[i], 0, c, i * m, m);
        }
    }

    /** The r x w row-major array x as r row arrays. */
    private static float[][] rows(float[] x, int r, int w) {
        float[][] out = new float[r][];
        for (int i = 0; i < r; i++) {
            out[i] = java.util.Arrays.copyOfRange(x, i * w, i * w + w);
        }
        return out;
    }

    /** The rows of the transpose of the r x w row-major array x: w rows of length r. */
    private static float[][] transposedRows(float[] x, int r, int w) {
        float[][] out = new float[w][r];
        for (int i = 0; i < r; i++) {
            int xi = i * w;
            for (int j = 0; j < w; j++) {
                out[j][i] = x[xi + j];
            }
        }
        return out;
    }

    private static void flatSgemm(boolean ta, boolean tb, int n, int m, int k, float[] a, float[] b, float[] c) {
        float[] bb = b;
        if (tb) {
            bb = new float[k * m];
            for (int j = 0; j < m; j++) {
                for (int p = 0; p < k; p++) {
                    bb[p * m + j] = b[j * k + p];
                }
            }
        }
        java.util.Arrays.fill(c, 0, n * m, 0f);
        if (!ta) {
            for (int i = 0; i < n; i++) {
                int ci = i * m;
                int ai = i * k;
                for (int p = 0; p < k; p++) {
                    float av = a[ai + p];
                    int bp = p * m;
                    for (int j = 0; j < m; j++) {
                        c[ci + j] += av * bb[bp + j];
                    }
                }
            }
        } else {
            for (int p = 0; p < k; p++) {
                int ap = p * n;
                int bp = p * m;
                for (int i = 0; i < n; i++) {
                    float av = a[ap + i];
                    int ci = i * m;
                    for (int j = 0; j < m; j++) {
                        c[ci + j] += av * bb[bp + j];
                    }
                }
            }
        }
    }

    /** Float64 product; see {@link #sgemm}. */
    public static void dgemm(boolean ta, boolean tb, int n, int m, int k, double[] a, double[] b, double[] c) {
        double[] bb = b;
        if (tb) {
            bb = new double[k * m];
            for (int j = 0; j < m; j++) {
                for (int p = 0; p < k; p++) {
                    bb[p * m + j] = b[j * k + p];
                }
            }
        }
        java.util.Arrays.fill(c, 0, n * m, 0.0);
        if (!ta) {
            for (int i = 0; i < n; i++) {
                int ci = i * m;
                int ai = i * k;
                for (int p = 0; p < k; p++) {
                    double av = a[ai + p];
                    int bp = p * m;
                    for (int j = 0; j < m; j++) {
                        c[ci + j] += av * bb[bp + j];
                    }
                }
            }
        } else {
            for (int p = 0; p < k; p++) {
                int ap = p * n;
                int bp = p * m;
                for (int i = 0; i < n; i++) {
                    double av = a[ap + i];
                    int ci = i * m;
                    for (int j = 0; j < m; j++) {
                        c[ci + j] += av * bb[bp + j];
                    }
                }
            }
        }
    }
}
