package org.flows4j.nn;

import java.util.Arrays;
import java.util.List;

/**
 * A ReLU network with one input, rewritten exactly as the piecewise-affine function it is: every
 * hidden unit switches on or off at one point of its (piecewise-affine) pre-activation, so the
 * real line splits into pieces on each of which the whole network is out = slope * x + intercept.
 * The coupling networks of a 2-d flow see one coordinate, so they are such networks (see
 * {@link #of(Mlp, int, double)} for a network whose other inputs are masked to zero); evaluating
 * them this way costs a table look-up and {@code out} multiply-adds per row instead of the
 * 64 x 64 product of a hidden layer, and is more accurate (the pieces are computed in double
 * precision from the float32 weights; the float32 products round every partial sum).
 *
 * <p>Construction walks the layers: on each current piece the next pre-activations are affine in
 * x; their zeros inside the piece cut it further, and on each sub-piece the active units are
 * fixed, which gives the next layer's affine map. Any depth works; the number of pieces is at most
 * the product of (width + 1) over hidden layers and in practice a few times the number of units.
 */
public final class PiecewiseLinearNet {
    private final int out;
    /** Sorted break points between pieces: piece p covers [breaks[p - 1], breaks[p]). */
    private final double[] breaks;
    /** Per piece, {@code out} slopes and intercepts. */
    private final double[] slope;
    private final double[] intercept;
    /** The same by output: slopeT[j][p]. */
    private final double[][] slopeT;
    private final double[][] interceptT;
    /**
     * A uniform grid over the central 90% of the break points, about four cells per break point
     * (small enough to stay in the first-level cache beside the break points): x falls in cell
     * {@link #cell}(x), and cellStart[c] is the number of break points in cells before c. The
     * cell of a number never decreases as the number grows (each step of {@code cell} rounds
     * monotonically), so the break points of earlier cells lie below x and those of later cells
     * above it, whatever the rounding: x's piece is cellStart[c] plus the break points of its own
     * cell at or below x, exactly.
     */
    private final double gridLo;
    private final double gridInv;
    private final int[] cellStart;
    /** The break points followed by two NaN (no x is at or above them: a cell's two-point test reads no further). */
    private final double[] padded;

    private PiecewiseLinearNet(int out, double[] breaks, double[] slope, double[] intercept) {
        this.out = out;
        this.breaks = breaks;
        this.slope = slope;
        this.intercept = intercept;
        int pieces = breaks.length + 1;
        slopeT = new double[out][pieces];
        interceptT = new double[out][pieces];
        for (int p = 0; p < pieces; p++) {
            for (int j = 0; j < out; j++) {
                slopeT[j][p] = slope[p * out + j];
                interceptT[j][p] = intercept[p * out + j];
            }
        }
        int nb = breaks.length;
        // break points cluster where the inputs are and a few lie far out: grid the central 90%
        // (the two end cells take everything beyond it)
        double lo = nb == 0 ? 0 : breaks[nb / 20];
        double hi = nb == 0 ? 0 : breaks[nb - 1 - nb / 20];
        int count = nb == 0 ? 1 : Math.max(64, Math.min(1 << 16, 4 * nb));
        double width = (hi - lo) / count;
        if (!(width > 0)) {
            count = 1;
            width = 1;
        }
        gridLo = lo;
        gridInv = 1 / width;
        cellStart = new int[count + 1];
        int c = 0;
        for (int i = 0; i < nb; i++) {
            int bc = cell(breaks[i]);
            while (c < bc) {
                cellStart[++c] = i;
            }
        }
        while (c < count) {
            cellStart[++c] = nb;
        }
        padded = Arrays.copyOf(breaks, nb + 2);
        padded[nb] = Double.NaN;
        padded[nb + 1] = Double.NaN;
    }

    /** The grid cell of x, clamped to the grid (NaN: cell 0); never decreases as x grows. */
    private int cell(double x) {
        int c = (int) ((x - gridLo) * gridInv);
        return Math.max(0, Math.min(cellStart.length - 2, c));
    }

    /** True if {@code m} is a ReLU network of one input with float32 or float64 weights. */
    public static boolean supports(Mlp m) {
        return m.in() == 1 && m.activation() == Activation.RELU;
    }

    /** More pieces than this (possible with deep networks, never seen in practice) and the form is not worth it. */
    public static final int MAX_PIECES = 1 << 16;

    /** The exact piecewise-affine form of {@code m} (see {@link #supports}), or null beyond {@link #MAX_PIECES} pieces. */
    public static PiecewiseLinearNet of(Mlp m) {
        if (!supports(m)) {
            throw new IllegalArgumentException("a piecewise-linear form needs a ReLU network with one input");
        }
        return of(m, 0, 1);
    }

    /**
     * The exact piecewise-affine form of a ReLU network {@code m} of any number of inputs, as a
     * function of u where its input vector is {@code scale * u} at index {@code input} and zero
     * elsewhere (a coupling's masked input with one kept coordinate); null beyond
     * {@link #MAX_PIECES} pieces.
     */
    public static PiecewiseLinearNet of(Mlp m, int input, double scale) {
        if (m.activation() != Activation.RELU) {
            throw new IllegalArgumentException("a piecewise-linear form needs a ReLU network");
        }
        if (input < 0 || input >= m.in()) {
            throw new IllegalArgumentException("input " + input + " is not one of the network's " + m.in());
        }
        List<Linear> layers = m.layers();
        int nl = layers.size();
        double[][][] w = new double[nl][][];
        double[][][] wt = new double[nl][][];
        double[][] b = new double[nl][];
        for (int l = 0; l < nl; l++) {
            Linear lin = layers.get(l);
            double[] wf = lin.weight().toDoubleArray();
            int o = lin.out();
            int k = lin.in();
            w[l] = new double[o][k];
            for (int r = 0; r < o; r++) {
                System.arraycopy(wf, r * k, w[l][r], 0, k);
            }
            b[l] = lin.bias().toDoubleArray();
            wt[l] = new double[k][o];
            for (int r = 0; r < o; r++) {
                for (int q = 0; q < k; q++) {
                    wt[l][q][r] = w[l][r][q];
                }
            }
        }
        // pieces of the current layer's pre-activation: starts and affine maps (a x + c)
        int width = layers.get(0).out();
        double[] a0 = new double[width];
        for (int r = 0; r < width; r++) {
            a0[r] = w[0][r][input] * scale;
        }
        Pieces pieces = new Pieces(1);
        pieces.add(Double.NEGATIVE_INFINITY, a0, b[0].clone());
        for (int l = 1; l < nl; l++) {
            pieces = pieces.through(w[l], wt[l], b[l]);
            if (pieces.count > MAX_PIECES) {
                return null;
            }
        }
        return pieces.toNet();
    }

    /**
     * The pieces of one layer's pre-activations during construction: piece p starts at starts[p]
     * (the first at -infinity) and ends where the next starts; on it the pre-activations are
     * as[p] x + cs[p]. Small methods, so that a first (cold) construction runs compiled code soon.
     */
    private static final class Pieces {
        double[] starts;
        double[][] as;
        double[][] cs;
        int count;

        Pieces(int capacity) {
            starts = new double[capacity];
            as = new double[capacity][];
            cs = new double[capacity][];
        }

        void add(double start, double[] a, double[] c) {
            if (count == starts.length) {
                int grown = 2 * count + 8;
                starts = Arrays.copyOf(starts, grown);
                as = Arrays.copyOf(as, grown);
                cs = Arrays.copyOf(cs, grown);
            }
            starts[count] = start;
            as[count] = a;
            cs[count] = c;
            count++;
        }

        /**
         * The next layer's pre-activations (weights w[out][in], the same transposed wt[in][out],
         * bias): each piece cut at the zeros of this layer's units inside it, and on each
         * sub-piece the affine map through the units that are on there.
         */
        Pieces through(double[][] w, double[][] wt, double[] bias) {
            int width = w[0].length;
            Pieces next = new Pieces(2 * count + width);
            boolean[] on = new boolean[width];
            double[] roots = new double[width];
            for (int p = 0; p < count; p++) {
                double lo = starts[p];
                double hi = p + 1 < count ? starts[p + 1] : Double.POSITIVE_INFINITY;
                int nr = roots(as[p], cs[p], lo, hi, roots);
                double s = lo;
                double[] na = null;
                double[] nc = null;
                for (int q = 0; q <= nr; q++) {
                    double e = q < nr ? roots[q] : hi;
                    if (q < nr && e <= s) {
                        continue; // repeated root
                    }
                    double mid = midpoint(s, e);
                    if (na == null) {
                        na = new double[w.length];
                        nc = new double[w.length];
                        switchOn(as[p], cs[p], mid, on);
                        mapThroughOn(w, bias, as[p], cs[p], on, na, nc);
                    } else {
                        na = na.clone();
                        nc = nc.clone();
                        toggle(wt, as[p], cs[p], mid, on, na, nc);
                    }
                    next.add(s, na, nc);
                    s = e;
                }
            }
            return next;
        }

        /** The zeros of the units a x + c strictly inside (lo, hi), sorted, into roots; returns their number. */
        private static int roots(double[] a, double[] c, double lo, double hi, double[] roots) {
            int nr = 0;
            for (int r = 0; r < a.length; r++) {
                if (a[r] != 0) {
                    double z = -c[r] / a[r];
                    if (z > lo && z < hi) {
                        roots[nr++] = z;
                    }
                }
            }
            Arrays.sort(roots, 0, nr);
            return nr;
        }

        /** A point inside the sub-piece [s, e) (either end may be infinite, not both the same). */
        private static double midpoint(double s, double e) {
            if (Double.isInfinite(s)) {
                return Double.isInfinite(e) ? 0 : e - 1;
            }
            return Double.isInfinite(e) ? s + 1 : 0.5 * (s + e);
        }

        /** Which units a x + c are on at x = mid. */
        private static void switchOn(double[] a, double[] c, double mid, boolean[] on) {
            for (int r = 0; r < a.length; r++) {
                on[r] = a[r] * mid + c[r] > 0;
            }
        }

        /** The next pre-activations na x + nc through the units that are on (a sub-piece's first map). */
        private static void mapThroughOn(double[][] w, double[] bias, double[] a, double[] c, boolean[] on,
                double[] na, double[] nc) {
            for (int o = 0; o < w.length; o++) {
                double sa = 0;
                double sc = bias[o];
                double[] row = w[o];
                for (int r = 0; r < a.length; r++) {
                    if (on[r]) {
                        sa += row[r] * a[r];
                        sc += row[r] * c[r];
                    }
                }
                na[o] = sa;
                nc[o] = sc;
            }
        }

        /** The previous sub-piece's map updated by the units whose state differs at x = mid. */
        private static void toggle(double[][] wt, double[] a, double[] c, double mid, boolean[] on, double[] na,
                double[] nc) {
            for (int r = 0; r < a.length; r++) {
                boolean now = a[r] * mid + c[r] > 0;
                if (now != on[r]) {
                    on[r] = now;
                    addColumn(wt[r], now ? a[r] : -a[r], now ? c[r] : -c[r], na, nc);
                }
            }
        }

        private static void addColumn(double[] col, double da, double dc, double[] na, double[] nc) {
            for (int o = 0; o < na.length; o++) {
                na[o] += col[o] * da;
                nc[o] += col[o] * dc;
            }
        }

        /** The final layer's pieces as a network of their outputs. */
        PiecewiseLinearNet toNet() {
            int out = as[0].length;
            double[] breaks = Arrays.copyOfRange(starts, 1, count);
            double[] slope = new double[count * out];
            double[] intercept = new double[count * out];
            for (int p = 0; p < count; p++) {
                System.arraycopy(as[p], 0, slope, p * out, out);
                System.arraycopy(cs[p], 0, intercept, p * out, out);
            }
            return new PiecewiseLinearNet(out, breaks, slope, intercept);
        }
    }

    /** Slope of output j on piece p. */
    public double slope(int p, int j) {
        return slope[p * out + j];
    }

    /** Intercept of output j on piece p. */
    public double intercept(int p, int j) {
        return intercept[p * out + j];
    }

    public int out() {
        return out;
    }

    public int pieces() {
        return breaks.length + 1;
    }

    /** Break point i (0 <= i < pieces() - 1), ascending (tests). */
    double breakPoint(int i) {
        return breaks[i];
    }

    /** The piece holding x: the number of break points <= x. */
    public int piece(double x) {
        int c = cell(x);
        int p = cellStart[c];
        int end = cellStart[c + 1];
        double[] bp = padded;
        if (end - p <= 2) {
            // most cells hold at most two break points: two comparisons without a branch to mispredict
            return p + (bp[p] <= x ? 1 : 0) + (bp[p + 1] <= x ? 1 : 0);
        }
        while (p < end && bp[p] <= x) {
            p++;
        }
        return p;
    }

    /** The pieces of n inputs x[off + i * stride] into piece[i], i < n (see {@link #piece(double)}). */
    public void pieces(double[] x, int off, int stride, int n, int[] piece) {
        for (int i = 0; i < n; i++) {
            piece[i] = piece(x[off + i * stride]);
        }
    }

    /**
     * Output j of n inputs x[off + i * stride] whose pieces are piece[i] (from {@link #pieces}),
     * in double precision, into dst[i].
     */
    public void output(int j, double[] x, int off, int stride, int n, int[] piece, double[] dst) {
        double[] sl = slopeT[j];
        double[] ic = interceptT[j];
        for (int i = 0; i < n; i++) {
            int p = piece[i];
            dst[i] = sl[p] * x[off + i * stride] + ic[p];
        }
    }

    /**
     * Outputs for n inputs: x[xOff + i * xStride] for i < n, outputs i to
     * dst[dstOff + i * dstStride + j], j < out, rounded to float32.
     */
    public void evaluate(float[] x, int xOff, int xStride, int n, float[] dst, int dstOff, int dstStride) {
        int o = out;
        double[] sl = slope;
        double[] ic = intercept;
        for (int i = 0; i < n; i++) {
            double v = x[xOff + i * xStride];
            int base = piece(v) * o;
            int d = dstOff + i * dstStride;
            for (int j = 0; j < o; j++) {
                dst[d + j] = (float) (sl[base + j] * v + ic[base + j]);
            }
        }
    }

    /**
     * Outputs for n inputs x[xOff + i], in double precision, by columns: output j of input i to
     * dst[dstOff + j * colStride + i] (the layout of {@link org.flows4j.kernels.SplineKernel});
     * piece is scratch of length >= n.
     */
    public void evaluateColumns(float[] x, int xOff, int n, double[] dst, int dstOff, int colStride, int[] piece) {
        for (int i = 0; i < n; i++) {
            piece[i] = piece(x[xOff + i]);
        }
        for (int j = 0; j < out; j++) {
            double[] sl = slopeT[j];
            double[] ic = interceptT[j];
            int d = dstOff + j * colStride;
            for (int i = 0; i < n; i++) {
                int p = piece[i];
                dst[d + i] = sl[p] * x[xOff + i] + ic[p];
            }
        }
    }

    /** The network at one point, in double precision. */
    public double[] evaluate(double x) {
        int base = piece(x) * out;
        double[] r = new double[out];
        for (int j = 0; j < out; j++) {
            r[j] = slope[base + j] * x + intercept[base + j];
        }
        return r;
    }

    /**
     * Several networks of the same input as one: the union of their break points, and on each
     * piece their outputs side by side (out = the sum of theirs). One look-up serves them all.
     */
    public static PiecewiseLinearNet concat(List<PiecewiseLinearNet> nets) {
        if (nets.size() == 1) {
            return nets.get(0);
        }
        int out = 0;
        int total = 0;
        for (PiecewiseLinearNet n : nets) {
            out += n.out;
            total += n.breaks.length;
        }
        double[] all = new double[total];
        int at = 0;
        for (PiecewiseLinearNet n : nets) {
            System.arraycopy(n.breaks, 0, all, at, n.breaks.length);
            at += n.breaks.length;
        }
        Arrays.sort(all);
        int unique = 0;
        for (int i = 0; i < total; i++) {
            if (unique == 0 || all[i] != all[unique - 1]) {
                all[unique++] = all[i];
            }
        }
        double[] breaks = Arrays.copyOf(all, unique);
        int pieces = unique + 1;
        double[] slope = new double[pieces * out];
        double[] intercept = new double[pieces * out];
        int col = 0;
        for (PiecewiseLinearNet n : nets) {
            int q = 0; // n's piece holding union piece p: the number of n's breaks <= its start
            for (int p = 0; p < pieces; p++) {
                if (p > 0) {
                    while (q < n.breaks.length && n.breaks[q] <= breaks[p - 1]) {
                        q++;
                    }
                }
                System.arraycopy(n.slope, q * n.out, slope, p * out + col, n.out);
                System.arraycopy(n.intercept, q * n.out, intercept, p * out + col, n.out);
            }
            col += n.out;
        }
        return new PiecewiseLinearNet(out, breaks, slope, intercept);
    }

    /**
     * For {@code n} inputs, the first two outputs (out must be 2): into a[i] and b[i].
     */
    public void evaluatePairs(float[] x, int xOff, int n, double[] a, double[] b) {
        double[] sl = slope;
        double[] ic = intercept;
        for (int i = 0; i < n; i++) {
            double v = x[xOff + i];
            int base = 2 * piece(v);
            a[i] = sl[base] * v + ic[base];
            b[i] = sl[base + 1] * v + ic[base + 1];
        }
    }
}
