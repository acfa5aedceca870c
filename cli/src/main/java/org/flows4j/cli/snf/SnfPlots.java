package org.flows4j.cli.snf;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.flows4j.io.AtomicFiles;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The free-energy plot of the double-well benchmark, as the paper's Fig. 4. */
final class SnfPlots {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    private SnfPlots() {}

    private static final Color EXACT = new Color(0x44, 0x44, 0x44);
    private static final Color RED = new Color(214, 39, 40);
    private static final Color GREEN = new Color(44, 160, 44);

    /**
     * Exact free energy as a thick dark line, the generator's (unweighted, red) and the
     * reweighted (green) profiles as mean +- nstd std over repeats, y from -1 to 14 kT as the paper.
     */
    static void freeEnergy(Path out, double[] exactX, double[] exactF, double[] x, double[] mean, double[] std,
            double[] meanRw, double[] stdRw, double nstd, String title) throws IOException {
        XYChart chart = new XYChartBuilder().width(640).height(560).title(title).xAxisTitle("x1")
                .yAxisTitle("free energy (kT)").build();
        var st = paperStyle(chart);
        st.setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideN);
        st.setErrorBarsColorSeriesColor(true);
        st.setYAxisMin(-1.0);
        st.setYAxisMax(14.0);
        st.setXAxisMin(-3.0);
        st.setXAxisMax(3.0);
        st.setAntiAlias(true);
        XYSeries e = chart.addSeries("exact", exactX, exactF);
        e.setLineColor(EXACT);
        e.setLineStyle(new BasicStroke(3f));
        e.setMarker(SeriesMarkers.NONE);
        addProfile(chart, "generator (unweighted)", x, mean, std, nstd, RED);
        addProfile(chart, "reweighted", x, meanRw, stdRw, nstd, GREEN);
        writePng(out, BitmapEncoder.getBufferedImage(chart));
    }

    /**
     * The SNF figures' common look (white background, light grid, no title box, title and axis
     * fonts); returns the styler for the figure's own settings.
     */
    static org.knowm.xchart.style.XYStyler paperStyle(XYChart chart) {
        var st = chart.getStyler();
        st.setChartBackgroundColor(Color.WHITE);
        st.setPlotBackgroundColor(Color.WHITE);
        st.setPlotBorderColor(new Color(0x99, 0x99, 0x99));
        st.setPlotGridLinesColor(new Color(0xe3, 0xe3, 0xe3));
        st.setChartTitleBoxVisible(false);
        st.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        st.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        return st;
    }

    private static void addProfile(XYChart chart, String name, double[] x, double[] mean, double[] std, double nstd,
            Color colour) {
        List<double[]> pts = new ArrayList<>();
        for (int i = 0; i < x.length; i++) {
            if (Double.isFinite(mean[i]) && Double.isFinite(std[i]) && x[i] >= -3 && x[i] <= 3) {
                pts.add(new double[] {x[i], mean[i], nstd * std[i]});
            }
        }
        if (pts.isEmpty()) {
            return;
        }
        double[] xs = pts.stream().mapToDouble(p -> p[0]).toArray();
        double[] ys = pts.stream().mapToDouble(p -> p[1]).toArray();
        double[] es = pts.stream().mapToDouble(p -> p[2]).toArray();
        XYSeries s = chart.addSeries(name, xs, ys, es);
        s.setLineColor(colour);
        s.setMarkerColor(colour);
        s.setMarker(SeriesMarkers.CIRCLE);
        s.setLineStyle(new BasicStroke(2f));
    }

    static void writePng(Path out, BufferedImage img) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 16);
        if (!ImageIO.write(img, "png", bytes)) {
            throw new IOException("no PNG writer available");
        }
        AtomicFiles.write(out, bytes.toByteArray());
    }
}
