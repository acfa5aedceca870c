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
            knots(u, i, stride, 0, k, minW, bound, cw);
            knots(u, i, stride, k, k, minH, bound, ch);
            double[] cum = inverse ? ch : cw;
            int bin = 0;
            for (int q = 1; q < k; q++) {
                if (x >= cum[q]) {
                    bin++;
                }
            }
            double d0 = bin == 0 ? 1 : minD + softplus(u[(2 * k + bin - 1) * stride + i] + shift);
            double d1 = bin + 1 == k ? 1 : minD + softplus(u[(2 * k + bin) * stride + i] + shift);
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
                double dy = x - y0;
                double a = dy * s + h * (delta - d0);
                double bb = h * d0 - dy * s;
                double c = -delta * dy;
                double disc = Math.max(bb * bb - 4 * a * c, 1e-300);
                double sq = Math.sqrt(disc);
                double root = bb < 0 ? (-bb + sq) / Math.max(2 * a, 1e-300) : 2 * c / (-bb - sq);
                theta = Math.min(1, Math.max(0, root));
                y[i] = theta * w + x0;
            }
            double t1m = theta * (1 - theta);
            double den = delta + s * t1m;
            double num = delta * delta * (d1 * theta * theta + 2 * delta * t1m + d0 * (1 - theta) * (1 - theta));
            double l = Math.log(num / (den * den));
            ld[i] = inverse ? -l : l;
        }
    }

    private static void knots(double[] u, int i, int stride, int offset, int k, double min, double bound, double[] out) {
        double max = Double.NEGATIVE_INFINITY;
        for (int q = 0; q < k; q++) {
            max = Math.max(max, u[(offset + q) * stride + i]);
        }
        double z = 0;
        for (int q = 0; q < k; q++) {
            double e = Math.exp(u[(offset + q) * stride + i] - max);
            out[q + 1] = e;
            z += e;
        }
        double c = (1 - min * k) / z;
        double acc = 0;
        out[0] = 0;
        for (int q = 1; q <= k; q++) {
            acc += out[q] * c + min;
            out[q] = acc;
        }
        double f = 2 * bound / acc;
        for (int q = 0; q < k; q++) {
            out[q] = out[q] * f - bound;
        }
        out[k] = bound;
    }

    private static double softplus(double v) {
        // log(1 + e) with the intrinsic log (log1p is not intrinsified): absolute error ~1e-16,
        // immaterial next to the minimum derivative added to it
        return Math.max(v, 0) + Math.log(1 + Math.exp(-Math.abs(v)));
    }
}
