package org.flows4j.snf;

import java.util.function.IntToDoubleFunction;
import org.flows4j.energy.PointwiseEnergy;

/**
 * The paper's KL divergence between an exact 2-D density and samples (its kldiv and
 * sample_bg_histogram): the reference p is exp(-u) on a bins x bins grid of points
 * linspace(lo, hi, bins) per axis (end points included), normalised; the model q is a bins x bins
 * histogram of the samples over the same box (numpy.histogram2d: equal bins, the upper edge
 * included, points outside dropped), normalised; KL = sum p log(p' / q'), p' and q' being p and q
 * plus 1e-10, renormalised. Note the reference's two grids differ by up to half a bin: the exact
 * density is read at points from lo to hi, the histogram's bin centres run from lo + half a bin to
 * hi - half a bin. {@link #referenceAtCentres} reads it at the bin centres instead.
 *
 * <p>Grids are [x bin][y bin].
 */
public final class HistogramKl {
    private HistogramKl() {}

    /** The paper's regularisation of both histograms. */
    public static final double REGULARISATION = 1e-10;

    /** exp(-u) at linspace(box[0], box[1], bins) x linspace(box[2], box[3], bins), normalised (float32 points). */
    public static double[][] reference(PointwiseEnergy u, double[] box, int bins) {
        return grid(u, box, bins, false);
    }

    /** exp(-u) at the histogram's bin centres, normalised. */
    public static double[][] referenceAtCentres(PointwiseEnergy u, double[] box, int bins) {
        return grid(u, box, bins, true);
    }

    private static double[][] grid(PointwiseEnergy u, double[] box, int bins, boolean centres) {
        checkBox(box, bins);
        double[][] p = new double[bins][bins];
        float[] pt = new float[2];
        double[] e = new double[bins * bins];
        double min = Double.POSITIVE_INFINITY;
        for (int i = 0; i < bins; i++) {
            for (int j = 0; j < bins; j++) {
                pt[0] = (float) position(box[0], box[1], bins, i, centres);
                pt[1] = (float) position(box[2], box[3], bins, j, centres);
                e[i * bins + j] = u.energyAt(pt);
                min = Math.min(min, e[i * bins + j]);
            }
        }
        double sum = 0;
        for (int i = 0; i < bins; i++) {
            for (int j = 0; j < bins; j++) {
                // shifted by the minimum for range; the normalisation removes the shift
                p[i][j] = Math.exp(-(e[i * bins + j] - min));
                sum += p[i][j];
            }
        }
        for (double[] row : p) {
            for (int j = 0; j < bins; j++) {
                row[j] /= sum;
            }
        }
        return p;
    }

    private static double position(double lo, double hi, int bins, int i, boolean centres) {
        if (centres) {
            return lo + (i + 0.5) * (hi - lo) / bins;
        }
        return bins == 1 ? lo : lo + i * (hi - lo) / (bins - 1);
    }

    private static void checkBox(double[] box, int bins) {
        if (box.length != 4 || !(box[1] > box[0]) || !(box[3] > box[2])) {
            throw new IllegalArgumentException("a box is {xmin, xmax, ymin, ymax} with min < max");
        }
        if (bins < 1) {
            throw new IllegalArgumentException("bins must be >= 1, got " + bins);
        }
    }

    /** Counts of points (row-major [n * 2] floats) per bin over the box, numpy.histogram2d's way (not normalised). */
    public static double[][] histogram(float[] xy, int n, double[] box, int bins) {
        return histogram(j -> xy[j], n, box, bins);
    }

    /** As {@link #histogram(float[], int, double[], int)} for double points. */
    public static double[][] histogram(double[] xy, int n, double[] box, int bins) {
        return histogram(j -> xy[j], n, box, bins);
    }

    /** The counting both public overloads share; coordinate j of the row-major points is xy.applyAsDouble(j). */
    private static double[][] histogram(IntToDoubleFunction xy, int n, double[] box, int bins) {
        checkBox(box, bins);
        double[][] h = new double[bins][bins];
        for (int i = 0; i < n; i++) {
            int bx = bin(xy.applyAsDouble(2 * i), box[0], box[1], bins);
            int by = bin(xy.applyAsDouble(2 * i + 1), box[2], box[3], bins);
            if (bx >= 0 && by >= 0) {
                h[bx][by]++;
            }
        }
        return h;
    }

    /** The bin of v among {@code bins} equal bins on [lo, hi] (hi itself in the last), or -1 outside. */
    static int bin(double v, double lo, double hi, int bins) {
        if (!(v >= lo && v <= hi)) {
            return -1;
        }
        int b = (int) ((v - lo) / (hi - lo) * bins);
        return Math.min(b, bins - 1);
    }

    /** Adds {@code b} into {@code a} (same shape). */
    public static void accumulate(double[][] a, double[][] b) {
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[i].length; j++) {
                a[i][j] += b[i][j];
            }
        }
    }

    /**
     * The reference's kldiv on normalised histograms: with p and q first normalised to sum 1 (the
     * reference normalises both before the call), sum p * log(p' / q'), p' = (p + regP) / sum(p + regP)
     * and q' likewise. p and q may be given as counts.
     */
    public static double kl(double[][] p, double[][] q, double regP, double regQ) {
        if (p.length != q.length) {
            throw new IllegalArgumentException("histograms differ in shape");
        }
        double sp = 0;
        double sq = 0;
        int cells = 0;
        for (int i = 0; i < p.length; i++) {
            if (q[i].length != p[i].length) {
                throw new IllegalArgumentException("histograms differ in shape");
            }
            for (int j = 0; j < p[i].length; j++) {
                sp += p[i][j];
                sq += q[i][j];
                cells++;
            }
        }
        if (!(sp > 0) || !(sq > 0)) {
            throw new IllegalArgumentException("empty histogram");
        }
        double spr = 1 + regP * cells;
        double sqr = 1 + regQ * cells;
        double kl = 0;
        for (int i = 0; i < p.length; i++) {
            for (int j = 0; j < p[i].length; j++) {
                double pn = p[i][j] / sp;
                if (pn == 0) {
                    continue;
                }
                double qn = q[i][j] / sq;
                kl += pn * Math.log(((pn + regP) / spr) / ((qn + regQ) / sqr));
            }
        }
        return kl;
    }

    /** {@link #kl(double[][], double[][], double, double)} with the paper's 1e-10 on both sides. */
    public static double kl(double[][] p, double[][] q) {
        return kl(p, q, REGULARISATION, REGULARISATION);
    }
}
