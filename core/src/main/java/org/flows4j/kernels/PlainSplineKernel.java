package org.flows4j.kernels;

/** {@link SplineKernel} one element at a time. */
final class PlainSplineKernel implements SplineKernel {
    @Override
    public String name() {
        return "plain";
    }

    @Override
    public void apply(int k, double bound, double minW, double minH, double minD, boolean inverse, double[] v,
            double[] u, int stride, int m, double[] y, double[] ld) {
        applyRange(k, bound, minW, minH, minD, inverse, v, u, stride, 0, m, y, ld);
    }

    /** Elements [from, to). */
    static void applyRange(int k, double bound, double minW, double minH, double minD, boolean inverse, double[] v,
            double[] u, int stride, int from, int to, double[] y, double[] ld) {
        double shift = Math.log(Math.expm1(1 - minD));
        double[] cw = new double[k + 1];
        double[] ch = new double[k + 1];
        for (int i = from; i < to; i++) {
            double x = v[i];
            if (!(x >= -bound && x <= bound)) {
                y[i] = x;
                ld[i] = 0;
                continue;
            }
            SplineScalar.knots(u, i, stride, 0, k, minW, bound, cw);
            SplineScalar.knots(u, i, stride, k, k, minH, bound, ch);
            double[] cum = inverse ? ch : cw;
            int bin = 0;
            for (int q = 1; q < k; q++) {
                if (x >= cum[q]) {
                    bin++;
                }
            }
            double d0 = bin == 0 ? 1 : minD + SplineScalar.softplus(u[(2 * k + bin - 1) * stride + i] + shift);
            double d1 = bin + 1 == k ? 1 : minD + SplineScalar.softplus(u[(2 * k + bin) * stride + i] + shift);
            double x0 = cw[bin];
            double w = Math.max(cw[bin + 1] - x0, 1e-300);
            double y0 = ch[bin];
            double h = Math.max(ch[bin + 1] - y0, 1e-300);
            double delta = h / w;
            double s = d0 + d1 - 2 * delta;
            double theta;
            if (!inverse) {
                theta = Math.min(1, Math.max(0, (x - x0) / w));
                double t1m = theta * (1 - theta);
                y[i] = y0 + h * (delta * theta * theta + d0 * t1m) / (delta + s * t1m);
            } else {
                theta = SplineScalar.inverseTheta(x - y0, h, delta, s, d0);
                y[i] = theta * w + x0;
            }
            double t1m = theta * (1 - theta);
            double den = delta + s * t1m;
            double num = delta * delta * (d1 * theta * theta + 2 * delta * t1m + d0 * (1 - theta) * (1 - theta));
            double l = Math.log(num / (den * den));
            ld[i] = inverse ? -l : l;
        }
    }
}
