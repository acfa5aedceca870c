package org.flows4j.snf;

import org.flows4j.kernels.SplineScalar;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Tensor;
import org.flows4j.transforms.ElementwiseTransformer;
import org.flows4j.transforms.RationalQuadraticSpline;

/**
 * {@link RationalQuadraticSpline}'s forward and inverse maps on plain arrays, for evaluation
 * without gradients: the same parameterisation (softmax bin sizes with minimum width and height,
 * softplus interior derivatives shifted so that zero gives 1, boundary derivatives 1, identity
 * tails, the stable root of the inverse's quadratic), computed per element in double precision.
 * The tensor version builds a few dozen full-size intermediate tensors per call; this one none.
 */
final class FastSpline {
    private FastSpline() {}

    static ElementwiseTransformer.Output apply(RationalQuadraticSpline rq, Tensor in, Tensor params, boolean inverse) {
        int batch = in.size(0);
        int dim = in.size(1);
        int k = rq.bins();
        int p = 3 * k - 1;
        if (params.rank() != 2 || params.size(0) != batch || params.size(1) != p * dim) {
            throw new IllegalArgumentException("spline parameters must be [" + batch + ", " + (p * dim) + "]");
        }
        double bound = rq.tailBound();
        double minW = rq.minBinWidth();
        double minH = rq.minBinHeight();
        double minD = rq.minDerivative();
        double shift = Math.log(Math.expm1(1 - minD));
        double[] x = in.toDoubleArray();
        double[] u = params.toDoubleArray();
        double[] out = new double[x.length];
        double[] logd = new double[x.length];
        double[] cw = new double[k + 1];
        double[] ch = new double[k + 1];
        double[] d = new double[k + 1];
        int row = p * dim;
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < dim; i++) {
                int e = b * dim + i;
                double v = x[e];
                if (!(v >= -bound && v <= bound)) {
                    out[e] = v;
                    logd[e] = 0;
                    continue;
                }
                int base = b * row + i;
                SplineScalar.knots(u, base, dim, 0, k, minW, bound, cw);
                SplineScalar.knots(u, base, dim, k, k, minH, bound, ch);
                d[0] = 1;
                d[k] = 1;
                for (int q = 1; q < k; q++) {
                    d[q] = minD + SplineScalar.softplus(u[base + (2 * k + q - 1) * dim] + shift);
                }
                double[] cum = inverse ? ch : cw;
                int bin = 0;
                for (int q = 1; q < k; q++) {
                    if (v >= cum[q]) {
                        bin++;
                    }
                }
                double x0 = cw[bin];
                double w = Math.max(cw[bin + 1] - x0, 1e-300);
                double y0 = ch[bin];
                double h = Math.max(ch[bin + 1] - y0, 1e-300);
                double d0 = d[bin];
                double d1 = d[bin + 1];
                double delta = h / w;
                double s = d0 + d1 - 2 * delta;
                double theta;
                if (!inverse) {
                    theta = Math.min(1, Math.max(0, (v - x0) / w));
                    double t1m = theta * (1 - theta);
                    out[e] = y0 + h * (delta * theta * theta + d0 * t1m) / (delta + s * t1m);
                } else {
                    theta = SplineScalar.inverseTheta(v - y0, h, delta, s, d0);
                    out[e] = theta * w + x0;
                }
                double t1m = theta * (1 - theta);
                double den = delta + s * t1m;
                double num = delta * delta * (d1 * theta * theta + 2 * delta * t1m + d0 * (1 - theta) * (1 - theta));
                double ld = Math.log(num) - 2 * Math.log(den);
                logd[e] = inverse ? -ld : ld;
            }
        }
        DType dt = in.dtype();
        return new ElementwiseTransformer.Output(Tensor.of(dt, out, batch, dim), Tensor.of(dt, logd, batch, dim));
    }
}
