package org.flows4j.tensor;

/**
 * Plain-Java GEMM kernels on row-major arrays: {@code C[n,m] = op(A) @ op(B)} (C overwritten).
 * Inner loops run over contiguous rows of B and C so that the JIT vectorises them.
 */
public final class Gemm {
    private Gemm() {}

    /** Float32 product; A is [n,k] (or [k,n] if ta), B is [k,m] (or [m,k] if tb). */
    public static void sgemm(boolean ta, boolean tb, int n, int m, int k, float[] a, float[] b, float[] c) {
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
