package org.flows4j.snf;

import org.flows4j.kernels.SplineScalar;
import org.flows4j.transforms.RationalQuadraticSpline;

/**
 * One coordinate of a {@link RationalQuadraticSpline} on plain numbers, in double precision: the
 * map in either direction with its log-derivative, and the backward pass (gradients with respect
 * to the input and to the 3K - 1 raw parameters), written out by hand for the fused training step.
 *
 * <p>Parameterisation as the tensor version: knots from softmax bin sizes with minimum width and
 * height (the cumulative sums divided by their total, ends exactly -B and B), interior
 * derivatives minDerivative + softplus(u + c) with softplus(c) = 1 - minDerivative, boundary
 * derivatives 1, identity outside [-B, B].
 *
 * <p>Gradients: in the forward direction (x to y) by the chain rule through
 * theta = (x - x_k) / w_k and delta = h_k / w_k; in the inverse direction by implicit
 * differentiation of f(x; p) = y (dx/dy = 1 / f', dx/dp = -f_p / f'), which is the derivative of
 * the quadratic's root the tensor version differentiates. Raw parameters get theirs through the
 * cumulative sums and the softmax. Not thread-safe (scratch arrays); one per thread.
 */
final class SplineMath {
    private final int k;
    private final double bound;
    private final double minW;
    private final double minH;
    private final double minD;
    private final double shift;
    private final double[] cw;
    private final double[] ch;
    private final double[] pw;
    private final double[] ph;
    private final double[] gs;

    /** The log-derivative of the last {@link #apply} (of the map applied, so negative of the forward's when inverse). */
    double ld;

    SplineMath(RationalQuadraticSpline rq) {
        this.k = rq.bins();
        this.bound = rq.tailBound();
        this.minW = rq.minBinWidth();
        this.minH = rq.minBinHeight();
        this.minD = rq.minDerivative();
        this.shift = Math.log(Math.expm1(1 - minD));
        cw = new double[k + 1];
        ch = new double[k + 1];
        pw = new double[k];
        ph = new double[k];
        gs = new double[k];
    }

    int params() {
        return 3 * k - 1;
    }

    /**
     * The spline's forward map (inverse = false) or its inverse at v, with raw parameters
     * u[base + q * stride] for q < 3K - 1; the log-derivative is left in {@link #ld}.
     */
    double apply(double v, float[] u, int base, int stride, boolean inverse) {
        if (!(v >= -bound && v <= bound)) {
            ld = 0;
            return v;
        }
        knots(u, base, stride, 0, minW, cw, pw);
        knots(u, base, stride, k, minH, ch, ph);
        int bin = bin(v, inverse ? ch : cw);
        double d0 = derivative(u, base, stride, bin);
        double d1 = derivative(u, base, stride, bin + 1);
        double x0 = cw[bin];
        double w = Math.max(cw[bin + 1] - x0, 1e-300);
        double y0 = ch[bin];
        double h = Math.max(ch[bin + 1] - y0, 1e-300);
        double delta = h / w;
        double s = d0 + d1 - 2 * delta;
        double theta;
        double out;
        if (!inverse) {
            theta = Math.min(1, Math.max(0, (v - x0) / w));
            double t1m = theta * (1 - theta);
            out = y0 + h * (delta * theta * theta + d0 * t1m) / (delta + s * t1m);
        } else {
            theta = SplineScalar.inverseTheta(v - y0, h, delta, s, d0);
            out = theta * w + x0;
        }
        double t1m = theta * (1 - theta);
        double den = delta + s * t1m;
        double num = delta * delta * (d1 * theta * theta + 2 * delta * t1m + d0 * (1 - theta) * (1 - theta));
        double l = Math.log(num) - 2 * Math.log(den);
        ld = inverse ? -l : l;
        return out;
    }

    /** Doubles {@link #save} writes: the knots and bin probabilities of the last {@link #apply}. */
    int savedSize() {
        return 4 * k + 2;
    }

    /** Stores what the last {@link #apply} computed from the parameters (for {@link #backward}). */
    void save(double[] buf, int off) {
        System.arraycopy(cw, 0, buf, off, k + 1);
        System.arraycopy(ch, 0, buf, off + k + 1, k + 1);
        System.arraycopy(pw, 0, buf, off + 2 * k + 2, k);
        System.arraycopy(ph, 0, buf, off + 3 * k + 2, k);
    }

    /** {@link #backward} with the knots and probabilities {@link #save}d by the forward pass at v. */
    double backward(double v, float[] u, int base, int stride, boolean inverse, double gOut, double gLd, float[] g,
            int gBase, int gStride, double[] saved, int off) {
        if (!(v >= -bound && v <= bound)) {
            return gOut;
        }
        System.arraycopy(saved, off, cw, 0, k + 1);
        System.arraycopy(saved, off + k + 1, ch, 0, k + 1);
        System.arraycopy(saved, off + 2 * k + 2, pw, 0, k);
        System.arraycopy(saved, off + 3 * k + 2, ph, 0, k);
        return backwardFromKnots(v, u, base, stride, inverse, gOut, gLd, g, gBase, gStride);
    }

    /**
     * Backward pass at v (the same input as {@link #apply}) given the gradients of the output and
     * of the log-derivative: adds the raw parameters' gradients to g[gBase + q * gStride] and
     * returns the input's.
     */
    double backward(double v, float[] u, int base, int stride, boolean inverse, double gOut, double gLd, float[] g,
            int gBase, int gStride) {
        if (!(v >= -bound && v <= bound)) {
            return gOut;
        }
        knots(u, base, stride, 0, minW, cw, pw);
        knots(u, base, stride, k, minH, ch, ph);
        return backwardFromKnots(v, u, base, stride, inverse, gOut, gLd, g, gBase, gStride);
    }

    private double backwardFromKnots(double v, float[] u, int base, int stride, boolean inverse, double gOut,
            double gLd, float[] g, int gBase, int gStride) {
        int bin = bin(v, inverse ? ch : cw);
        double d0 = derivative(u, base, stride, bin);
        double d1 = derivative(u, base, stride, bin + 1);
        double x0 = cw[bin];
        double w = Math.max(cw[bin + 1] - x0, 1e-300);
        double y0 = ch[bin];
        double h = Math.max(ch[bin + 1] - y0, 1e-300);
        double delta = h / w;
        double s = d0 + d1 - 2 * delta;
        double theta;
        boolean clamped;
        if (!inverse) {
            double raw = (v - x0) / w;
            theta = Math.min(1, Math.max(0, raw));
            clamped = raw != theta;
        } else {
            theta = SplineScalar.inverseTheta(v - y0, h, delta, s, d0);
            clamped = false;
        }
        double om = 1 - theta;
        double tau = theta * om;
        double tauT = 1 - 2 * theta;
        // y = y0 + h P / D and L = log(delta^2 M) - 2 log D as functions of theta, delta, h, d0, d1
        double p = delta * theta * theta + d0 * tau;
        double den = delta + s * tau;
        double m = d1 * theta * theta + 2 * delta * tau + d0 * om * om;
        double pT = 2 * delta * theta + d0 * tauT;
        double pDelta = theta * theta;
        double pD0 = tau;
        double dT = s * tauT;
        double dDelta = 1 - 2 * tau;
        double dD0 = tau;
        double dD1 = tau;
        double den2 = den * den;
        double yT = h * (pT * den - p * dT) / den2;
        double yDelta = h * (pDelta * den - p * dDelta) / den2;
        double yH = p / den;
        double yD0 = h * (pD0 * den - p * dD0) / den2;
        double yD1 = h * (-p * dD1) / den2;
        double mT = 2 * d1 * theta + 2 * delta * tauT - 2 * d0 * om;
        double lT = mT / m - 2 * dT / den;
        double lDelta = 2 / delta + 2 * tau / m - 2 * dDelta / den;
        double lD0 = om * om / m - 2 * dD0 / den;
        double lD1 = theta * theta / m - 2 * dD1 / den;
        if (clamped) {
            yT = 0;
            lT = 0;
        }
        // partials with respect to x, x0, x1, y0, y1, d0, d1 (theta = (x - x0)/w, delta = h/w)
        double yX = yT / w;
        double yX0 = yT * (theta - 1) / w + yDelta * delta / w;
        double yX1 = -yT * theta / w - yDelta * delta / w;
        double yY0 = 1 - yDelta / w - yH;
        double yY1 = yDelta / w + yH;
        double lX = lT / w;
        double lX0 = lT * (theta - 1) / w + lDelta * delta / w;
        double lX1 = -lT * theta / w - lDelta * delta / w;
        double lY0 = -lDelta / w;
        double lY1 = lDelta / w;
        double gV;
        double gX0;
        double gX1;
        double gY0;
        double gY1;
        double gD0;
        double gD1;
        if (!inverse) {
            gV = gOut * yX + gLd * lX;
            gX0 = gOut * yX0 + gLd * lX0;
            gX1 = gOut * yX1 + gLd * lX1;
            gY0 = gOut * yY0 + gLd * lY0;
            gY1 = gOut * yY1 + gLd * lY1;
            gD0 = gOut * yD0 + gLd * lD0;
            gD1 = gOut * yD1 + gLd * lD1;
        } else {
            // x = f^-1(v; p), output log-derivative -L(x; p)
            double fx = yX;
            double xY = 1 / fx;
            gV = gOut * xY - gLd * lX * xY;
            double lXoverFx = lX * xY;
            // dx/dp = -f_p / f'; the output log-derivative's total derivative is -(L_p + L_x dx/dp)
            double c = -(gOut * xY - gLd * lXoverFx);
            gX0 = c * yX0 - gLd * lX0;
            gX1 = c * yX1 - gLd * lX1;
            gY0 = c * yY0 - gLd * lY0;
            gY1 = c * yY1 - gLd * lY1;
            gD0 = c * yD0 - gLd * lD0;
            gD1 = c * yD1 - gLd * lD1;
        }
        knotsBackward(bin, gX0, gX1, pw, 0, g, gBase, gStride);
        knotsBackward(bin, gY0, gY1, ph, k, g, gBase, gStride);
        derivativeBackward(u, base, stride, bin, gD0, g, gBase, gStride);
        derivativeBackward(u, base, stride, bin + 1, gD1, g, gBase, gStride);
        return gV;
    }

    private int bin(double v, double[] cum) {
        int bin = 0;
        for (int q = 1; q < k; q++) {
            if (v >= cum[q]) {
                bin++;
            }
        }
        return bin;
    }

    private double derivative(float[] u, int base, int stride, int knot) {
        if (knot == 0 || knot == k) {
            return 1;
        }
        return minD + SplineScalar.softplus(u[base + (2 * k + knot - 1) * stride] + shift);
    }

    private void derivativeBackward(float[] u, int base, int stride, int knot, double gd, float[] g, int gBase,
            int gStride) {
        if (knot == 0 || knot == k) {
            return;
        }
        double z = u[base + (2 * k + knot - 1) * stride] + shift;
        double sig = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
        g[gBase + (2 * k + knot - 1) * gStride] += (float) (gd * sig);
    }

    /** Knots -B..B from raw sizes at u[base + (offset + q) * stride]; softmax probabilities into prob. */
    private void knots(float[] u, int base, int stride, int offset, double min, double[] out, double[] prob) {
        double max = Double.NEGATIVE_INFINITY;
        for (int q = 0; q < k; q++) {
            max = Math.max(max, u[base + (offset + q) * stride]);
        }
        double z = 0;
        for (int q = 0; q < k; q++) {
            double e = Math.exp(u[base + (offset + q) * stride] - max);
            prob[q] = e;
            z += e;
        }
        double inv = 1 / z;
        double scale = 1 - min * k;
        double acc = 0;
        out[0] = 0;
        for (int q = 0; q < k; q++) {
            prob[q] *= inv;
            acc += prob[q] * scale + min;
            out[q + 1] = acc;
        }
        double f = 2 * bound / acc;
        for (int q = 0; q < k; q++) {
            out[q] = out[q] * f - bound;
        }
        out[k] = bound;
    }

    /**
     * Gradients of knots {@code bin} and {@code bin + 1} (the ends -B and B are constants) back to
     * the raw sizes: knot q is -B + 2B (sum of sizes below q) / total, and a size is
     * min + (1 - K min) softmax(u).
     */
    private void knotsBackward(int bin, double g0, double g1, double[] prob, int offset, float[] g, int gBase,
            int gStride) {
        double a0 = bin == 0 ? 0 : g0;
        double a1 = bin + 1 == k ? 0 : g1;
        if (a0 == 0 && a1 == 0) {
            return;
        }
        double f = 2 * bound;
        double dot = 0;
        for (int r = 0; r < k; r++) {
            // knot q depends on sizes r < q
            double gsr = (r < bin ? a0 : 0) + (r < bin + 1 ? a1 : 0);
            gs[r] = f * gsr;
            dot += prob[r] * gs[r];
        }
        double scale = 1 - (offset == 0 ? minW : minH) * k;
        for (int r = 0; r < k; r++) {
            g[gBase + (offset + r) * gStride] += (float) (scale * prob[r] * (gs[r] - dot));
        }
    }
}
