package org.flows4j.transforms;

import java.util.Arrays;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Tensor;

/**
 * The monotonic rational-quadratic spline of Neural Spline Flows (Durkan et al. 2019), with linear
 * (identity) tails: on [-B, B] a spline of K bins whose knots go from (-B, -B) to (B, B), outside
 * the identity. Both directions are closed-form; the inverse solves the bin's quadratic with the
 * numerically stable root {@code 2c / (-b - sqrt(b^2 - 4ac))}.
 *
 * <h2>Parameters</h2>
 * {@code 3K - 1} per coordinate, in the chunk layout of {@link ElementwiseTransformer} (parameter p
 * of coordinate i at column {@code p * D + i}): K unnormalised bin widths, K unnormalised bin
 * heights, then K - 1 unnormalised derivatives at the interior knots. Widths (heights) are
 * {@code minBinWidth + (1 - K minBinWidth) softmax(u)} of the interval 2B; interior derivatives are
 * {@code minDerivative + softplus(u + c)} with c chosen so that u = 0 gives derivative 1; the
 * derivatives at -B and B are fixed to 1, matching the identity tails, so the map is C<sup>1</sup>.
 * All-zero parameters give the identity map.
 *
 * <h2>Numerical safety</h2>
 * The spline branch is always evaluated on inputs clamped to [-B, B] and then discarded outside
 * the interval by a {@code where}, so the unused branch is finite and passes exactly zero
 * gradient; the discriminant is clamped at a tiny positive floor, so the inverse never returns
 * NaN (nor a NaN gradient) for finite inputs and parameters. The bin index comes from comparisons
 * with the interior knots (it is piecewise constant, so carries no gradient); every per-bin value is
 * picked with {@code gatherLast}, differentiable with respect to the parameters.
 */
public final class RationalQuadraticSpline implements ElementwiseTransformer {
    public static final int DEFAULT_BINS = 8;
    public static final double DEFAULT_TAIL_BOUND = 3.0;
    public static final double DEFAULT_MIN_BIN_WIDTH = 1e-3;
    public static final double DEFAULT_MIN_BIN_HEIGHT = 1e-3;
    public static final double DEFAULT_MIN_DERIVATIVE = 1e-3;

    private final int bins;
    private final double tailBound;
    private final double minBinWidth;
    private final double minBinHeight;
    private final double minDerivative;
    /** softplus^-1(1 - minDerivative): raw derivative 0 maps to derivative 1. */
    private final double derivativeShift;

    /** K bins on [-B, B] with the default minimum bin width, height and derivative (1e-3 each). */
    public RationalQuadraticSpline(int bins, double tailBound) {
        this(bins, tailBound, DEFAULT_MIN_BIN_WIDTH, DEFAULT_MIN_BIN_HEIGHT, DEFAULT_MIN_DERIVATIVE);
    }

    public RationalQuadraticSpline(int bins, double tailBound, double minBinWidth, double minBinHeight,
            double minDerivative) {
        if (bins < 2) {
            throw new IllegalArgumentException("a spline needs at least 2 bins, got " + bins);
        }
        if (!(tailBound > 0) || !Double.isFinite(tailBound)) {
            throw new IllegalArgumentException("tail bound must be a positive number, got " + tailBound);
        }
        if (!(minBinWidth > 0) || minBinWidth * bins >= 1) {
            throw new IllegalArgumentException("minimum bin width must be in (0, 1/bins), got " + minBinWidth);
        }
        if (!(minBinHeight > 0) || minBinHeight * bins >= 1) {
            throw new IllegalArgumentException("minimum bin height must be in (0, 1/bins), got " + minBinHeight);
        }
        if (!(minDerivative > 0) || minDerivative >= 1) {
            throw new IllegalArgumentException("minimum derivative must be in (0, 1), got " + minDerivative);
        }
        this.bins = bins;
        this.tailBound = tailBound;
        this.minBinWidth = minBinWidth;
        this.minBinHeight = minBinHeight;
        this.minDerivative = minDerivative;
        this.derivativeShift = Math.log(Math.expm1(1 - minDerivative));
    }

    public int bins() {
        return bins;
    }

    public double tailBound() {
        return tailBound;
    }

    public double minBinWidth() {
        return minBinWidth;
    }

    public double minBinHeight() {
        return minBinHeight;
    }

    public double minDerivative() {
        return minDerivative;
    }

    @Override
    public int paramsPerDim() {
        return 3 * bins - 1;
    }

    @Override
    public Output forward(Tensor x, Tensor params) {
        return apply(x, params, false);
    }

    @Override
    public Output inverse(Tensor y, Tensor params) {
        return apply(y, params, true);
    }

    private Output apply(Tensor in, Tensor params, boolean inverse) {
        if (in.rank() != 2) {
            throw new IllegalArgumentException("expected inputs of shape [batch, D], got " + Arrays.toString(in.shape()));
        }
        int batch = in.size(0);
        int dim = in.size(1);
        int p = paramsPerDim();
        if (params.rank() != 2 || params.size(0) != batch || params.size(1) != p * dim) {
            throw new IllegalArgumentException("spline parameters must be [" + batch + ", " + (p * dim) + "] ("
                    + p + " per coordinate), got " + Arrays.toString(params.shape()));
        }
        DType dt = in.dtype();
        int n = batch * dim;
        Tensor u = byCoordinate(params, batch, dim, p); // [n, P]
        Tensor cumW = knots(u.slice(1, 0, bins), minBinWidth, dt);
        Tensor cumH = knots(u.slice(1, bins, 2 * bins), minBinHeight, dt);
        Tensor ones = Tensor.ones(dt, n, 1);
        Tensor inner = u.slice(1, 2 * bins, 3 * bins - 1).add(derivativeShift).softplus().add(minDerivative);
        Tensor deriv = Tensor.concat(1, ones, inner, ones); // [n, K+1]

        Tensor v = in.reshape(n, 1);
        Tensor insideMask = v.lt(-tailBound).add(v.gt(tailBound)).rsub(1.0);
        Tensor vc = v.maximum(Tensor.scalar(-tailBound, dt)).minimum(Tensor.scalar(tailBound, dt));

        int[] bin = binIndex(vc, inverse ? cumH : cumW);
        int[] next = new int[n];
        for (int i = 0; i < n; i++) {
            next[i] = bin[i] + 1;
        }
        Tensor x0 = cumW.gatherLast(bin, 1);
        // a bin is never narrower than the minimum width, unless rounding collapses it: keep it positive
        Tensor tiny = Tensor.scalar(dt == DType.FLOAT32 ? 1e-30 : 1e-200, dt);
        Tensor w = cumW.gatherLast(next, 1).sub(x0).maximum(tiny);
        Tensor y0 = cumH.gatherLast(bin, 1);
        Tensor h = cumH.gatherLast(next, 1).sub(y0).maximum(tiny);
        Tensor d0 = deriv.gatherLast(bin, 1);
        Tensor d1 = deriv.gatherLast(next, 1);
        Tensor delta = h.div(w);
        Tensor s = d0.add(d1).sub(delta.mul(2.0));

        Tensor zero = Tensor.zeros(dt);
        Tensor one = Tensor.ones(dt);
        Tensor out;
        Tensor logDeriv;
        if (!inverse) {
            // theta is in [0, 1] up to rounding; clamping keeps the denominator and derivative positive
            Tensor theta = vc.sub(x0).div(w).maximum(zero).minimum(one);
            Tensor t1m = theta.mul(theta.rsub(1.0));
            Tensor numerator = h.mul(delta.mul(theta.square()).add(d0.mul(t1m)));
            Tensor denominator = delta.add(s.mul(t1m));
            out = y0.add(numerator.div(denominator));
            Tensor dNum = delta.square().mul(
                    d1.mul(theta.square()).add(delta.mul(t1m).mul(2.0)).add(d0.mul(theta.rsub(1.0).square())));
            logDeriv = dNum.log().sub(denominator.log().mul(2.0));
        } else {
            Tensor dy = vc.sub(y0);
            Tensor a = dy.mul(s).add(h.mul(delta.sub(d0)));
            Tensor b = h.mul(d0).sub(dy.mul(s));
            Tensor c = delta.mul(dy).neg();
            Tensor disc = b.square().sub(a.mul(c).mul(4.0))
                    .maximum(tiny);
            // The root in [0, 1] is (-b + sqrt(disc)) / 2a = 2c / (-b - sqrt(disc)). The second form
            // (the usual "stable" one) cancels catastrophically when b < 0, which happens in flat bins
            // followed by a steep knot; there the first form is the stable one. Both denominators are
            // kept away from zero, so the branch a where discards has a finite, zero gradient.
            Tensor sq = disc.sqrt();
            Tensor bNeg = b.lt(0.0);
            Tensor num = Tensor.where(bNeg, b.neg().add(sq), c.mul(2.0));
            Tensor den = Tensor.where(bNeg, a.mul(2.0).maximum(tiny), b.neg().sub(sq));
            Tensor root = num.div(den).maximum(zero).minimum(one);
            out = root.mul(w).add(x0);
            Tensor t1m = root.mul(root.rsub(1.0));
            Tensor denominator = delta.add(s.mul(t1m));
            Tensor dNum = delta.square().mul(
                    d1.mul(root.square()).add(delta.mul(t1m).mul(2.0)).add(d0.mul(root.rsub(1.0).square())));
            logDeriv = denominator.log().mul(2.0).sub(dNum.log());
        }
        Tensor y = Tensor.where(insideMask, out, v).reshape(batch, dim);
        Tensor ld = Tensor.where(insideMask, logDeriv, zero).reshape(batch, dim);
        return new Output(y, ld);
    }

    /**
     * The knots of every coordinate's spline, [batch * D, K + 1] (row b * D + i for coordinate i of
     * row b): x positions, or y positions when {@code heights}. From -B to B, ends exact.
     */
    public Tensor knotPositions(Tensor params, int batch, int dim, boolean heights) {
        Tensor u = byCoordinate(params, batch, dim, paramsPerDim());
        return heights ? knots(u.slice(1, bins, 2 * bins), minBinHeight, params.dtype())
                : knots(u.slice(1, 0, bins), minBinWidth, params.dtype());
    }

    /**
     * Knot positions [n, K+1] from unnormalised sizes [n, K]: -B, ..., B. The cumulative sums are
     * taken one bin at a time and divided by their own total, so in floating point the knots are
     * non-decreasing and the ends are exactly -B and B (a matrix-product cumsum can overshoot the
     * end by a rounding error larger than a minimum-width bin in float32).
     */
    private Tensor knots(Tensor unnormalised, double minSize, DType dt) {
        Tensor sizes = unnormalised.sub(unnormalised.logSumExp(1, true)).exp().mul(1 - minSize * bins).add(minSize);
        int n = sizes.size(0);
        Tensor[] cum = new Tensor[bins + 1];
        cum[0] = Tensor.zeros(dt, n, 1);
        Tensor acc = sizes.slice(1, 0, 1);
        cum[1] = acc;
        for (int k = 1; k < bins; k++) {
            acc = acc.add(sizes.slice(1, k, k + 1));
            cum[k + 1] = acc;
        }
        return Tensor.concat(1, cum).div(acc).mul(2 * tailBound).sub(tailBound);
    }

    /** Number of interior knots at or below each (clamped) input: the bin, in [0, K-1]. */
    private int[] binIndex(Tensor clamped, Tensor cum) {
        double[] counts = clamped.detach().ge(cum.detach().slice(1, 1, bins)).sum(1, false).toDoubleArray();
        int[] bin = new int[counts.length];
        for (int i = 0; i < counts.length; i++) {
            bin[i] = Math.min(bins - 1, Math.max(0, (int) counts[i]));
        }
        return bin;
    }

    /** params [batch, P*D] in chunk layout to [batch*D, P]: row b*D+i holds coordinate i's parameters. */
    static Tensor byCoordinate(Tensor params, int batch, int dim, int p) {
        int row = p * dim;
        int[] index = new int[batch * row];
        for (int i = 0; i < dim; i++) {
            for (int q = 0; q < p; q++) {
                index[i * p + q] = q * dim + i;
            }
        }
        for (int b = 1; b < batch; b++) {
            System.arraycopy(index, 0, index, b * row, row);
        }
        return params.gatherLast(index, row).reshape(batch * dim, p);
    }

    @Override
    public String toString() {
        return "RationalQuadraticSpline(bins=" + bins + ", tailBound=" + tailBound + ", minBinWidth=" + minBinWidth
                + ", minBinHeight=" + minBinHeight + ", minDerivative=" + minDerivative + ")";
    }
}
