package org.flows4j.kernels;

/**
 * Small kernels of the fused coupling networks (org.flows4j.snf's one-input ReLU networks) that
 * {@link RowGemm} does not cover: the first two layers of a one-input network evaluated per
 * segment of sorted rows and their gradient sums. Both kernels compute the same numbers, bit for
 * bit: separate multiplies and adds, in the plain loops' order.
 */
public interface NetKernel {
    /**
     * {@code h[r][o] = max(a[o] * x[r] + b[o], 0)} (the product rounded, then the sum) for rows
     * r in [r0, r1), o < m.
     */
    void affineRelu(float[] x, float[] a, float[] b, float[][] h, int r0, int r1, int m);

    /**
     * {@code sx[o] = sum over r of g[r][o] * x[r]} and {@code s1[o] = sum over r of g[r][o]}, rows
     * [r0, r1) in order, from zero (each product rounded, then added), o < m.
     */
    void columnSums(float[][] g, float[] x, int r0, int r1, float[] sx, float[] s1, int m);

    /** {@code out[o] = sum over r < n of g[r][o]}, rows in order, from zero, o < m. */
    void columnSum(float[][] g, int n, float[] out, int m);

    /**
     * The gradient of one first-layer unit of a one-input network from prefix sums: with
     * {@code X = ahi - alo} and {@code Y = bhi - blo} (elementwise, o < m), {@code dst = w X + b Y}
     * and returns {@code {sum col X, sum col Y}} in {@code out}, the sums taken as two interleaved
     * chains (even and odd o, then their sum), as the scalar loop did; {@code scratch} holds at
     * least 2m floats.
     */
    void unitGradient(float w, float b, float[] ahi, float[] alo, float[] bhi, float[] blo, float[] col, float[] dst,
            float[] scratch, float[] out, int m);

    /**
     * {@code alpha[o] += w * col[o]} and {@code beta[o] += b * col[o]} (or -=, when not
     * {@code add}), o < m: the products in double (exact for float factors), then the sums.
     */
    default void addUnit(float w, float b, float[] col, boolean add, double[] alpha, double[] beta, int m) {
        // x - w c = x + (-w) c exactly: the products of floats are exact in double
        addScaled(add ? w : -w, col, alpha, m);
        addScaled(add ? b : -b, col, beta, m);
    }

    /** {@code acc[o] += (double) s * x[o]}, o < m: the product in double (exact), then the sum. */
    void addScaled(float s, float[] x, double[] acc, int m);

    /**
     * The units o < m active ({@code > 0}; NaN is not) in exactly one of {@code before} and
     * {@code after}, in increasing order, into {@code out}; returns how many.
     */
    int switches(float[] before, float[] after, int m, int[] out);

    /**
     * The masked rows {@code dst[r][o] = mask[r][o] > 0 ? g[r] * v[o] : 0} (NaN masks as 0) and,
     * in the same pass, the first sums of {@link #columnSums} over those rows,
     * {@code sx[o] = sum over r of mask[r][o] * g[r]}, rows r in [r0, r1) in order, from zero (each
     * product rounded, then added), o < m.
     */
    void scaledRowsAndSums(float[] g, float[] v, float[][] mask, float[][] dst, int r0, int r1, int m, float[] sx);

    /** {@code dst[o] = (float) src[o]}, o < m. */
    void toFloats(double[] src, float[] dst, int m);

    /** "vector" or "plain". */
    String name();

    static NetKernel plain() {
        return new PlainNetKernel();
    }

    /** The vector kernel when {@link RowGemm#best()} is the vector one, else the plain one. */
    static NetKernel best() {
        return forGemm(RowGemm.best());
    }

    /** The kernel matching {@code gemm} (vector with vector, so that both give the same numbers). */
    static NetKernel forGemm(RowGemm gemm) {
        if ("vector".equals(gemm.name())) {
            try {
                return (NetKernel) Class.forName("org.flows4j.kernels.VectorNetKernel").getDeclaredConstructor()
                        .newInstance();
            } catch (ReflectiveOperationException | LinkageError e) {
                return plain();
            }
        }
        return plain();
    }
}
