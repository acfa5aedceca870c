package org.flows4j.energy;

import org.flows4j.tensor.DType;
import org.flows4j.tensor.Tensor;

/**
 * The energy of an {@link ImageDensity} at continuous points, as the paper's reference code
 * evaluates it (its ImageEnergy): a point x maps to pixel coordinates p = x * scale + mean
 * (p_x a column, p_y a row, row 0 at the bottom), in float32; the integer parts I (truncated
 * towards zero) pick a pixel, clamped to the interior [1, size - 2] so that central differences
 * exist, and u = U[I] + (p_x - I_x) dU/dx + (p_y - I_y) dU/dy with the central differences
 * dU/dx = (U[.., I_x + 1] - U[.., I_x - 1]) / 2 (a linear extrapolation from the pixel, nearly
 * continuous across pixel edges on a smooth image); outside the image a penalty d_x^2 + d_y^2 is
 * added, d being the distance in whole pixels beyond the border. The gradient is scale * (dU/dx,
 * dU/dy) (the penalty is piecewise constant), as autodiff gives it in the reference.
 */
public final class ImageEnergy implements PointwiseEnergy {
    private final ImageDensity image;
    private final int width;
    private final int height;
    private final float meanX;
    private final float meanY;
    private final float scaleX;
    private final float scaleY;
    /** Per pixel (row-major, row 0 at the bottom): U, dU/dx, dU/dy (float32, as the reference's tensors). */
    private final float[] table;

    /**
     * @param mean pixel coordinates (column, row) of the origin
     * @param scale pixels per unit along x and y
     */
    public ImageEnergy(ImageDensity image, double meanX, double meanY, double scaleX, double scaleY) {
        this.image = java.util.Objects.requireNonNull(image, "image");
        if (!(scaleX > 0 && scaleY > 0) || !Double.isFinite(scaleX) || !Double.isFinite(scaleY)) {
            throw new IllegalArgumentException("scales must be positive numbers, got " + scaleX + ", " + scaleY);
        }
        if (!Double.isFinite(meanX) || !Double.isFinite(meanY)) {
            throw new IllegalArgumentException("mean must be finite, got " + meanX + ", " + meanY);
        }
        this.width = image.width();
        this.height = image.height();
        this.meanX = (float) meanX;
        this.meanY = (float) meanY;
        this.scaleX = (float) scaleX;
        this.scaleY = (float) scaleY;
        this.table = new float[3 * width * height];
        for (int r = 0; r < height; r++) {
            for (int c = 0; c < width; c++) {
                int k = 3 * (r * width + c);
                table[k] = (float) image.energy(c, r);
                int cc = Math.max(1, Math.min(width - 2, c));
                int rr = Math.max(1, Math.min(height - 2, r));
                table[k + 1] = 0.5f * ((float) image.energy(cc + 1, r) - (float) image.energy(cc - 1, r));
                table[k + 2] = 0.5f * ((float) image.energy(c, rr + 1) - (float) image.energy(c, rr - 1));
            }
        }
    }

    public ImageDensity image() {
        return image;
    }

    public double meanX() {
        return meanX;
    }

    public double meanY() {
        return meanY;
    }

    public double scaleX() {
        return scaleX;
    }

    public double scaleY() {
        return scaleY;
    }

    /**
     * The reference's plotting and KL box, centred on 0: x in +-width / (2 scale_x), y in
     * +-height / (2 scale_y) (for the dog, 700 pixels at 100 per unit: +-3.5). {xmin, xmax, ymin, ymax}.
     */
    public double[] box() {
        double xm = 0.5 * width / scaleX;
        double ym = 0.5 * height / scaleY;
        return new double[] {-xm, xm, -ym, ym};
    }

    @Override
    public int dim() {
        return 2;
    }

    /**
     * The energy at (x, y), writing the gradient into {@code grad} when it is not null. Points
     * with a non-finite coordinate get +infinity (and a zero gradient).
     */
    private double eval(float x, float y, double[] grad) {
        if (!Float.isFinite(x) || !Float.isFinite(y)) {
            if (grad != null) {
                grad[0] = 0;
                grad[1] = 0;
            }
            return Double.POSITIVE_INFINITY;
        }
        float px = x * scaleX + meanX;
        float py = y * scaleY + meanY;
        long ix = (long) px;
        long iy = (long) py;
        float dx = px - ix;
        float dy = py - iy;
        int cx = (int) Math.max(1, Math.min(width - 2, ix));
        int cy = (int) Math.max(1, Math.min(height - 2, iy));
        int k = 3 * (cy * width + cx);
        float e0 = table[k];
        float gx = table[k + 1];
        float gy = table[k + 2];
        double u = e0 + dx * gx + dy * gy;
        double ox = Math.max(Math.max(-ix, 0), ix - (width - 1));
        double oy = Math.max(Math.max(-iy, 0), iy - (height - 1));
        if (grad != null) {
            grad[0] = (double) scaleX * gx;
            grad[1] = (double) scaleY * gy;
        }
        return u + ox * ox + oy * oy;
    }

    @Override
    public double energyAt(float[] x) {
        return eval(x[0], x[1], null);
    }

    @Override
    public double gradientAt(float[] x, double[] grad) {
        return eval(x[0], x[1], grad);
    }

    /** The energy at (x, y). */
    public double energyAt(double x, double y) {
        return eval((float) x, (float) y, null);
    }

    @Override
    public double[] energyArray(double[] x, int n) {
        double[] u = new double[n];
        energyArray(x, n, u);
        return u;
    }

    @Override
    public void energyArray(double[] x, int n, double[] out) {
        if (x.length < 2 * n) {
            throw new IllegalArgumentException(x.length + " values are not " + n + " points of dimension 2");
        }
        for (int i = 0; i < n; i++) {
            out[i] = eval((float) x[2 * i], (float) x[2 * i + 1], null);
        }
    }

    @Override
    public double[] gradientArray(double[] x, int n) {
        if (x.length != 2 * n) {
            throw new IllegalArgumentException(x.length + " values are not " + n + " points of dimension 2");
        }
        return gradients(x, n);
    }

    /** The gradients at the n points of row-major xs, row-major [2 * n]. */
    private double[] gradients(double[] xs, int n) {
        double[] out = new double[2 * n];
        double[] g = new double[2];
        for (int i = 0; i < n; i++) {
            eval((float) xs[2 * i], (float) xs[2 * i + 1], g);
            out[2 * i] = g[0];
            out[2 * i + 1] = g[1];
        }
        return out;
    }

    /**
     * u(x) per row, differentiable in x: u = c + a . x with per-row constants a (the gradient) and
     * c, so autodiff gives the reference's gradient (and zero second derivatives).
     */
    @Override
    public Tensor energy(Tensor x) {
        checkInput(x);
        int n = x.size(0);
        double[] xs = x.toDoubleArray();
        double[] a = new double[2 * n];
        double[] c = new double[n];
        double[] g = new double[2];
        for (int i = 0; i < n; i++) {
            double u = eval((float) xs[2 * i], (float) xs[2 * i + 1], g);
            a[2 * i] = g[0];
            a[2 * i + 1] = g[1];
            c[i] = u - g[0] * xs[2 * i] - g[1] * xs[2 * i + 1];
            if (!Double.isFinite(c[i])) {
                c[i] = u;
            }
        }
        DType dt = x.dtype();
        return x.mul(Tensor.of(dt, a, n, 2)).sum(1, false).add(Tensor.of(dt, c, n));
    }

    @Override
    public Tensor gradient(Tensor x) {
        checkInput(x);
        int n = x.size(0);
        return Tensor.of(x.dtype(), gradients(x.toDoubleArray(), n), n, 2);
    }

    @Override
    public Tensor gradient(Tensor x, boolean createGraph) {
        // piecewise linear: the gradient is constant in x, its derivative zero
        return gradient(x);
    }

    @Override
    public String toString() {
        return "ImageEnergy(" + width + "x" + height + ", mean=(" + meanX + ", " + meanY + "), scale=(" + scaleX + ", "
                + scaleY + "))";
    }
}
