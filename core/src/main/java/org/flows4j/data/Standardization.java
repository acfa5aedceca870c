package org.flows4j.data;

/**
 * Per-column standardisation {@code z = (x - mean) / std}, with {@code std} the sample standard
 * deviation (ddof = 1, as {@code torch.std} and {@code X.std(0, ddof=1)}).
 *
 * @param mean column means
 * @param std column standard deviations (ddof = 1)
 */
public record Standardization(double[] mean, double[] std) {

    public Standardization {
        if (mean.length != std.length) {
            throw new IllegalArgumentException("mean has " + mean.length + " entries but std has " + std.length);
        }
        mean = mean.clone();
        std = std.clone();
    }

    @Override
    public double[] mean() {
        return mean.clone();
    }

    @Override
    public double[] std() {
        return std.clone();
    }

    public int dim() {
        return mean.length;
    }

    /**
     * Column means and ddof=1 standard deviations of the rows {@code x} (at least two rows, all
     * of the same length). Sums run over the rows in order, as numpy's axis-0 reductions do.
     */
    public static Standardization fit(double[][] x) {
        int n = x.length;
        if (n < 2) {
            throw new IllegalArgumentException("need at least two rows, got " + n);
        }
        int d = x[0].length;
        double[] mean = new double[d];
        for (double[] row : x) {
            if (row.length != d) {
                throw new IllegalArgumentException("rows have different lengths");
            }
            for (int j = 0; j < d; j++) {
                mean[j] += row[j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= n;
        }
        double[] ss = new double[d];
        for (double[] row : x) {
            for (int j = 0; j < d; j++) {
                double c = row[j] - mean[j];
                ss[j] += c * c;
            }
        }
        double[] std = new double[d];
        for (int j = 0; j < d; j++) {
            std[j] = Math.sqrt(ss[j] / (n - 1));
        }
        return new Standardization(mean, std);
    }

    /** {@code (row - mean) / std}. */
    public double[] apply(double[] row) {
        check(row);
        double[] z = new double[row.length];
        for (int j = 0; j < row.length; j++) {
            z[j] = (row[j] - mean[j]) / std[j];
        }
        return z;
    }

    /** {@link #apply(double[])} on every row (a new array). */
    public double[][] apply(double[][] x) {
        double[][] z = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            z[i] = apply(x[i]);
        }
        return z;
    }

    /** {@code z * std + mean}. */
    public double[] invert(double[] z) {
        check(z);
        double[] x = new double[z.length];
        for (int j = 0; j < z.length; j++) {
            x[j] = z[j] * std[j] + mean[j];
        }
        return x;
    }

    /** {@link #invert(double[])} on every row (a new array). */
    public double[][] invert(double[][] z) {
        double[][] x = new double[z.length][];
        for (int i = 0; i < z.length; i++) {
            x[i] = invert(z[i]);
        }
        return x;
    }

    /**
     * {@code sum(log std)}: the log |det| of {@link #invert} (z to x). A density in standardised
     * units is {@code log p_z(z) = log p_x(x) + logAbsDet()}, so an NLL in standardised units is
     * the raw-units NLL minus this.
     */
    public double logAbsDet() {
        double s = 0;
        for (double v : std) {
            s += Math.log(v);
        }
        return s;
    }

    private void check(double[] v) {
        if (v.length != mean.length) {
            throw new IllegalArgumentException("expected " + mean.length + " columns, got " + v.length);
        }
    }
}
