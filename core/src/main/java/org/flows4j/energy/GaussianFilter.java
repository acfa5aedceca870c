package org.flows4j.energy;

/**
 * A 2-D Gaussian filter with scipy.ndimage.gaussian_filter's defaults: a separable correlation,
 * first along rows (axis 0) then along columns (axis 1), with the 1-D kernel
 * exp(-x^2 / (2 sigma^2)) for integer x in [-r, r], r = (int) (4 sigma + 0.5) (truncate 4.0),
 * normalised to sum 1, and mode 'reflect' at the borders (d c b a | a b c d | d c b a: the edge
 * sample is repeated), extended periodically when the kernel is wider than the image.
 */
public final class GaussianFilter {
    private GaussianFilter() {}

    /** scipy's default truncation, in standard deviations. */
    public static final double TRUNCATE = 4.0;

    /** The normalised 1-D kernel, of length 2r + 1 (a single 1 for sigma 0). */
    public static double[] kernel(double sigma) {
        if (!(sigma >= 0) || !Double.isFinite(sigma)) {
            throw new IllegalArgumentException("sigma must be a finite number >= 0, got " + sigma);
        }
        int r = (int) (TRUNCATE * sigma + 0.5);
        double[] w = new double[2 * r + 1];
        if (r == 0) {
            w[0] = 1;
            return w;
        }
        double sum = 0;
        for (int i = -r; i <= r; i++) {
            double v = Math.exp(-0.5 * i * i / (sigma * sigma));
            w[i + r] = v;
            sum += v;
        }
        for (int i = 0; i < w.length; i++) {
            w[i] /= sum;
        }
        return w;
    }

    /** The index 'reflect' mode reads for position i of an axis of length n. */
    static int reflect(int i, int n) {
        if (i >= 0 && i < n) {
            return i;
        }
        int period = 2 * n;
        int m = Math.floorMod(i, period);
        return m < n ? m : period - 1 - m;
    }

    /** The filtered image (a new array); {@code image} is [rows][cols], rectangular. */
    public static double[][] filter(double[][] image, double sigma) {
        int rows = image.length;
        if (rows == 0 || image[0].length == 0) {
            throw new IllegalArgumentException("empty image");
        }
        int cols = image[0].length;
        for (double[] row : image) {
            if (row.length != cols) {
                throw new IllegalArgumentException("image rows differ in length");
            }
        }
        double[] w = kernel(sigma);
        int r = w.length / 2;
        // axis 0: along each column
        double[][] tmp = new double[rows][cols];
        int[] idx = new int[rows + 2 * r];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = reflect(i - r, rows);
        }
        for (int i = 0; i < rows; i++) {
            double[] out = tmp[i];
            for (int k = 0; k < w.length; k++) {
                double wk = w[k];
                double[] src = image[idx[i + k]];
                for (int j = 0; j < cols; j++) {
                    out[j] += wk * src[j];
                }
            }
        }
        // axis 1: along each row
        double[][] result = new double[rows][cols];
        double[] padded = new double[cols + 2 * r];
        int[] cidx = new int[cols + 2 * r];
        for (int j = 0; j < cidx.length; j++) {
            cidx[j] = reflect(j - r, cols);
        }
        for (int i = 0; i < rows; i++) {
            double[] src = tmp[i];
            for (int j = 0; j < padded.length; j++) {
                padded[j] = src[cidx[j]];
            }
            double[] out = result[i];
            for (int j = 0; j < cols; j++) {
                double s = 0;
                for (int k = 0; k < w.length; k++) {
                    s += w[k] * padded[j + k];
                }
                out[j] = s;
            }
        }
        return result;
    }
}
