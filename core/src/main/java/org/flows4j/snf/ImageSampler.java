package org.flows4j.snf;

import org.flows4j.energy.ImageDensity;
import org.flows4j.energy.ImageEnergy;
import org.flows4j.tensor.Rng;

/**
 * Exact samples of an image density, as the paper's reference draws its training data: a pixel
 * with probability proportional to its density, plus U(-0.5, 0.5) on each axis, mapped back to
 * the plane by (p - mean) / scale. (The reference's energy reads pixel (i, j) at the integer
 * point (i, j), so a pixel's mass is centred on the point where the energy equals the pixel's.)
 */
public final class ImageSampler {
    private final int width;
    private final double[] cumulative;
    private final double meanX;
    private final double meanY;
    private final double scaleX;
    private final double scaleY;

    public ImageSampler(ImageDensity image, double meanX, double meanY, double scaleX, double scaleY) {
        this.width = image.width();
        int h = image.height();
        cumulative = new double[width * h];
        double acc = 0;
        for (int r = 0; r < h; r++) {
            for (int c = 0; c < width; c++) {
                acc += image.density(c, r);
                cumulative[r * width + c] = acc;
            }
        }
        if (!(acc > 0)) {
            throw new IllegalArgumentException("the image density is zero everywhere");
        }
        this.meanX = meanX;
        this.meanY = meanY;
        this.scaleX = scaleX;
        this.scaleY = scaleY;
    }

    /** The sampler matching an energy's image, mean and scale. */
    public static ImageSampler of(ImageEnergy u) {
        return new ImageSampler(u.image(), u.meanX(), u.meanY(), u.scaleX(), u.scaleY());
    }

    /** {@code n} points, row-major [n * 2]. */
    public double[] sample(int n, Rng rng) {
        if (n < 0) {
            throw new IllegalArgumentException("number of samples must be >= 0, got " + n);
        }
        double total = cumulative[cumulative.length - 1];
        double[] out = new double[2 * n];
        for (int i = 0; i < n; i++) {
            double u = rng.nextDouble() * total;
            int lo = 0;
            int hi = cumulative.length - 1;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (cumulative[mid] > u) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            int col = lo % width;
            int row = lo / width;
            double px = col + rng.nextDouble() - 0.5;
            double py = row + rng.nextDouble() - 0.5;
            out[2 * i] = (px - meanX) / scaleX;
            out[2 * i + 1] = (py - meanY) / scaleY;
        }
        return out;
    }
}
