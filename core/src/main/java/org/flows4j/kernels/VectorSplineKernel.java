package org.flows4j.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link SplineKernel} on the JDK Vector API: one element per lane (the parameters' layout puts a
 * parameter of consecutive elements side by side), softmax, knots, bin search by comparisons and
 * blends, the rational-quadratic map and its log-derivative with the vectorised exp and log.
 * Loaded only when the incubator module is present.
 */
final class VectorSplineKernel implements SplineKernel {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    @Override
    public String name() {
        return "vector";
    }

    @Override
    public void apply(int k, double bound, double minW, double minH, double minD, boolean inverse, double[] v,
            double[] u, int stride, int m, double[] y, double[] ld) {
        double shift = Math.log(Math.expm1(1 - minD));
        double[] kw = new double[(k + 1) * L];
        double[] kh = new double[(k + 1) * L];
        double[] sel = new double[6 * L];
        int[] map = new int[3 * L];
        int i = 0;
        // phases in separate methods, vectors passed through small arrays: each method stays
        // within the compiler's inlining budget, so every vector operation is intrinsified
        for (; i + L <= m; i += L) {
            knots(u, stride, i, 0, k, minW, bound, kw);
            knots(u, stride, i, k, k, minH, bound, kh);
            search(k, bound, inverse, v, u, stride, i, kw, kh, sel, map);
            finish(k, bound, minD, shift, inverse, v, i, sel, inverse ? kh : kw, y, ld);
        }
        PlainSplineKernel.applyRange(k, bound, minW, minH, minD, inverse, v, u, stride, i, m, y, ld);
    }

    /**
     * The bin of each lane (the number of interior search knots at or below it), then its knots
     * x0, x1, y0, y1 and raw interior derivatives at both ends into sel, gathered by index.
     */
    private static void search(int k, double bound, boolean inverse, double[] v, double[] u, int stride, int i,
            double[] kw, double[] kh, double[] sel, int[] map) {
        DoubleVector xc = DoubleVector.fromArray(S, v, i).max(-bound).min(bound);
        double[] search = inverse ? kh : kw;
        DoubleVector zero = DoubleVector.zero(S);
        DoubleVector one = DoubleVector.broadcast(S, 1.0);
        DoubleVector bin = zero;
        for (int q = 1; q < k; q++) {
            bin = bin.add(zero.blend(one, xc.compare(VectorOperators.GE, DoubleVector.fromArray(S, search, q * L))));
        }
        bin.intoArray(sel, 0);
        // map[0..L): knot index bin * L + lane; map[L..2L): parameter row bin * stride + lane, and
        // map[2L..3L) the same for bin + 1 kept inside the derivative rows
        for (int j = 0; j < L; j++) {
            int b = (int) sel[j];
            map[j] = b * L + j;
            map[L + j] = b * stride + j;
            map[2 * L + j] = Math.min(b, k - 2) * stride + j;
        }
        DoubleVector.fromArray(S, kw, 0, map, 0).intoArray(sel, 0);
        DoubleVector.fromArray(S, kw, L, map, 0).intoArray(sel, L);
        DoubleVector.fromArray(S, kh, 0, map, 0).intoArray(sel, 2 * L);
        DoubleVector.fromArray(S, kh, L, map, 0).intoArray(sel, 3 * L);
        // interior derivative of knot b is row 2K + b - 1 (bin 0 reads a row whose value is unused)
        DoubleVector.fromArray(S, u, (2 * k - 1) * stride + i, map, L).intoArray(sel, 4 * L);
        DoubleVector.fromArray(S, u, 2 * k * stride + i, map, 2 * L).intoArray(sel, 5 * L);
    }

    /** The rational-quadratic map of each lane in its bin (sel), its log-derivative; tails are the identity. */
    private static void finish(int k, double bound, double minD, double shift, boolean inverse, double[] v, int i,
            double[] sel, double[] search, double[] y, double[] ld) {
        DoubleVector x = DoubleVector.fromArray(S, v, i);
        VectorMask<Double> inside = x.abs().compare(VectorOperators.LE, bound); // NaN: outside
        DoubleVector xc = x.max(-bound).min(bound);
        DoubleVector x0 = DoubleVector.fromArray(S, sel, 0);
        DoubleVector x1 = DoubleVector.fromArray(S, sel, L);
        DoubleVector y0 = DoubleVector.fromArray(S, sel, 2 * L);
        DoubleVector y1 = DoubleVector.fromArray(S, sel, 3 * L);
        // boundary knots (first and last bin) have derivative 1
        DoubleVector one = DoubleVector.broadcast(S, 1.0);
        VectorMask<Double> first = xc.compare(VectorOperators.LT, DoubleVector.fromArray(S, search, L));
        VectorMask<Double> last = xc.compare(VectorOperators.GE, DoubleVector.fromArray(S, search, (k - 1) * L));
        DoubleVector d0 = softplus(DoubleVector.fromArray(S, sel, 4 * L).add(shift)).add(minD).blend(one, first);
        DoubleVector d1 = softplus(DoubleVector.fromArray(S, sel, 5 * L).add(shift)).add(minD).blend(one, last);
        DoubleVector w = x1.sub(x0).max(1e-300);
        DoubleVector h = y1.sub(y0).max(1e-300);
        DoubleVector delta = h.div(w);
        DoubleVector s = d0.add(d1).sub(delta.mul(2.0));
        DoubleVector theta;
        DoubleVector out;
        if (!inverse) {
            theta = xc.sub(x0).div(w).max(0.0).min(1.0);
            DoubleVector t1m = theta.mul(theta.neg().add(1.0));
            out = y0.add(h.mul(delta.mul(theta).mul(theta).add(d0.mul(t1m))).div(delta.add(s.mul(t1m))));
        } else {
            DoubleVector dy = xc.sub(y0);
            DoubleVector a = dy.mul(s).add(h.mul(delta.sub(d0)));
            DoubleVector bb = h.mul(d0).sub(dy.mul(s));
            DoubleVector c = delta.neg().mul(dy);
            DoubleVector disc = bb.mul(bb).sub(a.mul(c).mul(4.0)).max(1e-300);
            DoubleVector sq = disc.lanewise(VectorOperators.SQRT);
            DoubleVector rootNeg = bb.neg().add(sq).div(a.mul(2.0).max(1e-300));
            DoubleVector rootPos = c.mul(2.0).div(bb.neg().sub(sq));
            DoubleVector root = rootPos.blend(rootNeg, bb.compare(VectorOperators.LT, 0.0));
            theta = root.max(0.0).min(1.0);
            out = theta.mul(w).add(x0);
        }
        DoubleVector om = theta.neg().add(1.0);
        DoubleVector t1m = theta.mul(om);
        DoubleVector den = delta.add(s.mul(t1m));
        DoubleVector num = delta.mul(delta).mul(d1.mul(theta).mul(theta).add(delta.mul(t1m).mul(2.0))
                .add(d0.mul(om).mul(om)));
        DoubleVector l = num.div(den.mul(den)).lanewise(VectorOperators.LOG);
        if (inverse) {
            l = l.neg();
        }
        x.blend(out, inside).intoArray(y, i);
        DoubleVector.zero(S).blend(l, inside).intoArray(ld, i);
    }

    private static DoubleVector softplus(DoubleVector z) {
        return z.max(0.0).add(z.abs().neg().lanewise(VectorOperators.EXP).lanewise(VectorOperators.LOG1P));
    }

    /** Knots -B..B of the lanes' splines into out[q * L ...], q = 0..K. */
    private static void knots(double[] u, int stride, int i, int offset, int k, double min, double bound, double[] out) {
        DoubleVector max = DoubleVector.fromArray(S, u, offset * stride + i);
        for (int q = 1; q < k; q++) {
            max = max.max(DoubleVector.fromArray(S, u, (offset + q) * stride + i));
        }
        DoubleVector z = DoubleVector.zero(S);
        for (int q = 0; q < k; q++) {
            DoubleVector e = DoubleVector.fromArray(S, u, (offset + q) * stride + i).sub(max)
                    .lanewise(VectorOperators.EXP);
            e.intoArray(out, (q + 1) * L);
            z = z.add(e);
        }
        DoubleVector c = DoubleVector.broadcast(S, 1 - min * k).div(z);
        DoubleVector acc = DoubleVector.zero(S);
        for (int q = 1; q <= k; q++) {
            acc = acc.add(DoubleVector.fromArray(S, out, q * L).mul(c).add(min));
            acc.intoArray(out, q * L);
        }
        DoubleVector f = DoubleVector.broadcast(S, 2 * bound).div(acc);
        for (int q = 1; q < k; q++) {
            DoubleVector.fromArray(S, out, q * L).mul(f).sub(bound).intoArray(out, q * L);
        }
        DoubleVector.broadcast(S, -bound).intoArray(out, 0);
        DoubleVector.broadcast(S, bound).intoArray(out, k * L);
    }
}
