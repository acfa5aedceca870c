package org.flows4j.kernels;

/**
 * Rational-quadratic splines (Neural Spline Flows, as {@code RationalQuadraticSpline}: K bins on
 * [-B, B], knots from softmax bin sizes with minimum width and height, interior derivatives
 * minDerivative + softplus(u + c) with softplus(c) = 1 - minDerivative, boundary derivatives 1,
 * identity outside [-B, B]) evaluated for many one-dimensional inputs at once, without gradients,
 * in double precision.
 *
 * <p>Layout: element i has input v[i] and raw parameter q (q < 3K - 1: K widths, K heights, K - 1
 * interior derivatives) at u[q * stride + i]; the map (forward, or its inverse) goes to y[i] and
 * the log-derivative of the map applied to ld[i].
 */
public interface SplineKernel {
    void apply(int bins, double bound, double minWidth, double minHeight, double minDerivative, boolean inverse,
            double[] v, double[] u, int stride, int m, double[] y, double[] ld);

    /** A short name for reports: "vector" or "plain". */
    String name();

    static SplineKernel plain() {
        return new PlainSplineKernel();
    }

    /** The JDK Vector API version when the incubator module is present, else the plain one. */
    static SplineKernel best() {
        if (!"false".equalsIgnoreCase(System.getProperty("flows4j.vector"))
                && ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            try {
                return (SplineKernel) Class.forName("org.flows4j.kernels.VectorSplineKernel").getDeclaredConstructor()
                        .newInstance();
            } catch (ReflectiveOperationException | LinkageError e) {
                return plain();
            }
        }
        return plain();
    }
}
