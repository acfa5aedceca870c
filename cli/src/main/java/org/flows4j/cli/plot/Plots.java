package org.flows4j.cli.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import javax.imageio.ImageIO;
import org.flows4j.io.AtomicFiles;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * PNG plots for the command-line tool: training loss curves, side-by-side scatter plots and density
 * heat maps. Plain arrays in, a PNG file out; nothing here knows about the engine.
 *
 * <p>Every file is written atomically: the image is encoded in memory, written to a temporary file
 * in the target directory and moved over the target, so a reader never sees a half-written PNG.
 * Rendering is headless.
 */
public final class Plots {
    static {
        // Must happen before the first AWT class initialises its toolkit.
        System.setProperty("java.awt.headless", "true");
    }

    private Plots() {}

    static final int LOSS_WIDTH = 900;
    static final int LOSS_HEIGHT = 540;
    static final int PANEL_WIDTH = 560;
    static final int PANEL_HEIGHT = 560;

    /** Above this many steps the raw loss line is reduced to a per-bucket min/max envelope. */
    private static final int RAW_DECIMATE_ABOVE = 6000;
    private static final int RAW_BUCKETS = 3000;

    private static final Color BLUE = new Color(31, 119, 180);
    private static final Color ORANGE = new Color(230, 110, 10);
    private static final Color RED = new Color(214, 39, 40);
    private static final Color DARK_BLUE = new Color(16, 52, 120);
    private static final Color RAW_LOSS = new Color(90, 150, 210, 110);
    private static final Color GRID = new Color(0xe3, 0xe3, 0xe3);
    private static final Color BORDER = new Color(0x99, 0x99, 0x99);

    /**
     * Plots a training loss curve: the raw per-step loss as a thin light line, its moving average
     * (window {@code max(1, n/50)}) as a bold line, and optionally a dashed horizontal reference
     * line such as the entropy of the data distribution. The x axis is the step (1-based), the y
     * axis the negative log-likelihood in nats. The y range follows the moving average, so an early
     * spike in the raw loss is clipped instead of squashing the rest of the curve. Non-finite
     * losses are skipped.
     *
     * @param out where to write the PNG (parent directories are created)
     * @param loss the loss at each step; at least one value
     * @param title the chart title (may be null)
     * @param floor the reference level, or NaN for none
     * @param floorLabel the legend text for the reference line; null or blank for a default
     * @throws IllegalArgumentException if {@code loss} is empty
     */
    public static void lossCurve(Path out, double[] loss, String title, double floor, String floorLabel)
            throws IOException {
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(loss, "loss");
        if (loss.length == 0) {
            throw new IllegalArgumentException("loss is empty");
        }
        int n = loss.length;
        int window = Math.max(1, n / 50);
        double[] avg = movingAverage(loss, window);
        boolean hasFloor = Double.isFinite(floor);

        double[] range = lossRange(loss, avg, hasFloor ? floor : Double.NaN);

        XYChart chart = new XYChartBuilder()
                .width(LOSS_WIDTH)
                .height(LOSS_HEIGHT)
                .title(title == null ? "" : title)
                .xAxisTitle("step")
                .yAxisTitle("NLL (nats)")
                .build();
        styleAxes(chart);
        chart.getStyler().setLegendVisible(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setLegendBorderColor(BORDER);
        chart.getStyler().setLegendBackgroundColor(new Color(255, 255, 255, 230));
        chart.getStyler().setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        chart.getStyler().setLegendSeriesLineLength(28);
        // The half step past the end also keeps XChart's "equally spaced x values" tick mode (one
        // label per data point, at odd positions such as 251, 502, ...) from kicking in.
        double xMax = Math.max(2, n) + 0.5;
        chart.getStyler().setXAxisMin(0.0);
        chart.getStyler().setXAxisMax(xMax);
        chart.getStyler().setXAxisTickLabelsFormattingFunction(Plots::compactCount);
        chart.getStyler().setXAxisTickMarkSpacingHint(90);
        chart.getStyler().setPlotContentSize(1.0);
        chart.getStyler().setYAxisMin(range[0]);
        chart.getStyler().setYAxisMax(range[1]);

        double[][] raw = rawSeries(loss);
        double[][] smooth = finiteSeries(avg, n > RAW_DECIMATE_ABOVE ? n / RAW_BUCKETS : 1);
        String rawName = "loss (per step)";
        String avgName = "moving average (" + window + " steps)";
        if (window > 1 && raw[0].length > 0) {
            XYSeries s = chart.addSeries(rawName, raw[0], raw[1]);
            s.setMarker(SeriesMarkers.NONE);
            s.setLineColor(RAW_LOSS);
            s.setLineStyle(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND));
        }
        if (smooth[0].length > 0) {
            // With fewer than 100 steps the window is 1 and the average is the loss itself: one line.
            if (window == 1) {
                avgName = "loss";
            }
            XYSeries s = chart.addSeries(avgName, smooth[0], smooth[1]);
            // A lone point would be invisible as a line.
            s.setMarker(smooth[0].length == 1 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
            s.setMarkerColor(DARK_BLUE);
            s.setLineColor(DARK_BLUE);
            s.setLineStyle(new BasicStroke(window == 1 ? 2f : 2.5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        }
        if (hasFloor) {
            String label = floorLabel == null || floorLabel.isBlank()
                    ? "floor " + shortNumber(floor)
                    : floorLabel;
            if (label.equals(rawName) || label.equals(avgName)) {
                label = label + " ";
            }
            XYSeries s = chart.addSeries(label, new double[] {0, xMax}, new double[] {floor, floor});
            s.setMarker(SeriesMarkers.NONE);
            s.setLineColor(RED);
            s.setLineStyle(new BasicStroke(1.6f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                    new float[] {7f, 5f}, 0f));
        }
        if (chart.getSeriesCollection().isEmpty()) {
            // Every loss was NaN/infinite: still produce a (labelled, empty) chart.
            XYSeries s = chart.addSeries("no finite loss values", new double[] {1}, new double[] {range[0]});
            s.setMarker(SeriesMarkers.NONE);
            s.setLineColor(new Color(0, 0, 0, 0));
        }
        writePng(out, BitmapEncoder.getBufferedImage(chart));
    }

    /**
     * Two scatter plots side by side with identical axis ranges, e.g. data samples next to model
     * samples. Rows are {@code [x, y]}; non-finite points are skipped. Markers are small and
     * semi-transparent so that dense regions read as darker.
     *
     * @throws IllegalArgumentException if a row is null or has fewer than two values
     */
    public static void scatterSideBySide(Path out, double[][] left, String leftTitle, double[][] right,
            String rightTitle) throws IOException {
        Objects.requireNonNull(out, "out");
        double[][] l = columns(Objects.requireNonNull(left, "left"), "left");
        double[][] r = columns(Objects.requireNonNull(right, "right"), "right");
        double[] box = scatterBounds(l, r);

        XYChart a = scatterPanel(l, leftTitle, box, BLUE);
        XYChart b = scatterPanel(r, rightTitle, box, ORANGE);
        BufferedImage ia = BitmapEncoder.getBufferedImage(a);
        BufferedImage ib = BitmapEncoder.getBufferedImage(b);
        BufferedImage img = new BufferedImage(ia.getWidth() + ib.getWidth(),
                Math.max(ia.getHeight(), ib.getHeight()), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, img.getWidth(), img.getHeight());
            g.drawImage(ia, 0, 0, null);
            g.drawImage(ib, ia.getWidth(), 0, null);
        } finally {
            g.dispose();
        }
        writePng(out, img);
    }

    /**
     * A heat map of a density on a grid, in viridis from 0 (dark purple) to the grid maximum
     * (yellow), with axis ticks, a colour bar labelled "density" and optionally a point overlay.
     * The plot area is 600 x 600 pixels and y points up.
     *
     * @param xs the cell centres along x, strictly increasing
     * @param ys the cell centres along y, strictly increasing
     * @param density {@code density[iy][ix]} is the value at {@code (xs[ix], ys[iy])}; non-finite
     *     cells are drawn grey, negative ones as 0
     * @param points points {@code [x, y]} to draw on top as small dots, or null
     * @throws IllegalArgumentException if the axes are empty, not finite or not increasing, or the
     *     density's shape does not match them
     */
    public static void densityHeatmap(Path out, double[] xs, double[] ys, double[][] density, double[][] points,
            String title) throws IOException {
        Objects.requireNonNull(out, "out");
        writePng(out, DensityHeatmap.render(xs, ys, density, points, title).image());
    }

    // ---------------------------------------------------------------- helpers

    static void writePng(Path out, BufferedImage img) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 16);
        if (!ImageIO.write(img, "png", bytes)) {
            throw new IOException("no PNG writer available");
        }
        AtomicFiles.write(out, bytes.toByteArray());
    }

    private static void styleAxes(XYChart chart) {
        var st = chart.getStyler();
        st.setChartBackgroundColor(Color.WHITE);
        st.setPlotBackgroundColor(Color.WHITE);
        st.setPlotBorderVisible(true);
        st.setPlotBorderColor(BORDER);
        st.setPlotGridLinesVisible(true);
        st.setPlotGridLinesColor(GRID);
        st.setPlotGridLinesStroke(new BasicStroke(1f));
        st.setChartTitleBoxVisible(false);
        st.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        st.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        st.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        st.setChartPadding(12);
        st.setAntiAlias(true);
    }

    private static XYChart scatterPanel(double[][] cols, String title, double[] box, Color colour) {
        XYChart chart = new XYChartBuilder()
                .width(PANEL_WIDTH)
                .height(PANEL_HEIGHT)
                .title(title == null ? "" : title)
                .xAxisTitle("x")
                .yAxisTitle("y")
                .build();
        styleAxes(chart);
        var st = chart.getStyler();
        st.setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        st.setLegendVisible(false);
        st.setXAxisMin(box[0]);
        st.setXAxisMax(box[1]);
        st.setYAxisMin(box[2]);
        st.setYAxisMax(box[3]);
        int n = cols[0].length;
        st.setMarkerSize(n <= 2000 ? 5 : n <= 20000 ? 4 : 3);
        int alpha = n <= 300 ? 170 : n <= 2000 ? 110 : n <= 10000 ? 70 : 45;
        String name = "points";
        if (n > 0) {
            XYSeries s = chart.addSeries(name, cols[0], cols[1]);
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setMarkerColor(new Color(colour.getRed(), colour.getGreen(), colour.getBlue(), alpha));
        } else {
            // XChart needs a series to draw axes; an invisible point keeps the panel's frame. It sits
            // off-centre so that XChart does not take {min, point, max} for equally spaced data and
            // put ticks only at the ends.
            double px = box[0] + 0.37 * (box[1] - box[0]);
            double py = box[2] + 0.37 * (box[3] - box[2]);
            XYSeries s = chart.addSeries(name, new double[] {px}, new double[] {py});
            s.setMarker(SeriesMarkers.NONE);
            s.setMarkerColor(new Color(0, 0, 0, 0));
        }
        return chart;
    }

    /** Finite rows of an n x 2 array as {xs, ys}. */
    private static double[][] columns(double[][] pts, String name) {
        double[] x = new double[pts.length];
        double[] y = new double[pts.length];
        int k = 0;
        for (int i = 0; i < pts.length; i++) {
            double[] p = pts[i];
            if (p == null || p.length < 2) {
                throw new IllegalArgumentException(name + " point " + i + " is not an [x, y] pair");
            }
            if (Double.isFinite(p[0]) && Double.isFinite(p[1])) {
                x[k] = p[0];
                y[k] = p[1];
                k++;
            }
        }
        return new double[][] {Arrays.copyOf(x, k), Arrays.copyOf(y, k)};
    }

    /**
     * Shared axis box {xmin, xmax, ymin, ymax} for both panels: the union of the central 99.6% of
     * each set along each axis (so a handful of far outliers from an untrained model do not shrink
     * everything else to a dot; they fall outside the frame), padded by 5%. When the two spans are
     * within a factor of 4, both axes get the same span so that shapes are not distorted in the
     * (nearly square) panels.
     */
    static double[] scatterBounds(double[][] a, double[][] b) {
        double xmin = Double.POSITIVE_INFINITY, xmax = Double.NEGATIVE_INFINITY;
        double ymin = Double.POSITIVE_INFINITY, ymax = Double.NEGATIVE_INFINITY;
        for (double[][] c : new double[][][] {a, b}) {
            if (c[0].length == 0) {
                continue;
            }
            double[] x = robustRange(c[0]);
            double[] y = robustRange(c[1]);
            xmin = Math.min(xmin, x[0]);
            xmax = Math.max(xmax, x[1]);
            ymin = Math.min(ymin, y[0]);
            ymax = Math.max(ymax, y[1]);
        }
        if (xmin > xmax) {
            xmin = -1;
            xmax = 1;
        }
        if (ymin > ymax) {
            ymin = -1;
            ymax = 1;
        }
        double xs = xmax - xmin;
        double ys = ymax - ymin;
        if (xs <= 0) {
            xs = ys > 0 ? ys : Math.max(2, Math.abs(xmin) * 0.2);
        }
        if (ys <= 0) {
            ys = xmax - xmin > 0 ? xmax - xmin : Math.max(2, Math.abs(ymin) * 0.2);
        }
        double xc = 0.5 * (xmin + xmax);
        double yc = 0.5 * (ymin + ymax);
        if (Math.max(xs, ys) <= 4 * Math.min(xs, ys)) {
            xs = ys = Math.max(xs, ys);
        }
        double xh = 0.5 * xs * 1.1;
        double yh = 0.5 * ys * 1.1;
        return new double[] {xc - xh, xc + xh, yc - yh, yc + yh};
    }

    /** The 0.2% and 99.8% quantiles (the min and max for fewer than 500 values). */
    private static double[] robustRange(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int k = (int) Math.floor(0.002 * s.length);
        return new double[] {s[k], s[s.length - 1 - k]};
    }

    /**
     * Step counts for tick labels: 0, 250, 1,500, 20k, 150k, 1.5M; blank for the fractional ticks
     * that a run of only a few steps would otherwise get.
     */
    static String compactCount(Double v) {
        double a = Math.abs(v);
        if (a < 1e4 && Math.abs(v - Math.rint(v)) > 1e-6) {
            return "";
        }
        if (a >= 1e6) {
            return shortNumber(v / 1e6) + "M";
        }
        if (a >= 1e4) {
            return shortNumber(v / 1e3) + "k";
        }
        return String.format(Locale.ROOT, "%,.0f", v);
    }

    /** A number with at most four significant digits and no trailing zeros: 1.125, -0.4, 12. */
    static String shortNumber(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        String s = new java.math.BigDecimal(v).round(new java.math.MathContext(4)).stripTrailingZeros()
                .toPlainString();
        return s;
    }

    /** Centred moving average over the finite values in each window; NaN where there are none. */
    static double[] movingAverage(double[] v, int window) {
        int n = v.length;
        double[] prefix = new double[n + 1];
        int[] count = new int[n + 1];
        for (int i = 0; i < n; i++) {
            boolean ok = Double.isFinite(v[i]);
            prefix[i + 1] = prefix[i] + (ok ? v[i] : 0);
            count[i + 1] = count[i] + (ok ? 1 : 0);
        }
        int before = (window - 1) / 2;
        int after = window - 1 - before;
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            int lo = Math.max(0, i - before);
            int hi = Math.min(n, i + after + 1);
            int c = count[hi] - count[lo];
            out[i] = c == 0 ? Double.NaN : (prefix[hi] - prefix[lo]) / c;
        }
        return out;
    }

    /**
     * The y range {lo, hi} of a loss plot. The top follows the moving average after the first 1% of
     * steps (so one huge early value does not flatten everything), the bottom the 0.5% quantile of
     * the raw loss so that its noise band stays visible; the floor is always inside.
     */
    static double[] lossRange(double[] loss, double[] avg, double floor) {
        int n = loss.length;
        int skip = n >= 20 ? Math.max(1, n / 100) : 0;
        double hi = Double.NEGATIVE_INFINITY;
        double avgMin = Double.POSITIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            if (Double.isFinite(avg[i])) {
                if (i >= skip) {
                    hi = Math.max(hi, avg[i]);
                }
                avgMin = Math.min(avgMin, avg[i]);
            }
        }
        double[] finite = Arrays.stream(loss).filter(Double::isFinite).sorted().toArray();
        double lo = finite.length == 0 ? Double.NaN : finite[(int) Math.floor(0.005 * (finite.length - 1))];
        lo = Math.min(lo, avgMin);
        if (!Double.isFinite(hi)) {
            // Too few points after skipping: fall back to the whole range.
            hi = finite.length == 0 ? Double.NaN : finite[finite.length - 1];
        }
        if (Double.isFinite(floor)) {
            lo = Double.isFinite(lo) ? Math.min(lo, floor) : floor;
            hi = Double.isFinite(hi) ? Math.max(hi, floor) : floor;
        }
        if (!Double.isFinite(lo) || !Double.isFinite(hi)) {
            return new double[] {0, 1};
        }
        double span = hi - lo;
        if (span <= 0) {
            span = Math.max(Math.abs(hi) * 0.1, 1e-6);
            return new double[] {lo - span, hi + span};
        }
        return new double[] {lo - 0.05 * span, hi + 0.08 * span};
    }

    /** The raw loss as {steps, values}, finite values only, min/max-decimated when very long. */
    static double[][] rawSeries(double[] loss) {
        int n = loss.length;
        if (n <= RAW_DECIMATE_ABOVE) {
            double[] x = new double[n];
            double[] y = new double[n];
            int k = 0;
            for (int i = 0; i < n; i++) {
                if (Double.isFinite(loss[i])) {
                    x[k] = i + 1;
                    y[k] = loss[i];
                    k++;
                }
            }
            return new double[][] {Arrays.copyOf(x, k), Arrays.copyOf(y, k)};
        }
        // Each bucket contributes its min and its max, in step order, so the band of noise keeps its
        // true envelope while the line has a bounded number of vertices.
        double[] x = new double[2 * RAW_BUCKETS];
        double[] y = new double[2 * RAW_BUCKETS];
        int k = 0;
        for (int b = 0; b < RAW_BUCKETS; b++) {
            int from = (int) ((long) b * n / RAW_BUCKETS);
            int to = (int) ((long) (b + 1) * n / RAW_BUCKETS);
            int iMin = -1;
            int iMax = -1;
            for (int i = from; i < to; i++) {
                double v = loss[i];
                if (!Double.isFinite(v)) {
                    continue;
                }
                if (iMin < 0 || v < loss[iMin]) {
                    iMin = i;
                }
                if (iMax < 0 || v > loss[iMax]) {
                    iMax = i;
                }
            }
            if (iMin < 0) {
                continue;
            }
            int first = Math.min(iMin, iMax);
            int second = Math.max(iMin, iMax);
            x[k] = first + 1;
            y[k] = loss[first];
            k++;
            if (second != first) {
                x[k] = second + 1;
                y[k] = loss[second];
                k++;
            }
        }
        return new double[][] {Arrays.copyOf(x, k), Arrays.copyOf(y, k)};
    }

    /**
     * {steps, values} of the finite entries of {@code v}, keeping every {@code stride}-th one (and the
     * last); fine for an already smooth curve.
     */
    private static double[][] finiteSeries(double[] v, int stride) {
        double[] x = new double[v.length];
        double[] y = new double[v.length];
        int k = 0;
        for (int i = 0; i < v.length; i++) {
            if ((i % stride == 0 || i == v.length - 1) && Double.isFinite(v[i])) {
                x[k] = i + 1;
                y[k] = v[i];
                k++;
            }
        }
        return new double[][] {Arrays.copyOf(x, k), Arrays.copyOf(y, k)};
    }
}
