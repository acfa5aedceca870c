package org.flows4j.data;

import java.util.SplittableRandom;

/**
 * A Monte Carlo estimate of the differential entropy of the true two-moons density, i.e. the
 * lowest NLL any model can reach on {@link Moons} data, following
 * {@code shared/reference/moons/moons_entropy.py}.
 *
 * <p>The density is that of {@code c(t) + noise * N(0, I)} with {@code t ~ U(0, pi)} and the arc
 * ({@code c(t) = (cos t, sin t)} or {@code (1 - cos t, 1 - sin t - 0.5)}) chosen with probability
 * 1/2. Its log-density is approximated as in the script: the log of the mean of the Gaussian
 * kernel over {@value #QUADRATURE} midpoint quadrature points per arc (8000 in all). The
 * standardised value subtracts {@code sum(log std)} of {@code make_moons(2000, noise, 0)}
 * (ddof = 1), the scaling the training runs apply.
 *
 * <p>Speed: for a given point only quadrature points within about 8.5 sigma (in kernel
 * exponent, 36 nats below the largest possible term) of the nearest arc point are summed. The
 * window of quadrature indices is found from the point's polar angle about each arc's centre.
 * The dropped terms are each below e<sup>-36</sup> times the largest, so the pruned sum equals
 * the full one to about 1e-15 relative.
 */
public final class MoonsEntropy {
    /** Quadrature points per arc, as in the reference script. */
    public static final int QUADRATURE = 4000;

    /** Kernel-exponent margin (nats) below the best possible term beyond which terms are dropped. */
    private static final double PRUNE_NATS = 36.0;

    private static final double H = Math.PI / QUADRATURE;
    private static final double[] OUTER_X = new double[QUADRATURE];
    private static final double[] OUTER_Y = new double[QUADRATURE];
    private static final double[] INNER_X = new double[QUADRATURE];
    private static final double[] INNER_Y = new double[QUADRATURE];

    static {
        for (int k = 0; k < QUADRATURE; k++) {
            double t = (k + 0.5) / QUADRATURE * Math.PI;
            double c = Math.cos(t);
            double s = Math.sin(t);
            OUTER_X[k] = c;
            OUTER_Y[k] = s;
            INNER_X[k] = 1 - c;
            INNER_Y[k] = 1 - s - 0.5;
        }
    }

    private MoonsEntropy() {
    }

    /**
     * @param rawNats the entropy in data units, {@code -mean(log p(x))}
     * @param standardizedNats the same in standardised units: {@code rawNats - sum(log std)}
     * @param standardError the Monte Carlo standard error, {@code std(log p) / sqrt(n)}
     */
    public record Estimate(double rawNats, double standardizedNats, double standardError) {
    }

    /**
     * Estimates the entropy from {@code n} samples of the true density.
     *
     * @param noise the noise standard deviation (positive)
     * @param n the number of Monte Carlo samples (at least 1)
     * @param seed seeds the {@link SplittableRandom} drawing the samples
     */
    public static Estimate estimate(double noise, int n, long seed) {
        if (!(noise > 0)) {
            throw new IllegalArgumentException("noise must be positive, got " + noise);
        }
        if (n < 1) {
            throw new IllegalArgumentException("n must be positive, got " + n);
        }
        double[] logp = new double[n];
        SplittableRandom rng = new SplittableRandom(seed);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double t = rng.nextDouble() * Math.PI;
            boolean outer = rng.nextBoolean();
            double cx = outer ? Math.cos(t) : 1 - Math.cos(t);
            double cy = outer ? Math.sin(t) : 1 - Math.sin(t) - 0.5;
            double x = cx + noise * rng.nextGaussian();
            double y = cy + noise * rng.nextGaussian();
            logp[i] = logDensity(x, y, noise);
            sum += logp[i];
        }
        double mean = sum / n;
        double ss = 0;
        for (double v : logp) {
            ss += (v - mean) * (v - mean);
        }
        double se = Math.sqrt(ss / n) / Math.sqrt(n);
        double raw = -mean;
        double logStd = Standardization.fit(Moons.make(2000, noise, 0)).logAbsDet();
        return new Estimate(raw, raw - logStd, se);
    }

    /**
     * The quadrature approximation of the two-moons log-density at {@code (x, y)}, summing only
     * the quadrature points that contribute (see the class comment).
     */
    public static double logDensity(double x, double y, double noise) {
        double s2 = noise * noise;
        double inv = 1.0 / (2 * s2);

        // Polar coordinates about each arc centre, oriented so that quadrature point k of either
        // arc sits at angle tq_k = (k + 0.5) h on the unit circle.
        double rOut = Math.hypot(x, y);
        double phiOut = Math.atan2(y, x);
        double ix = 1 - x;
        double iy = 0.5 - y;
        double rIn = Math.hypot(ix, iy);
        double phiIn = Math.atan2(iy, ix);

        // Lower bounds on the squared distance to each (continuous) arc.
        double lower = Math.min(arcLowerBound(rOut, phiOut), arcLowerBound(rIn, phiIn));
        double threshold = lower + PRUNE_NATS / inv;

        double shift = lower * inv; // every term exp(-d2 * inv + shift) is <= 1
        double acc = sumWindow(x, y, rOut, phiOut, threshold, inv, shift, OUTER_X, OUTER_Y)
                + sumWindow(x, y, rIn, phiIn, threshold, inv, shift, INNER_X, INNER_Y);
        return -shift + Math.log(acc / (2 * QUADRATURE)) - Math.log(2 * Math.PI * s2);
    }

    /** The reference computation: all 8000 kernel terms, shifted by their maximum. */
    static double logDensityFull(double x, double y, double noise) {
        double s2 = noise * noise;
        double inv = 1.0 / (2 * s2);
        double[] e = new double[2 * QUADRATURE];
        double m = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < QUADRATURE; k++) {
            double dx = x - OUTER_X[k];
            double dy = y - OUTER_Y[k];
            e[k] = -(dx * dx + dy * dy) * inv;
            dx = x - INNER_X[k];
            dy = y - INNER_Y[k];
            e[QUADRATURE + k] = -(dx * dx + dy * dy) * inv;
        }
        for (double v : e) {
            m = Math.max(m, v);
        }
        double acc = 0;
        for (double v : e) {
            acc += Math.exp(v - m);
        }
        return m + Math.log(acc / (2 * QUADRATURE)) - Math.log(2 * Math.PI * s2);
    }

    /**
     * The squared distance from a point at polar (r, phi) to the nearest point of the unit
     * half-circle of angles [0, pi].
     */
    private static double arcLowerBound(double r, double phi) {
        if (phi >= 0 && phi <= Math.PI) {
            return (r - 1) * (r - 1);
        }
        // Nearest end point, angle 0 or pi.
        return Math.max(0.0, r * r + 1 - 2 * r * Math.abs(Math.cos(phi)));
    }

    private static double sumWindow(double x, double y, double r, double phi, double threshold,
            double inv, double shift, double[] ax, double[] ay) {
        // Squared distance to quadrature point k is r^2 + 1 - 2 r cos(phi - tq_k); keep the
        // points with cos(phi - tq_k) >= cMin, i.e. angular distance <= acos(cMin).
        int lo;
        int hi;
        if (r == 0) {
            if (1.0 > threshold) {
                return 0.0;
            }
            lo = 0;
            hi = QUADRATURE - 1;
        } else {
            double cMin = (r * r + 1 - threshold) / (2 * r);
            if (cMin > 1) {
                return 0.0;
            }
            if (cMin <= 1e-3) {
                // Half-width near or beyond pi/2: just take every point.
                lo = 0;
                hi = QUADRATURE - 1;
            } else {
                double a = Math.acos(Math.min(1.0, cMin));
                // Put phi in [-pi/2, 3pi/2) so the arc [0, pi] is not split by the branch cut;
                // with a < pi/2 the real interval [phi - a, phi + a] then covers exactly the
                // arc angles within angular distance a.
                double p = phi < -Math.PI / 2 ? phi + 2 * Math.PI : phi;
                // One extra index on each side absorbs rounding in the index arithmetic.
                lo = (int) Math.max(0, Math.ceil((p - a) / H - 0.5) - 1);
                hi = (int) Math.min(QUADRATURE - 1, Math.floor((p + a) / H - 0.5) + 1);
            }
        }
        double acc = 0;
        for (int k = lo; k <= hi; k++) {
            double dx = x - ax[k];
            double dy = y - ay[k];
            acc += Math.exp(shift - (dx * dx + dy * dy) * inv);
        }
        return acc;
    }
}
