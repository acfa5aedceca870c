package org.flows4j.snf;

/**
 * A free-energy profile along one coordinate: F = -log h, h the (optionally importance-weighted)
 * normalised histogram of that coordinate, with bins of equal width. Empty bins have F = +inf.
 */
public record FreeEnergyProfile(double[] centers, double[] energies, double lo, double hi) {
    /**
     * Histogram over [lo, hi] with {@code bins} bins, values outside ignored and a value equal to
     * hi in the last bin (as numpy.histogram does). {@code logWeights} null for unweighted.
     */
    public static FreeEnergyProfile of(double[] values, double[] logWeights, int bins, double lo, double hi) {
        if (bins < 1) {
            throw new IllegalArgumentException("bins must be >= 1, got " + bins);
        }
        if (!(hi > lo)) {
            throw new IllegalArgumentException("histogram range must have hi > lo, got [" + lo + ", " + hi + "]");
        }
        if (logWeights != null && logWeights.length != values.length) {
            throw new IllegalArgumentException(logWeights.length + " weights for " + values.length + " values");
        }
        return build(values, logWeights == null ? null : ImportanceWeights.normalized(logWeights), bins, lo, hi);
    }

    /**
     * As {@link #of} with plain (non-negative, finite) weights instead of log weights: a bin whose
     * samples all have weight 0 is empty.
     */
    public static FreeEnergyProfile ofWeights(double[] values, double[] weights, int bins, double lo, double hi) {
        if (bins < 1) {
            throw new IllegalArgumentException("bins must be >= 1, got " + bins);
        }
        if (!(hi > lo)) {
            throw new IllegalArgumentException("histogram range must have hi > lo, got [" + lo + ", " + hi + "]");
        }
        if (weights.length != values.length) {
            throw new IllegalArgumentException(weights.length + " weights for " + values.length + " values");
        }
        for (double v : weights) {
            if (!(v >= 0) || !Double.isFinite(v)) {
                throw new IllegalArgumentException("weights must be finite and >= 0, got " + v);
            }
        }
        return build(values, weights, bins, lo, hi);
    }

    private static FreeEnergyProfile build(double[] values, double[] w, int bins, double lo, double hi) {
        double[] h = new double[bins];
        double width = (hi - lo) / bins;
        double total = 0;
        for (int i = 0; i < values.length; i++) {
            double v = values[i];
            if (!(v >= lo && v <= hi)) {
                continue;
            }
            int b = v == hi ? bins - 1 : (int) ((v - lo) / width);
            b = Math.min(bins - 1, Math.max(0, b));
            double wi = w == null ? 1.0 : w[i];
            h[b] += wi;
            total += wi;
        }
        double[] centers = new double[bins];
        double[] f = new double[bins];
        for (int b = 0; b < bins; b++) {
            centers[b] = lo + (b + 0.5) * width;
            f[b] = -Math.log(h[b] / (total * width));
        }
        return new FreeEnergyProfile(centers, f, lo, hi);
    }

    /** As numpy.histogram with an automatic range: [min, max] of the finite values. */
    public static FreeEnergyProfile auto(double[] values, double[] logWeights, int bins) {
        double[] r = autoRange(values);
        return of(values, logWeights, bins, r[0], r[1]);
    }

    /** {@link #ofWeights} over the automatic range of {@link #auto}. */
    public static FreeEnergyProfile autoWeights(double[] values, double[] weights, int bins) {
        double[] r = autoRange(values);
        return ofWeights(values, weights, bins, r[0], r[1]);
    }

    private static double[] autoRange(double[] values) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            if (Double.isFinite(v)) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        if (!(hi > lo)) {
            lo -= 0.5;
            hi += 0.5;
        }
        return new double[] {lo, hi};
    }

    /** This profile shifted so that the mean of its finite entries is zero. */
    public FreeEnergyProfile centered() {
        double s = 0;
        int n = 0;
        for (double v : energies) {
            if (Double.isFinite(v)) {
                s += v;
                n++;
            }
        }
        double m = n == 0 ? 0 : s / n;
        double[] f = energies.clone();
        for (int i = 0; i < f.length; i++) {
            f[i] -= m;
        }
        return new FreeEnergyProfile(centers.clone(), f, lo, hi);
    }
}
