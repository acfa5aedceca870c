package org.flows4j.snf;

/**
 * Self-normalised importance sampling with log weights (Theorem 1 of the paper): for paths drawn
 * from the generator, E_target[O] ~ sum_k w_k O(x_k) / sum_k w_k. All functions work with log
 * weights and are stable for any range of them.
 */
public final class ImportanceWeights {
    private ImportanceWeights() {}

    private static double max(double[] logW) {
        double m = Double.NEGATIVE_INFINITY;
        for (double v : logW) {
            if (v > m) {
                m = v;
            }
        }
        if (m == Double.NEGATIVE_INFINITY || Double.isNaN(m)) {
            throw new IllegalArgumentException("log weights have no finite maximum");
        }
        return m;
    }

    /** Weights w_k / sum w (sum to 1). Non-finite log weights (NaN) count as zero weight. */
    public static double[] normalized(double[] logW) {
        double m = max(logW);
        double[] w = new double[logW.length];
        double s = 0;
        for (int i = 0; i < w.length; i++) {
            double v = Double.isNaN(logW[i]) ? 0 : Math.exp(logW[i] - m);
            w[i] = v;
            s += v;
        }
        for (int i = 0; i < w.length; i++) {
            w[i] /= s;
        }
        return w;
    }

    /** Kish's effective sample size (sum w)^2 / sum w^2, as a fraction of n (in (0, 1]). */
    public static double kishFraction(double[] logW) {
        double[] w = normalized(logW);
        double s2 = 0;
        for (double v : w) {
            s2 += v * v;
        }
        return 1.0 / s2 / logW.length;
    }

    /** Kish's effective sample size in samples. */
    public static double kishSize(double[] logW) {
        return kishFraction(logW) * logW.length;
    }

    /** sum w O / sum w. */
    public static double mean(double[] logW, double[] values) {
        if (values.length != logW.length) {
            throw new IllegalArgumentException(values.length + " values for " + logW.length + " weights");
        }
        double[] w = normalized(logW);
        double s = 0;
        for (int i = 0; i < w.length; i++) {
            if (w[i] != 0) {
                s += w[i] * values[i];
            }
        }
        return s;
    }

    /**
     * The delta-method standard error of {@link #mean}: sqrt(sum w_k^2 (O_k - mean)^2) with
     * normalised w (exact for independent paths as n grows).
     */
    public static double standardError(double[] logW, double[] values) {
        double[] w = normalized(logW);
        double m = mean(logW, values);
        double s = 0;
        for (int i = 0; i < w.length; i++) {
            double d = values[i] - m;
            s += w[i] * w[i] * d * d;
        }
        return Math.sqrt(s);
    }

    /** log mean w = log(sum w / n): estimates log(Z_X / Z_Z), minus the free-energy difference. */
    public static double logMeanWeight(double[] logW) {
        double m = max(logW);
        double s = 0;
        for (double v : logW) {
            if (!Double.isNaN(v)) {
                s += Math.exp(v - m);
            }
        }
        return m + Math.log(s / logW.length);
    }
}
