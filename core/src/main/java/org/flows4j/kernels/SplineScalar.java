package org.flows4j.kernels;

/**
 * Scalar pieces of the rational-quadratic spline that the plain {@link SplineKernel} and the SNF
 * spline code ({@code org.flows4j.snf.FastSpline}, {@code SplineMath}, {@code SplineGrad}) share
 * letter for letter, kept in one place so that they keep giving bit-identical results.
 */
public final class SplineScalar {
    private SplineScalar() {}

    /**
     * log(1 + e^v) with the intrinsic log (log1p is not intrinsified): absolute error ~1e-16,
     * immaterial next to the minimum derivative added to it.
     */
    public static double softplus(double v) {
        return Math.max(v, 0) + Math.log(1 + Math.exp(-Math.abs(v)));
    }

    /**
     * The inverse's position theta in [0, 1] within a bin (height h, slope ratio delta = h / w,
     * s = d0 + d1 - 2 delta) of the point dy above the bin's lower knot: the stable root of the
     * quadratic, clamped to [0, 1].
     */
    public static double inverseTheta(double dy, double h, double delta, double s, double d0) {
        double a = dy * s + h * (delta - d0);
        double bb = h * d0 - dy * s;
        double c = -delta * dy;
        double disc = Math.max(bb * bb - 4 * a * c, 1e-300);
        double sq = Math.sqrt(disc);
        double root = bb < 0 ? (-bb + sq) / Math.max(2 * a, 1e-300) : 2 * c / (-bb - sq);
        return Math.min(1, Math.max(0, root));
    }

    /**
     * Knots -B..B into out[0..k] from the k unnormalised sizes u[base + (offset + q) * stride]:
     * softmax with minimum size {@code min}, cumulative sums divided by their total.
     */
    public static void knots(double[] u, int base, int stride, int offset, int k, double min, double bound,
            double[] out) {
        double max = Double.NEGATIVE_INFINITY;
        for (int q = 0; q < k; q++) {
            max = Math.max(max, u[base + (offset + q) * stride]);
        }
        double z = 0;
        for (int q = 0; q < k; q++) {
            double e = Math.exp(u[base + (offset + q) * stride] - max);
            out[q + 1] = e;
            z += e;
        }
        double scale = (1 - min * k) / z;
        double acc = 0;
        out[0] = 0;
        for (int q = 1; q <= k; q++) {
            acc += out[q] * scale + min;
            out[q] = acc;
        }
        double f = 2 * bound / acc;
        for (int q = 0; q < k; q++) {
            out[q] = out[q] * f - bound;
        }
        out[k] = bound;
    }
}
