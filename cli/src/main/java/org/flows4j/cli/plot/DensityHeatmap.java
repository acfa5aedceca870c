package org.flows4j.cli.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.image.BufferedImage;
import java.util.Objects;

/**
 * Renders a density on a rectilinear grid as a viridis heat map with Java2D: axes with ticks, an
 * optional overlay of points and a colour bar. Package-private; use {@link Plots#densityHeatmap}.
 */
final class DensityHeatmap {
    private DensityHeatmap() {}

    static final int PLOT_SIZE = 600;
    private static final int TITLE_BAND = 44;
    private static final int TICK_LEN = 5;
    private static final int BAR_GAP = 22;
    private static final int BAR_WIDTH = 18;
    private static final Color FRAME = new Color(0x33, 0x33, 0x33);
    private static final Color TEXT = new Color(0x22, 0x22, 0x22);
    private static final Color MISSING = new Color(0xd9, 0xd9, 0xd9);

    private static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 16);
    private static final Font TICK_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    private static final Font AXIS_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 14);

    /** Where the plot area landed in the image; used by tests to find data coordinates. */
    record Layout(int plotLeft, int plotTop, int plotSize, double xMin, double xMax, double yMin, double yMax) {
        int px(double x) {
            return plotLeft + (int) Math.floor((x - xMin) / (xMax - xMin) * plotSize);
        }

        int py(double y) {
            return plotTop + plotSize - 1 - (int) Math.floor((y - yMin) / (yMax - yMin) * plotSize);
        }
    }

    record Rendered(BufferedImage image, Layout layout) {}

    static Rendered render(double[] xs, double[] ys, double[][] density, double[][] points, String title) {
        Objects.requireNonNull(xs, "xs");
        Objects.requireNonNull(ys, "ys");
        Objects.requireNonNull(density, "density");
        checkAxis(xs, "xs");
        checkAxis(ys, "ys");
        if (density.length != ys.length) {
            throw new IllegalArgumentException(
                    "density has " + density.length + " rows but ys has " + ys.length + " values");
        }
        double max = 0;
        for (int iy = 0; iy < density.length; iy++) {
            double[] row = density[iy];
            if (row == null || row.length != xs.length) {
                throw new IllegalArgumentException("density row " + iy + " has "
                        + (row == null ? "no" : String.valueOf(row.length)) + " values but xs has " + xs.length);
            }
            for (double v : row) {
                if (Double.isFinite(v) && v > max) {
                    max = v;
                }
            }
        }
        if (points != null) {
            for (int i = 0; i < points.length; i++) {
                if (points[i] == null || points[i].length < 2) {
                    throw new IllegalArgumentException("overlay point " + i + " is not an [x, y] pair");
                }
            }
        }

        double[] xe = edges(xs);
        double[] ye = edges(ys);
        double xMin = xe[0];
        double xMax = xe[xe.length - 1];
        double yMin = ye[0];
        double yMax = ye[ye.length - 1];

        Ticks.Scale xTicks = Ticks.nice(xMin, xMax, 7);
        Ticks.Scale yTicks = Ticks.nice(yMin, yMax, 7);
        Ticks.Scale barTicks = max > 0 ? Ticks.nice(0, max, 6) : new Ticks.Scale(1, new double[] {0});

        // Measure text to size the margins so nothing is clipped.
        BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D sg = scratch.createGraphics();
        FontMetrics tickFm = sg.getFontMetrics(TICK_FONT);
        FontMetrics axisFm = sg.getFontMetrics(AXIS_FONT);
        FontMetrics titleFm = sg.getFontMetrics(TITLE_FONT);
        int yLabelWidth = maxWidth(tickFm, yTicks);
        int barLabelWidth = maxWidth(tickFm, barTicks);
        int xLastHalf = xTicks.values().length == 0 ? 0
                : tickFm.stringWidth(xTicks.label(xTicks.values()[xTicks.values().length - 1])) / 2;
        sg.dispose();

        int left = 14 + axisFm.getHeight() + 8 + yLabelWidth + TICK_LEN + 4;
        int top = TITLE_BAND;
        int plot = PLOT_SIZE;
        int barLeft = left + plot + Math.max(BAR_GAP, xLastHalf + 8);
        int right = barLeft + BAR_WIDTH + TICK_LEN + 4 + barLabelWidth + 10 + axisFm.getHeight() + 12;
        int bottom = top + plot + TICK_LEN + 4 + tickFm.getHeight() + 8 + axisFm.getHeight() + 12;

        String t = title == null ? "" : title;
        Font titleFont = TITLE_FONT;
        int width = right;
        int titleRoom = width - 20;
        while (titleFont.getSize() > 9 && titleFm.stringWidth(t) > titleRoom) {
            titleFont = titleFont.deriveFont((float) (titleFont.getSize() - 1));
            Graphics2D mg = scratch.createGraphics();
            titleFm = mg.getFontMetrics(titleFont);
            mg.dispose();
        }

        BufferedImage img = new BufferedImage(width, bottom, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, img.getWidth(), img.getHeight());
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);

            Layout layout = new Layout(left, top, plot, xMin, xMax, yMin, yMax);

            // Cells: integer pixel edges so neighbouring cells share a boundary with no gaps.
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
            int[] colX = new int[xe.length];
            for (int i = 0; i < xe.length; i++) {
                colX[i] = left + (int) Math.round((xe[i] - xMin) / (xMax - xMin) * plot);
            }
            int[] rowY = new int[ye.length];
            for (int i = 0; i < ye.length; i++) {
                rowY[i] = top + plot - (int) Math.round((ye[i] - yMin) / (yMax - yMin) * plot);
            }
            for (int iy = 0; iy < ys.length; iy++) {
                int y0 = rowY[iy + 1]; // upper edge on screen (larger y value)
                int h = rowY[iy] - y0;
                if (h <= 0) {
                    continue;
                }
                double[] row = density[iy];
                for (int ix = 0; ix < xs.length; ix++) {
                    int x0 = colX[ix];
                    int w = colX[ix + 1] - x0;
                    if (w <= 0) {
                        continue;
                    }
                    double v = row[ix];
                    if (!Double.isFinite(v)) {
                        g.setColor(MISSING);
                    } else {
                        g.setColor(new Color(Viridis.rgb(max > 0 ? v / max : 0)));
                    }
                    g.fillRect(x0, y0, w, h);
                }
            }

            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            if (points != null && points.length > 0) {
                drawOverlay(g, points, layout);
            }

            // Frame and axis ticks.
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
            g.setStroke(new BasicStroke(1f));
            g.setColor(FRAME);
            g.drawRect(left - 1, top - 1, plot + 1, plot + 1);
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            FontMetrics fm = g.getFontMetrics(TICK_FONT);
            g.setFont(TICK_FONT);
            for (double v : xTicks.values()) {
                int x = left + (int) Math.round((v - xMin) / (xMax - xMin) * plot);
                g.setColor(FRAME);
                g.drawLine(x, top + plot, x, top + plot + TICK_LEN);
                String s = xTicks.label(v);
                g.setColor(TEXT);
                g.drawString(s, x - fm.stringWidth(s) / 2f, top + plot + TICK_LEN + 3 + fm.getAscent());
            }
            for (double v : yTicks.values()) {
                int y = top + plot - (int) Math.round((v - yMin) / (yMax - yMin) * plot);
                g.setColor(FRAME);
                g.drawLine(left - 1 - TICK_LEN, y, left - 1, y);
                String s = yTicks.label(v);
                g.setColor(TEXT);
                g.drawString(s, left - 1 - TICK_LEN - 4 - fm.stringWidth(s),
                        y + (fm.getAscent() - fm.getDescent()) / 2f);
            }

            // Axis titles.
            g.setFont(AXIS_FONT);
            FontMetrics afm = g.getFontMetrics(AXIS_FONT);
            g.setColor(TEXT);
            int xTitleBase = top + plot + TICK_LEN + 4 + fm.getHeight() + 6 + afm.getAscent();
            g.drawString("x", left + plot / 2f - afm.stringWidth("x") / 2f, xTitleBase);
            drawRotated(g, "y", 14 + afm.getAscent(), top + plot / 2f, afm);

            // Title, centred over the plot area when it fits there, else over the whole image.
            if (!t.isEmpty()) {
                g.setFont(titleFont);
                FontMetrics tfm = g.getFontMetrics(titleFont);
                int tw = tfm.stringWidth(t);
                float cx = left + plot / 2f;
                float tx = cx - tw / 2f;
                if (tx < 10 || tx + tw > width - 10) {
                    tx = Math.max(10, (width - tw) / 2f);
                }
                g.drawString(t, tx, (top - tfm.getHeight()) / 2f + tfm.getAscent());
            }

            drawColourBar(g, barLeft, top, plot, max, barTicks, fm, afm);
            return new Rendered(img, layout);
        } finally {
            g.dispose();
        }
    }

    private static void drawOverlay(Graphics2D g, double[][] points, Layout l) {
        Shape oldClip = g.getClip();
        g.clipRect(l.plotLeft(), l.plotTop(), l.plotSize(), l.plotSize());
        int n = points.length;
        // Fewer, bigger dots stay visible; many dots are made fainter so they do not hide the map.
        double r = n <= 500 ? 2.2 : n <= 5000 ? 1.7 : 1.3;
        int alpha = n <= 500 ? 210 : n <= 5000 ? 150 : 100;
        Color fill = new Color(255, 255, 255, alpha);
        Color edge = new Color(0, 0, 0, Math.max(40, alpha / 2));
        g.setStroke(new BasicStroke(0.6f));
        double sx = l.plotSize() / (l.xMax() - l.xMin());
        double sy = l.plotSize() / (l.yMax() - l.yMin());
        Ellipse2D.Double dot = new Ellipse2D.Double();
        for (double[] p : points) {
            double x = p[0];
            double y = p[1];
            if (!Double.isFinite(x) || !Double.isFinite(y)) {
                continue;
            }
            double px = l.plotLeft() + (x - l.xMin()) * sx;
            double py = l.plotTop() + l.plotSize() - (y - l.yMin()) * sy;
            dot.setFrame(px - r, py - r, 2 * r, 2 * r);
            g.setColor(fill);
            g.fill(dot);
            g.setColor(edge);
            g.draw(dot);
        }
        g.setClip(oldClip);
    }

    private static void drawColourBar(Graphics2D g, int x, int top, int h, double max, Ticks.Scale ticks,
            FontMetrics fm, FontMetrics afm) {
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
        for (int i = 0; i < h; i++) {
            double t = (h - 1 - i) / (double) (h - 1);
            g.setColor(new Color(Viridis.rgb(t)));
            g.drawLine(x, top + i, x + BAR_WIDTH - 1, top + i);
        }
        g.setColor(FRAME);
        g.drawRect(x - 1, top - 1, BAR_WIDTH + 1, h + 1);
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setFont(fm.getFont());
        int labelRight = 0;
        for (double v : ticks.values()) {
            double frac = max > 0 ? v / max : 0;
            int y = top + h - 1 - (int) Math.round(frac * (h - 1));
            g.setColor(FRAME);
            g.drawLine(x + BAR_WIDTH, y, x + BAR_WIDTH + TICK_LEN, y);
            String s = ticks.label(v);
            g.setColor(TEXT);
            float base = y + (fm.getAscent() - fm.getDescent()) / 2f;
            base = Math.max(base, top - 1 + fm.getAscent() - fm.getDescent());
            int lx = x + BAR_WIDTH + TICK_LEN + 4;
            g.drawString(s, lx, base);
            labelRight = Math.max(labelRight, lx + fm.stringWidth(s));
        }
        g.setFont(afm.getFont());
        g.setColor(TEXT);
        drawRotated(g, "density", Math.max(labelRight, x + BAR_WIDTH + TICK_LEN + 4) + 10 + afm.getAscent(),
                top + h / 2f, afm);
    }

    /** Draws {@code s} rotated 90 degrees counter-clockwise, centred vertically on {@code cy}. */
    private static void drawRotated(Graphics2D g, String s, float baselineX, float cy, FontMetrics fm) {
        AffineTransform saved = g.getTransform();
        g.translate(baselineX, cy);
        g.rotate(-Math.PI / 2);
        g.drawString(s, -fm.stringWidth(s) / 2f, 0);
        g.setTransform(saved);
    }

    private static int maxWidth(FontMetrics fm, Ticks.Scale ticks) {
        int w = 0;
        for (double v : ticks.values()) {
            w = Math.max(w, fm.stringWidth(ticks.label(v)));
        }
        return w;
    }

    private static void checkAxis(double[] a, String name) {
        if (a.length == 0) {
            throw new IllegalArgumentException(name + " is empty");
        }
        for (int i = 0; i < a.length; i++) {
            if (!Double.isFinite(a[i])) {
                throw new IllegalArgumentException(name + "[" + i + "] is not finite");
            }
            if (i > 0 && !(a[i] > a[i - 1])) {
                throw new IllegalArgumentException(name + " must be strictly increasing");
            }
        }
    }

    /** Cell edges from cell centres: midpoints inside, half a spacing beyond the ends. */
    static double[] edges(double[] c) {
        int n = c.length;
        double[] e = new double[n + 1];
        if (n == 1) {
            e[0] = c[0] - 0.5;
            e[1] = c[0] + 0.5;
            return e;
        }
        for (int i = 1; i < n; i++) {
            e[i] = 0.5 * (c[i - 1] + c[i]);
        }
        e[0] = c[0] - (e[1] - c[0]);
        e[n] = c[n - 1] + (c[n - 1] - e[n - 1]);
        return e;
    }
}
