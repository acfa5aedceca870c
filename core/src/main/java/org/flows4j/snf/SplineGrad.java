package org.flows4j.snf;

import org.flows4j.kernels.SplineScalar;
import org.flows4j.transforms.RationalQuadraticSpline;

/**
 * One coordinate of a {@link RationalQuadraticSpline} on plain numbers, with the hand-derived
 * gradient of its inverse: the same parameterisation as the tensor version (softmax bin sizes
 * with minimum width and height, knots from -B to B, softplus interior derivatives shifted so that
 * zero gives 1, boundary derivatives 1, identity outside [-B, B]). Raw parameters are read from
 * float rows at {@code start + q * stride}: K widths, K heights, K - 1 derivatives.
 *
 * <p>The inverse's gradient uses implicit differentiation of g(theta; phi) = y, g being the
 * forward map of the bin with knots phi = (x0, w, y0, h, d0, d1): dtheta = -(dg/dphi) / (dg/dtheta),
 * which is exact for the solved root. Not thread-safe (scratch arrays); one per thread.
 */
final class SplineGrad {
    private final int k;
    private final double bound;
    private final double minW;
    private final double minH;
    private final double minD;
    private final double shift;
    final double[] pw;
    final double[] ph;
    final double[] cw;
    final double[] ch;
    /** Gradients of the raw parameters of the last {@link #inverseBackward} (K, K and K - 1 entries). */
    final double[] gw;
    final double[] gh;
    final double[] gd;
    /** Outputs of the last map: value, log|derivative| of the map applied, and dL/dinput of the last backward. */
    double out;
    double logDet;
    double gIn;

    SplineGrad(RationalQuadraticSpline rq) {
        k = rq.bins();
        bound = rq.tailBound();
        minW = rq.minBinWidth();
        minH = rq.minBinHeight();
        minD = rq.minDerivative();
        shift = Math.log(Math.expm1(1 - minD));
        pw = new double[k];
        ph = new double[k];
        cw = new double[k + 1];
        ch = new double[k + 1];
        gw = new double[k];
        gh = new double[k];
        gd = new double[k - 1];
    }

    int bins() {
        return k;
    }

    private void knots(float[] row, int start, int stride, double min, double[] p, double[] cum) {
        double max = Double.NEGATIVE_INFINITY;
        for (int q = 0; q < k; q++) {
            max = Math.max(max, row[start + q * stride]);
        }
        double z = 0;
        for (int q = 0; q < k; q++) {
            double e = Math.exp(row[start + q * stride] - max);
            p[q] = e;
            z += e;
        }
        double scale = 1 - min * k;
        double acc = 0;
        cum[0] = 0;
        for (int q = 0; q < k; q++) {
            p[q] /= z;
            acc += p[q] * scale + min;
            cum[q + 1] = acc;
        }
        double f = 2 * bound / acc;
        for (int q = 0; q < k; q++) {
            cum[q] = cum[q] * f - bound;
        }
        cum[k] = bound;
    }

    private static double sigmoid(double v) {
        return 1 / (1 + Math.exp(-v));
    }

    /** Derivative q (boundary ones are 1) without computing the others. */
    private double derivative(float[] dRow, int dStart, int stride, int q) {
        if (q == 0 || q == k) {
            return 1;
        }
        return minD + SplineScalar.softplus(dRow[dStart + (q - 1) * stride] + shift);
    }

    private static int bin(double v, double[] cum, int k) {
        int b = 0;
        for (int q = 1; q < k; q++) {
            if (v >= cum[q]) {
                b++;
            }
        }
        return b;
    }

    /** The forward map (sampling direction) of v: sets {@link #out} and {@link #logDet}. */
    void forward(double v, float[] wRow, int wStart, float[] hRow, int hStart, float[] dRow, int dStart, int stride) {
        if (!(v >= -bound && v <= bound)) {
            out = v;
            logDet = 0;
            return;
        }
        // only the two derivatives of the bin are needed
        knots(wRow, wStart, stride, minW, pw, cw);
        knots(hRow, hStart, stride, minH, ph, ch);
        int b = bin(v, cw, k);
        double x0 = cw[b];
        double w = Math.max(cw[b + 1] - x0, 1e-300);
        double y0 = ch[b];
        double h = Math.max(ch[b + 1] - y0, 1e-300);
        double d0 = derivative(dRow, dStart, stride, b);
        double d1 = derivative(dRow, dStart, stride, b + 1);
        double delta = h / w;
        double s = d0 + d1 - 2 * delta;
        double theta = Math.min(1, Math.max(0, (v - x0) / w));
        double t = theta * (1 - theta);
        double den = delta + s * t;
        out = y0 + h * (delta * theta * theta + d0 * t) / den;
        double m = d1 * theta * theta + 2 * delta * t + d0 * (1 - theta) * (1 - theta);
        logDet = Math.log(delta * delta * m) - 2 * Math.log(den);
    }

    /** State of the last {@link #inverse}: whether inside the bound, the bin and its knots, the raw derivatives. */
    private boolean inside;
    private int bin;
    private double theta;
    private double x0;
    private double w;
    private double y0;
    private double h;
    private double d0;
    private double d1;
    private double rawD0;
    private double rawD1;

    /** Doubles {@link #save} writes. */
    int stateSize() {
        return 11 + 2 * k;
    }

    /** Saves the state of the last {@link #inverse}, so that {@link #backward} can run later. */
    void save(double[] buf, int off) {
        buf[off] = inside ? 1 : 0;
        buf[off + 1] = bin;
        buf[off + 2] = theta;
        buf[off + 3] = x0;
        buf[off + 4] = w;
        buf[off + 5] = y0;
        buf[off + 6] = h;
        buf[off + 7] = d0;
        buf[off + 8] = d1;
        buf[off + 9] = rawD0;
        buf[off + 10] = rawD1;
        System.arraycopy(pw, 0, buf, off + 11, k);
        System.arraycopy(ph, 0, buf, off + 11 + k, k);
    }

    void restore(double[] buf, int off) {
        inside = buf[off] != 0;
        bin = (int) buf[off + 1];
        theta = buf[off + 2];
        x0 = buf[off + 3];
        w = buf[off + 4];
        y0 = buf[off + 5];
        h = buf[off + 6];
        d0 = buf[off + 7];
        d1 = buf[off + 8];
        rawD0 = buf[off + 9];
        rawD1 = buf[off + 10];
        System.arraycopy(buf, off + 11, pw, 0, k);
        System.arraycopy(buf, off + 11 + k, ph, 0, k);
    }

    /** The inverse map (data to latent) of v: sets {@link #out} and {@link #logDet} (of the inverse). */
    void inverse(double v, float[] wRow, int wStart, float[] hRow, int hStart, float[] dRow, int dStart, int stride) {
        if (!(v >= -bound && v <= bound)) {
            inside = false;
            out = v;
            logDet = 0;
            return;
        }
        inside = true;
        knots(wRow, wStart, stride, minW, pw, cw);
        knots(hRow, hStart, stride, minH, ph, ch);
        int b = bin(v, ch, k);
        bin = b;
        x0 = cw[b];
        w = Math.max(cw[b + 1] - x0, 1e-300);
        y0 = ch[b];
        h = Math.max(ch[b + 1] - y0, 1e-300);
        d0 = derivative(dRow, dStart, stride, b);
        d1 = derivative(dRow, dStart, stride, b + 1);
        rawD0 = b >= 1 ? dRow[dStart + (b - 1) * stride] : 0;
        rawD1 = b + 1 <= k - 1 ? dRow[dStart + b * stride] : 0;
        double delta = h / w;
        double s = d0 + d1 - 2 * delta;
        theta = SplineScalar.inverseTheta(v - y0, h, delta, s, d0);
        double t = theta * (1 - theta);
        double den = delta + s * t;
        double m = d1 * theta * theta + 2 * delta * t + d0 * (1 - theta) * (1 - theta);
        out = x0 + w * theta;
        logDet = 2 * Math.log(den) - Math.log(delta * delta * m);
    }

    /**
     * The inverse map of v and its gradient: given gOut = dL/d(output) and gLogDet = dL/d(log-det),
     * sets {@link #gIn} and the raw-parameter gradients {@link #gw}, {@link #gh}, {@link #gd}
     * (all zero outside the tail bound).
     */
    void inverseBackward(double v, float[] wRow, int wStart, float[] hRow, int hStart, float[] dRow, int dStart,
            int stride, double gOut, double gLogDet) {
        inverse(v, wRow, wStart, hRow, hStart, dRow, dStart, stride);
        backward(gOut, gLogDet);
    }

    /** The gradient of the last {@link #inverse} (or restored state); see {@link #inverseBackward}. */
    void backward(double gx, double gl) {
        if (!inside) {
            gIn = gx;
            java.util.Arrays.fill(gw, 0);
            java.util.Arrays.fill(gh, 0);
            java.util.Arrays.fill(gd, 0);
            return;
        }
        int b = bin;
        double delta = h / w;
        double s = d0 + d1 - 2 * delta;
        double t = theta * (1 - theta);
        double den = delta + s * t;
        double m = d1 * theta * theta + 2 * delta * t + d0 * (1 - theta) * (1 - theta);
        double n = delta * theta * theta + d0 * t;
        double den2 = den * den;
        double r = n / den;
        double oneM2t = 1 - 2 * t;
        double dRdDelta = (theta * theta * den - n * oneM2t) / den2;
        double dRdD0 = (t * den - n * t) / den2;
        double dRdD1 = -n * t / den2;
        // dg/dtheta at fixed knots (the spline's slope in theta), and partials of g at fixed theta
        double gTheta = h * delta * m / den2;
        double gH = r + delta * dRdDelta;
        double gW = -delta * delta * dRdDelta;
        double gD0 = h * dRdD0;
        double gD1 = h * dRdD1;
        // partials of log(dg/dtheta) = 2 log h - log w + log m - 2 log den
        double aa = 2 * t / m - 2 * oneM2t / den;
        double lH = 2 / h + aa / w;
        double lW = -1 / w - aa * delta / w;
        double lD0 = (1 - theta) * (1 - theta) / m - 2 * t / den;
        double lD1 = theta * theta / m - 2 * t / den;
        double lTheta = (2 * d1 * theta + 2 * delta * (1 - 2 * theta) - 2 * d0 * (1 - theta)) / m
                - 2 * s * (1 - 2 * theta) / den;
        // implicit theta(y, phi): dtheta/dphi = -g_phi / g_theta; out = x0 + w theta;
        // logDet = log w - log g_theta
        gIn = gx * w / gTheta - gl * lTheta / gTheta;
        double tX0 = gx; // dtheta/dx0 = 0
        double dtW = -gW / gTheta;
        double tW = gx * (theta + w * dtW) + gl * (1 / w - lW - lTheta * dtW);
        double dtY0 = -1 / gTheta;
        double tY0 = gx * w * dtY0 + gl * (-lTheta * dtY0);
        double dtH = -gH / gTheta;
        double tH = gx * w * dtH + gl * (-lH - lTheta * dtH);
        double dtD0 = -gD0 / gTheta;
        double tD0 = gx * w * dtD0 + gl * (-lD0 - lTheta * dtD0);
        double dtD1 = -gD1 / gTheta;
        double tD1 = gx * w * dtD1 + gl * (-lD1 - lTheta * dtD1);
        softmaxBackward(pw, b, tX0, tW, minW, gw);
        softmaxBackward(ph, b, tY0, tH, minH, gh);
        java.util.Arrays.fill(gd, 0);
        if (b >= 1) {
            gd[b - 1] += tD0 * sigmoid(rawD0 + shift);
        }
        if (b + 1 <= k - 1) {
            gd[b] += tD1 * sigmoid(rawD1 + shift);
        }
    }

    /**
     * Knot q = -B + 2B sum_{r < q} size_r and bin width 2B size_b, size = min + (1 - min K) softmax(u):
     * from dL/d(left knot of bin b) and dL/d(width of bin b) to dL/du.
     */
    private void softmaxBackward(double[] p, int b, double gLeft, double gWidth, double min, double[] gu) {
        double twoB = 2 * bound;
        double dot = 0;
        for (int r = 0; r < k; r++) {
            double gs = twoB * ((r < b ? gLeft : 0) + (r == b ? gWidth : 0));
            gu[r] = gs;
            dot += p[r] * gs;
        }
        double scale = 1 - min * k;
        for (int r = 0; r < k; r++) {
            gu[r] = scale * p[r] * (gu[r] - dot);
        }
    }
}
