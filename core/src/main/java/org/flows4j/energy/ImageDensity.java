package org.flows4j.energy;

import java.util.Arrays;

/**
 * A 2-D density made from a picture, as the stochastic-normalizing-flows paper's image benchmark
 * makes it (Wu, Koehler and Noe 2020, Fig. 3): gray = mean of R, G and B; values above the white
 * cutoff (225) set to 255; divided by the maximum; optionally cropped or embedded centred in a
 * larger white canvas; img2 = Gaussian filter of width sigma;
 * density = (1 - img2) + background * (gf(img, 10) + gf(img, 20) + gf(img, 50)) (dark is likely);
 * energy U = -log density - min U. Both grids are stored flipped vertically, row 0 being the
 * bottom of the picture, so that y grows upwards.
 *
 * <p>Pixels are read as packed 0xRRGGBB integers (what {@code BufferedImage.getRGB} gives) or as a
 * gray array: decoding a file is left to the caller (core does not depend on java.desktop).
 */
public final class ImageDensity {
    /** The background filter widths of the paper. */
    private static final double[] BACKGROUND_SIGMAS = {10, 20, 50};

    /**
     * How a picture becomes a density.
     *
     * @param crop {row start, row end, column start, column end} (ends exclusive, numpy slicing of
     *        the picture as stored, top row first), or null
     * @param embed {rows, columns} of a white canvas to centre the picture in, or null
     * @param whiteCutoff gray values above this become white (255)
     * @param sigma width in pixels of the Gaussian filter of the main term
     * @param background weight of the three wide-filtered background terms
     */
    public record Preparation(int[] crop, int[] embed, double whiteCutoff, double sigma, double background) {
        public Preparation {
            if (crop != null && crop.length != 4) {
                throw new IllegalArgumentException("crop needs 4 numbers (row start, row end, column start, column end)");
            }
            if (embed != null && embed.length != 2) {
                throw new IllegalArgumentException("embed needs 2 numbers (rows, columns)");
            }
            if (crop != null && embed != null) {
                throw new IllegalArgumentException("crop or embed, not both");
            }
            if (!(sigma >= 0) || !Double.isFinite(sigma)) {
                throw new IllegalArgumentException("sigma must be a finite number >= 0, got " + sigma);
            }
            if (!(background >= 0) || !Double.isFinite(background)) {
                throw new IllegalArgumentException("background weight must be a finite number >= 0, got " + background);
            }
            if (!Double.isFinite(whiteCutoff)) {
                throw new IllegalArgumentException("white cutoff must be finite, got " + whiteCutoff);
            }
            crop = crop == null ? null : crop.clone();
            embed = embed == null ? null : embed.clone();
        }

        @Override
        public int[] crop() {
            return crop == null ? null : crop.clone();
        }

        @Override
        public int[] embed() {
            return embed == null ? null : embed.clone();
        }

        /** The paper's defaults (white cutoff 225, background 0.01) with this filter width. */
        public static Preparation of(double sigma) {
            return new Preparation(null, null, 225, sigma, 0.01);
        }

        public Preparation withCrop(int rowStart, int rowEnd, int colStart, int colEnd) {
            return new Preparation(new int[] {rowStart, rowEnd, colStart, colEnd}, null, whiteCutoff, sigma, background);
        }

        public Preparation withEmbed(int rows, int cols) {
            return new Preparation(null, new int[] {rows, cols}, whiteCutoff, sigma, background);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Preparation p && Arrays.equals(crop, p.crop) && Arrays.equals(embed, p.embed)
                    && Double.compare(whiteCutoff, p.whiteCutoff) == 0 && Double.compare(sigma, p.sigma) == 0
                    && Double.compare(background, p.background) == 0;
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(crop) * 31 + Arrays.hashCode(embed) + Double.hashCode(sigma);
        }

        @Override
        public String toString() {
            return "Preparation[crop=" + Arrays.toString(crop) + ", embed=" + Arrays.toString(embed) + ", whiteCutoff="
                    + whiteCutoff + ", sigma=" + sigma + ", background=" + background + "]";
        }
    }

    private final double[][] density;
    private final double[][] energy;

    private ImageDensity(double[][] density, double[][] energy) {
        this.density = density;
        this.energy = energy;
    }

    /** From packed 0xRRGGBB pixels (alpha ignored), row-major, top row first. */
    public static ImageDensity fromRgb(int width, int height, int[] rgb, Preparation p) {
        if (width < 1 || height < 1 || rgb.length != width * height) {
            throw new IllegalArgumentException(rgb.length + " pixels do not make a " + width + " x " + height + " image");
        }
        double[][] gray = new double[height][width];
        for (int r = 0; r < height; r++) {
            for (int c = 0; c < width; c++) {
                int v = rgb[r * width + c];
                gray[r][c] = (((v >> 16) & 0xff) + ((v >> 8) & 0xff) + (v & 0xff)) / 3.0;
            }
        }
        return fromGray(gray, p);
    }

    /**
     * From gray values in [0, 255] (the mean of R, G and B), [rows][columns], top row first. The
     * array is not modified.
     */
    public static ImageDensity fromGray(double[][] gray, Preparation p) {
        int rows = gray.length;
        if (rows == 0 || gray[0].length == 0) {
            throw new IllegalArgumentException("empty image");
        }
        int cols = gray[0].length;
        double max = Double.NEGATIVE_INFINITY;
        double[][] img = new double[rows][];
        for (int r = 0; r < rows; r++) {
            if (gray[r].length != cols) {
                throw new IllegalArgumentException("image rows differ in length");
            }
            img[r] = new double[cols];
            for (int c = 0; c < cols; c++) {
                double v = (float) gray[r][c]; // the reference works in float32
                if (v > p.whiteCutoff()) {
                    v = 255;
                }
                img[r][c] = v;
                max = Math.max(max, v);
            }
        }
        if (!(max > 0)) {
            throw new IllegalArgumentException("the image is black everywhere: nothing to normalise");
        }
        for (double[] row : img) {
            for (int c = 0; c < cols; c++) {
                row[c] /= max;
            }
        }
        int[] crop = p.crop();
        if (crop != null) {
            if (crop[0] < 0 || crop[2] < 0 || crop[0] >= crop[1] || crop[2] >= crop[3] || crop[1] > rows || crop[3] > cols) {
                throw new IllegalArgumentException("crop rows " + crop[0] + ".." + crop[1] + ", columns " + crop[2] + ".."
                        + crop[3] + " does not fit a " + cols + " x " + rows + " image");
            }
            double[][] c = new double[crop[1] - crop[0]][];
            for (int r = 0; r < c.length; r++) {
                c[r] = Arrays.copyOfRange(img[crop[0] + r], crop[2], crop[3]);
            }
            img = c;
        }
        int[] embed = p.embed();
        if (embed != null) {
            int h = img.length;
            int w = img[0].length;
            if (embed[0] < h || embed[1] < w) {
                throw new IllegalArgumentException("cannot embed a " + w + " x " + h + " image in " + embed[1] + " x "
                        + embed[0]);
            }
            double[][] canvas = new double[embed[0]][embed[1]];
            for (double[] row : canvas) {
                Arrays.fill(row, 1.0);
            }
            int sr = (embed[0] - h) / 2;
            int sc = (embed[1] - w) / 2;
            for (int r = 0; r < h; r++) {
                System.arraycopy(img[r], 0, canvas[sr + r], sc, w);
            }
            img = canvas;
        }
        int h = img.length;
        int w = img[0].length;
        if (h < 3 || w < 3) {
            throw new IllegalArgumentException("the image must be at least 3 x 3 pixels, got " + w + " x " + h);
        }
        double[][] density = GaussianFilter.filter(img, p.sigma());
        for (double[] row : density) {
            for (int c = 0; c < w; c++) {
                row[c] = 1 - row[c];
            }
        }
        if (p.background() > 0) {
            for (double s : BACKGROUND_SIGMAS) {
                double[][] b = GaussianFilter.filter(img, s);
                for (int r = 0; r < h; r++) {
                    for (int c = 0; c < w; c++) {
                        density[r][c] += p.background() * b[r][c];
                    }
                }
            }
        }
        double[][] energy = new double[h][w];
        double min = Double.POSITIVE_INFINITY;
        for (int r = 0; r < h; r++) {
            for (int c = 0; c < w; c++) {
                double u = -Math.log(density[r][c]);
                energy[r][c] = u;
                min = Math.min(min, u);
            }
        }
        if (!Double.isFinite(min)) {
            throw new IllegalArgumentException("the image gives no positive density (white everywhere and no background)");
        }
        // flip vertically: row 0 is the bottom of the picture
        double[][] d = new double[h][];
        double[][] u = new double[h][];
        for (int r = 0; r < h; r++) {
            d[h - 1 - r] = density[r];
            u[h - 1 - r] = energy[r];
            for (int c = 0; c < w; c++) {
                u[h - 1 - r][c] -= min;
            }
        }
        return new ImageDensity(d, u);
    }

    /** An image density from given grids ([row][column], row 0 at the bottom); density >= 0, not all 0. */
    public static ImageDensity ofDensity(double[][] density) {
        int h = density.length;
        int w = density[0].length;
        double[][] d = new double[h][];
        double[][] u = new double[h][w];
        double min = Double.POSITIVE_INFINITY;
        for (int r = 0; r < h; r++) {
            if (density[r].length != w) {
                throw new IllegalArgumentException("density rows differ in length");
            }
            d[r] = density[r].clone();
            for (int c = 0; c < w; c++) {
                if (!(d[r][c] >= 0) || !Double.isFinite(d[r][c])) {
                    throw new IllegalArgumentException("densities must be finite and >= 0");
                }
                u[r][c] = -Math.log(d[r][c]);
                min = Math.min(min, u[r][c]);
            }
        }
        if (h < 3 || w < 3 || !Double.isFinite(min)) {
            throw new IllegalArgumentException("need at least 3 x 3 pixels and some positive density");
        }
        for (double[] row : u) {
            for (int c = 0; c < w; c++) {
                row[c] -= min;
            }
        }
        return new ImageDensity(d, u);
    }

    public int width() {
        return density[0].length;
    }

    public int height() {
        return density.length;
    }

    /** Density at pixel (column, row), row 0 at the bottom. */
    public double density(int col, int row) {
        return density[row][col];
    }

    /** Energy at pixel (column, row), row 0 at the bottom; its minimum is 0. */
    public double energy(int col, int row) {
        return energy[row][col];
    }

    /** A copy of the density grid [row][column], row 0 at the bottom. */
    public double[][] densityGrid() {
        double[][] out = new double[density.length][];
        for (int r = 0; r < out.length; r++) {
            out[r] = density[r].clone();
        }
        return out;
    }
}
