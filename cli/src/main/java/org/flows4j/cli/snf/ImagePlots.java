package org.flows4j.cli.snf;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.flows4j.cli.plot.Viridis;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The image benchmark's figures: 2-D histograms side by side (as the paper's Fig. 3a-c) and KL curves (Fig. 3d-e). */
final class ImagePlots {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    private ImagePlots() {}

    private static final int PANEL = 300;
    private static final int GAP = 12;
    private static final int TITLE = 26;
    private static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 14);
    private static final Font HEADER_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 16);
    private static final Color[] LINE_COLOURS = {new Color(214, 39, 40), new Color(31, 119, 180), new Color(44, 160, 44),
        new Color(148, 103, 189), new Color(255, 127, 14), new Color(23, 190, 207)};

    /** One panel: a title and a grid [x bin][y bin] (y up), drawn in viridis from 0 to its maximum. */
    record Panel(String title, double[][] grid) {}

    /**
     * Panels in rows of {@code columns}, each {@value #PANEL} pixels square, with an optional header
     * line across the top.
     */
    static void panels(Path out, String header, List<Panel> panels, int columns) throws IOException {
        int cols = Math.max(1, Math.min(columns, panels.size()));
        int rows = (panels.size() + cols - 1) / cols;
        int headerH = header == null ? 0 : 30;
        int w = GAP + cols * (PANEL + GAP);
        int h = headerH + GAP + rows * (TITLE + PANEL + GAP);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, w, h);
            g.setColor(new Color(0x22, 0x22, 0x22));
            if (header != null) {
                g.setFont(HEADER_FONT);
                g.drawString(header, GAP, 22);
            }
            g.setFont(TITLE_FONT);
            FontMetrics fm = g.getFontMetrics();
            for (int k = 0; k < panels.size(); k++) {
                Panel p = panels.get(k);
                int x0 = GAP + (k % cols) * (PANEL + GAP);
                int y0 = headerH + GAP + (k / cols) * (TITLE + PANEL + GAP);
                String t = p.title();
                while (fm.stringWidth(t) > PANEL && t.length() > 4) {
                    t = t.substring(0, t.length() - 2);
                }
                g.setColor(new Color(0x22, 0x22, 0x22));
                g.drawString(t, x0 + (PANEL - fm.stringWidth(t)) / 2, y0 + TITLE - 8);
                g.drawImage(render(p.grid()), x0, y0 + TITLE, null);
                g.setColor(new Color(0x66, 0x66, 0x66));
                g.drawRect(x0 - 1, y0 + TITLE - 1, PANEL + 1, PANEL + 1);
            }
        } finally {
            g.dispose();
        }
        SnfPlots.writePng(out, img);
    }

    /** A grid [x][y] as a PANEL x PANEL image, y up; scaled to the 99.9th percentile so single spikes do not wash it out. */
    static BufferedImage render(double[][] grid) {
        int nx = grid.length;
        int ny = grid[0].length;
        double[] all = new double[nx * ny];
        int k = 0;
        for (double[] row : grid) {
            for (double v : row) {
                all[k++] = Double.isFinite(v) ? v : 0;
            }
        }
        java.util.Arrays.sort(all);
        double top = all[Math.min(all.length - 1, (int) Math.floor(0.999 * all.length))];
        if (!(top > 0)) {
            top = all[all.length - 1] > 0 ? all[all.length - 1] : 1;
        }
        BufferedImage img = new BufferedImage(PANEL, PANEL, BufferedImage.TYPE_INT_RGB);
        for (int py = 0; py < PANEL; py++) {
            int iy = ny - 1 - (int) ((long) py * ny / PANEL);
            for (int px = 0; px < PANEL; px++) {
                int ix = (int) ((long) px * nx / PANEL);
                double v = grid[ix][iy];
                img.setRGB(px, py, Viridis.rgb(Double.isFinite(v) ? v / top : 0));
            }
        }
        return img;
    }

    /** A line of a KL plot: name, x, y, and whether it is drawn dashed without markers (a reference). */
    record Series(String name, double[] x, double[] y, boolean reference) {}

    /** KL against depth or MC steps, our values solid with markers, the paper's dashed. */
    static void klCurve(Path out, String title, String xLabel, List<Series> series, boolean logX) throws IOException {
        XYChart chart = new XYChartBuilder().width(760).height(520).title(title).xAxisTitle(xLabel)
                .yAxisTitle("KL divergence").build();
        var st = SnfPlots.paperStyle(chart);
        st.setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
        st.setXAxisLogarithmic(logX);
        st.setYAxisMin(0.0);
        st.setAntiAlias(true);
        int colour = 0;
        java.util.Map<String, Color> byMethod = new java.util.HashMap<>();
        for (Series s : series) {
            int n = 0;
            for (int i = 0; i < s.x().length; i++) {
                if (Double.isFinite(s.y()[i]) && (!logX || s.x()[i] > 0)) {
                    n++;
                }
            }
            if (n == 0) {
                continue;
            }
            double[] xs = new double[n];
            double[] ys = new double[n];
            n = 0;
            for (int i = 0; i < s.x().length; i++) {
                if (Double.isFinite(s.y()[i]) && (!logX || s.x()[i] > 0)) {
                    xs[n] = s.x()[i];
                    ys[n] = s.y()[i];
                    n++;
                }
            }
            String key = s.name().replace("paper ", "").replace("flows4j ", "");
            Color c = byMethod.computeIfAbsent(key, k -> LINE_COLOURS[byMethod.size() % LINE_COLOURS.length]);
            XYSeries xy = chart.addSeries(s.name(), xs, ys);
            xy.setLineColor(c);
            xy.setMarkerColor(c);
            if (s.reference()) {
                xy.setLineStyle(new BasicStroke(1.8f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                        new float[] {7f, 5f}, 0f));
                xy.setMarker(SeriesMarkers.DIAMOND);
            } else {
                xy.setLineStyle(new BasicStroke(2.4f));
                xy.setMarker(SeriesMarkers.CIRCLE);
            }
            colour++;
        }
        SnfPlots.writePng(out, BitmapEncoder.getBufferedImage(chart));
    }
}
