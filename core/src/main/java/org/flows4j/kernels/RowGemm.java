package org.flows4j.kernels;

/**
 * Matrix products on row arrays (float[][]: one array per row), the layout the fused flow
 * kernels use: with rows as separate arrays the JIT can prove that an output row and an input row
 * do not overlap, and vectorises the inner loops.
 *
 * <p>{@code c[i][0..m) = init + sum over p < k of A(i, p) * b[p][0..m)} for rows i in [i0, i1),
 * where A(i, p) is {@code a[i][p]} or, transposed, {@code a[p][i]}; init is the current c[i]
 * (accumulate), the bias, or zero.
 */
public interface RowGemm {
    void gemm(boolean transA, float[][] a, float[][] b, float[] bias, boolean accumulate, float[][] c, int i0, int i1,
            int k, int m);

    /**
     * {@code c[i][j] = init + sum over p < k of a[i][p] * bt[j][p]} for rows i in [i0, i1) and
     * j < m: the product with a transposed right-hand side, as dot products. The fast choice when
     * m is small (a network's narrow input or output layer).
     */
    void dots(float[][] a, float[][] bt, float[] bias, boolean accumulate, float[][] c, int i0, int i1, int k, int m);

    /**
     * {@code c[i] = bias + sum over p < k of a[i][p] * b[p]} (A not transposed, rows [i0, i1)),
     * then {@code max(c, 0)} when {@code relu}, or 0 where {@code mask[i][j] <= 0} when a mask is
     * given: the product of a network layer with its ReLU, or of a gradient with the ReLU mask of
     * the layer below. The vector kernel skips the p at which a whole block of rows of A is zero
     * (ReLU activations and masked gradients are half zeros; rows whose zeros coincide, as for
     * inputs sorted by value, then cost half). The same numbers as {@link #gemm} followed by
     * {@link #relu} or {@link #reluMask}.
     */
    default void gemmSparse(float[][] a, float[][] b, float[] bias, float[][] c, int i0, int i1, int k, int m,
            boolean relu, float[][] mask) {
        gemm(false, a, b, bias, false, c, i0, i1, k, m);
        if (relu) {
            relu(c, i0, i1, m);
        }
        if (mask != null) {
            reluMask(mask, c, i0, i1, m);
        }
    }

    /** {@code g[i][j] = 0} where {@code h[i][j] <= 0}: the ReLU backward mask, rows [i0, i1), j < m. */
    void reluMask(float[][] h, float[][] g, int i0, int i1, int m);

    /** {@code h[i][j] = max(h[i][j], 0)} for rows [i0, i1), j < m. */
    void relu(float[][] h, int i0, int i1, int m);

    /** A short name for reports: "vector" or "plain". */
    String name();

    /** Plain Java loops: runs everywhere. */
    static RowGemm plain() {
        return new PlainRowGemm();
    }

    /**
     * The JDK Vector API kernel when the JVM was started with
     * {@code --add-modules jdk.incubator.vector} (and {@code -Dflows4j.vector=false} is not set),
     * else the plain one.
     */
    static RowGemm best() {
        if (!"false".equalsIgnoreCase(System.getProperty("flows4j.vector"))
                && ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            try {
                return (RowGemm) Class.forName("org.flows4j.kernels.VectorRowGemm").getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException | LinkageError e) {
                return plain();
            }
        }
        return plain();
    }
}
