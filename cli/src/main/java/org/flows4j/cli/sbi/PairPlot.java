package org.flows4j.cli.sbi;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.flows4j.io.AtomicFiles;

/** A pair plot of two samples: scatter of every pair of parameters, overlaid histograms on the diagonal. */
final class PairPlot {
    private PairPlot() {}

    static final Color POSTERIOR = new Color(31, 119, 180);
    static final Color REFERENCE = new Color(230, 110, 10);

    static void write(Path out, double[][] posterior, double[][] reference, String[] names, String title)
            throws IOException {
        int d = names.length;
        int cell = d <= 3 ? 260 : d <= 5 ? 200 : 130;
        int margin = 40;
        int top = 50;
        int w = margin + d * cell + 10;
        int h = top + d * cell + margin;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title, margin, 20);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.setColor(POSTERIOR);
        g.drawString("posterior (NPE)", margin, 38);
        g.setColor(REFERENCE);
        g.drawString("reference", margin + 120, 38);
        double[][] range = new double[d][];
        for (int j = 0; j < d; j++) {
            range[j] = range(reference, posterior, j);
        }
        int maxPts = 2000;
        for (int r = 0; r < d; r++) {
            for (int c = 0; c < d; c++) {
                int x0 = margin + c * cell;
                int y0 = top + r * cell;
                g.setColor(new Color(0xcc, 0xcc, 0xcc));
                g.setStroke(new BasicStroke(1f));
                g.drawRect(x0 + 2, y0 + 2, cell - 4, cell - 4);
                if (r == c) {
                    hist(g, reference, c, range[c], x0, y0, cell, REFERENCE);
                    hist(g, posterior, c, range[c], x0, y0, cell, POSTERIOR);
                } else if (r > c) {
                    scatter(g, reference, c, r, range[c], range[r], x0, y0, cell, maxPts, REFERENCE);
                    scatter(g, posterior, c, r, range[c], range[r], x0, y0, cell, maxPts, POSTERIOR);
                } else {
                    scatter(g, posterior, c, r, range[c], range[r], x0, y0, cell, maxPts, POSTERIOR);
                    scatter(g, reference, c, r, range[c], range[r], x0, y0, cell, maxPts, REFERENCE);
                }
                if (r == d - 1) {
                    g.setColor(Color.BLACK);
                    String label = names[c] + " [" + fmt(range[c][0]) + ", " + fmt(range[c][1]) + "]";
                    g.drawString(clip(label, cell / 6), x0 + 4, y0 + cell + 14);
                }
            }
            g.setColor(Color.BLACK);
            Graphics2D g2 = (Graphics2D) g.create();
            g2.rotate(-Math.PI / 2);
            g2.drawString(clip(names[r], cell / 6), -(top + r * cell + cell / 2 + 20), margin - 10);
            g2.dispose();
        }
        g.dispose();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(img, "png", bytes);
        AtomicFiles.write(out, bytes.toByteArray());
    }

    private static String clip(String s, int n) {
        return s.length() <= n ? s : s.substring(0, Math.max(1, n));
    }

    private static String fmt(double v) {
        return String.format(java.util.Locale.ROOT, "%.3g", v);
    }

    private static double[] range(double[][] a, double[][] b, int j) {
        double[] v = new double[a.length + b.length];
        for (int i = 0; i < a.length; i++) {
            v[i] = a[i][j];
        }
        for (int i = 0; i < b.length; i++) {
            v[a.length + i] = b[i][j];
        }
        java.util.Arrays.sort(v);
        double lo = v[(int) (0.002 * (v.length - 1))];
        double hi = v[(int) (0.998 * (v.length - 1))];
        double pad = (hi - lo) * 0.05 + 1e-12;
        return new double[] {lo - pad, hi + pad};
    }

    private static void scatter(Graphics2D g, double[][] s, int cx, int cy, double[] rx, double[] ry, int x0, int y0,
            int cell, int maxPts, Color col) {
        g.setColor(new Color(col.getRed(), col.getGreen(), col.getBlue(), 60));
        int step = Math.max(1, s.length / maxPts);
        for (int i = 0; i < s.length; i += step) {
            double u = (s[i][cx] - rx[0]) / (rx[1] - rx[0]);
            double v = (s[i][cy] - ry[0]) / (ry[1] - ry[0]);
            if (u < 0 || u > 1 || v < 0 || v > 1) {
                continue;
            }
            int px = x0 + 4 + (int) (u * (cell - 8));
            int py = y0 + cell - 4 - (int) (v * (cell - 8));
            g.fillOval(px - 1, py - 1, 3, 3);
        }
    }

    private static void hist(Graphics2D g, double[][] s, int c, double[] r, int x0, int y0, int cell, Color col) {
        int bins = 40;
        double[] count = new double[bins];
        for (double[] row : s) {
            int b = (int) ((row[c] - r[0]) / (r[1] - r[0]) * bins);
            if (b >= 0 && b < bins) {
                count[b]++;
            }
        }
        double max = 1;
        for (double v : count) {
            max = Math.max(max, v);
        }
        g.setColor(col);
        g.setStroke(new BasicStroke(2f));
        int prevX = x0 + 4;
        int prevY = y0 + cell - 4;
        for (int b = 0; b < bins; b++) {
            int xa = x0 + 4 + b * (cell - 8) / bins;
            int xb = x0 + 4 + (b + 1) * (cell - 8) / bins;
            int y = y0 + cell - 4 - (int) (count[b] / max * (cell - 16));
            g.drawLine(prevX, prevY, xa, y);
            g.drawLine(xa, y, xb, y);
            prevX = xb;
            prevY = y;
        }
        g.drawLine(prevX, prevY, prevX, y0 + cell - 4);
    }
}
