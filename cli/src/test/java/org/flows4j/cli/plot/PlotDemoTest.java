package org.flows4j.cli.plot;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Writes example images for eyeballing. Off by default; run with
 * {@code -Dplot.demo.dir=/tmp/plot-demo}.
 */
@EnabledIfSystemProperty(named = "plot.demo.dir", matches = ".+")
class PlotDemoTest {

    @Test
    void writeDemos() throws IOException {
        Path dir = Path.of(System.getProperty("plot.demo.dir"));
        Plots.lossCurve(dir.resolve("loss.png"), DemoData.noisyLoss(5000, 1.125, 11),
                "Training loss (two moons, RealNVP)", 1.125, "entropy floor 1.125");
        Plots.lossCurve(dir.resolve("loss-long.png"), DemoData.noisyLoss(150_000, -0.4, 12),
                "Long run, negative NLL", -0.4, null);
        Plots.scatterSideBySide(dir.resolve("scatter.png"), DemoData.twoMoons(2000, 0.08, 13), "data (two moons)",
                DemoData.gaussian(2000, 0.9, 14), "model samples");
        double[][] wild = DemoData.gaussian(3000, 0.9, 16);
        wild[0] = new double[] {40, -25};
        wild[1] = new double[] {-18, 30};
        Plots.scatterSideBySide(dir.resolve("scatter-outliers.png"), DemoData.twoMoons(300, 0.05, 17),
                "data (300 points)", wild, "model samples with two far outliers");
        double[] xs = DemoData.grid(-3, 3, 200);
        double[] ys = DemoData.grid(-2.5, 3.5, 200);
        Plots.densityHeatmap(dir.resolve("density.png"), xs, ys, DemoData.gmmDensity(xs, ys),
                DemoData.gmmSamples(800, 15), "Model density (3-component Gaussian mixture)");
        Plots.densityHeatmap(dir.resolve("density-nooverlay.png"), xs, ys, DemoData.gmmDensity(xs, ys), null,
                "Model density");
    }
}
