package org.flows4j.cli.plot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlotsTest {

    @TempDir
    Path dir;

    private static BufferedImage read(Path p) throws IOException {
        assertThat(p).isRegularFile();
        BufferedImage img = ImageIO.read(p.toFile());
        assertThat(img).as("PNG readable: %s", p).isNotNull();
        assertThat(img.getWidth()).isPositive();
        assertThat(img.getHeight()).isPositive();
        return img;
    }

    /** Only the expected files are in the directory: no temporary files left behind. */
    private void assertOnlyFiles(String... names) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            List<String> found = s.map(p -> p.getFileName().toString()).sorted().toList();
            assertThat(found).containsExactlyElementsOf(Arrays.stream(names).sorted().toList());
        }
    }

    private static int[] rgb(BufferedImage img, int x, int y) {
        int c = img.getRGB(x, y);
        return new int[] {(c >> 16) & 0xff, (c >> 8) & 0xff, c & 0xff};
    }

    // ------------------------------------------------------------------ loss curve

    @Test
    void lossCurveWritesPng() throws IOException {
        Path out = dir.resolve("loss.png");
        Plots.lossCurve(out, DemoData.noisyLoss(2000, 1.125, 1), "training loss", 1.125, "entropy floor 1.125");
        BufferedImage img = read(out);
        assertThat(img.getWidth()).isEqualTo(Plots.LOSS_WIDTH);
        assertThat(img.getHeight()).isEqualTo(Plots.LOSS_HEIGHT);
        assertOnlyFiles("loss.png");
    }

    @Test
    void lossCurveEdgeCases() throws IOException {
        Plots.lossCurve(dir.resolve("one.png"), new double[] {2.5}, null, Double.NaN, null);
        Plots.lossCurve(dir.resolve("flat.png"), new double[] {1, 1, 1, 1}, "flat", 1, null);
        double[] holes = DemoData.noisyLoss(300, 0.5, 2);
        holes[10] = Double.NaN;
        holes[11] = Double.POSITIVE_INFINITY;
        Plots.lossCurve(dir.resolve("holes.png"), holes, "with NaN", Double.NaN, "");
        Plots.lossCurve(dir.resolve("nan.png"), new double[] {Double.NaN, Double.NaN}, "all NaN", Double.NaN, null);
        double[] negative = DemoData.noisyLoss(500, -2.0, 3);
        Plots.lossCurve(dir.resolve("negative.png"), negative, "negative NLL", -2.0, "floor -2");
        for (String f : List.of("one.png", "flat.png", "holes.png", "nan.png", "negative.png")) {
            read(dir.resolve(f));
        }
        assertOnlyFiles("one.png", "flat.png", "holes.png", "nan.png", "negative.png");
    }

    @Test
    void longLossCurveIsDecimated() throws IOException {
        double[] loss = DemoData.noisyLoss(200_000, 1.0, 4);
        double[][] raw = Plots.rawSeries(loss);
        assertThat(raw[0].length).isLessThanOrEqualTo(6000);
        // The envelope is kept: the global extremes survive decimation.
        double min = Arrays.stream(loss).min().orElseThrow();
        double max = Arrays.stream(loss).max().orElseThrow();
        assertThat(Arrays.stream(raw[1]).min().orElseThrow()).isEqualTo(min);
        assertThat(Arrays.stream(raw[1]).max().orElseThrow()).isEqualTo(max);
        Path out = dir.resolve("long.png");
        Plots.lossCurve(out, loss, "long run", Double.NaN, null);
        read(out);
    }

    @Test
    void lossCurveOverwritesAtomically() throws IOException {
        Path out = dir.resolve("sub/dir/loss.png");
        Plots.lossCurve(out, DemoData.noisyLoss(100, 1, 5), "first", Double.NaN, null);
        byte[] first = Files.readAllBytes(out);
        Plots.lossCurve(out, DemoData.noisyLoss(100, 3, 6), "second", 3, "floor");
        assertThat(Files.readAllBytes(out)).isNotEqualTo(first);
        read(out);
        try (Stream<Path> s = Files.list(out.getParent())) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("loss.png");
        }
    }

    @Test
    void lossCurveRejectsEmpty() {
        assertThatThrownBy(() -> Plots.lossCurve(dir.resolve("x.png"), new double[0], "t", Double.NaN, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(dir.resolve("x.png")).doesNotExist();
    }

    @Test
    void earlySpikeDoesNotSetTheYRange() {
        double[] loss = DemoData.noisyLoss(1000, 1.125, 7); // loss[0] is about 30
        double[] avg = Plots.movingAverage(loss, 20);
        double[] range = Plots.lossRange(loss, avg, 1.125);
        assertThat(range[1]).isLessThan(6);
        assertThat(range[0]).isLessThan(1.125);
        assertThat(range[1]).isGreaterThan(1.125);
    }

    @Test
    void movingAverageSkipsNonFinite() {
        double[] avg = Plots.movingAverage(new double[] {1, Double.NaN, 3, 5}, 3);
        assertThat(avg[0]).isEqualTo(1.0); // window {1, NaN}
        assertThat(avg[1]).isEqualTo(2.0); // {1, NaN, 3}
        assertThat(avg[2]).isEqualTo(4.0); // {NaN, 3, 5}
        assertThat(avg[3]).isEqualTo(4.0); // {3, 5}
        assertThat(Plots.movingAverage(new double[] {Double.NaN}, 1)[0]).isNaN();
    }

    // ------------------------------------------------------------------ scatter

    @Test
    void scatterSideBySideWritesPng() throws IOException {
        Path out = dir.resolve("scatter.png");
        Plots.scatterSideBySide(out, DemoData.twoMoons(1000, 0.08, 1), "data",
                DemoData.gaussian(1000, 0.8, 2), "model samples");
        BufferedImage img = read(out);
        assertThat(img.getWidth()).isEqualTo(2 * Plots.PANEL_WIDTH);
        assertThat(img.getHeight()).isEqualTo(Plots.PANEL_HEIGHT);
        assertOnlyFiles("scatter.png");
    }

    @Test
    void scatterHandlesEmptyAndNonFinite() throws IOException {
        Path out = dir.resolve("empty.png");
        double[][] withNaN = {{0, 0}, {Double.NaN, 1}, {1, Double.POSITIVE_INFINITY}, {1, 1}};
        Plots.scatterSideBySide(out, new double[0][], "nothing", withNaN, "some");
        read(out);
        Path both = dir.resolve("both-empty.png");
        Plots.scatterSideBySide(both, new double[0][], "a", new double[0][], "b");
        read(both);
        assertThatThrownBy(() -> Plots.scatterSideBySide(dir.resolve("bad.png"), new double[][] {{1}}, "a",
                new double[0][], "b")).isInstanceOf(IllegalArgumentException.class);
        assertOnlyFiles("empty.png", "both-empty.png");
    }

    @Test
    void scatterBoundsCoverBothSetsWithSharedSpan() {
        double[][] a = {{-1, 3, 0}, {0, 0.5, 1}}; // columns: xs, ys
        double[][] b = {{0, 1}, {-2, 0}};
        double[] box = Plots.scatterBounds(a, b);
        assertThat(box[0]).isLessThan(-1);
        assertThat(box[1]).isGreaterThan(3);
        assertThat(box[2]).isLessThan(-2);
        assertThat(box[3]).isGreaterThan(1);
        assertThat(box[1] - box[0]).isCloseTo(box[3] - box[2], org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void scatterBoundsIgnoreAFewFarOutliers() {
        double[][] pts = DemoData.gaussian(2000, 1.0, 9);
        pts[0] = new double[] {500, -400};
        pts[1] = new double[] {-300, 250};
        double[] xs = Arrays.stream(pts).mapToDouble(p -> p[0]).toArray();
        double[] ys = Arrays.stream(pts).mapToDouble(p -> p[1]).toArray();
        double[] box = Plots.scatterBounds(new double[][] {xs, ys}, new double[][] {new double[0], new double[0]});
        assertThat(box[1] - box[0]).isLessThan(20);
        assertThat(box[3] - box[2]).isLessThan(20);
    }

    @Test
    void numberLabels() {
        assertThat(Plots.compactCount(0.0)).isEqualTo("0");
        assertThat(Plots.compactCount(2500.0)).isEqualTo("2,500");
        assertThat(Plots.compactCount(2.5)).isEmpty();
        assertThat(Plots.compactCount(12500.0)).isEqualTo("12.5k");
        assertThat(Plots.compactCount(20000.0)).isEqualTo("20k");
        assertThat(Plots.compactCount(150000.0)).isEqualTo("150k");
        assertThat(Plots.compactCount(1500000.0)).isEqualTo("1.5M");
        assertThat(Plots.shortNumber(-0.4)).isEqualTo("-0.4");
        assertThat(Plots.shortNumber(1.125)).isEqualTo("1.125");
        assertThat(Plots.shortNumber(2.0)).isEqualTo("2");
        assertThat(Plots.shortNumber(Math.PI)).isEqualTo("3.142");
    }

    // ------------------------------------------------------------------ heat map

    @Test
    void densityHeatmapWritesPngWithBrightMaximum() throws IOException {
        double[] xs = DemoData.grid(-3, 3, 200);
        double[] ys = DemoData.grid(-2.5, 3.5, 200);
        double[][] d = DemoData.gmmDensity(xs, ys);
        Path out = dir.resolve("heat.png");
        Plots.densityHeatmap(out, xs, ys, d, null, "density");
        BufferedImage img = read(out);
        DensityHeatmap.Layout layout = DensityHeatmap.render(xs, ys, d, null, "density").layout();
        assertThat(img.getWidth()).isGreaterThan(DensityHeatmap.PLOT_SIZE);
        assertThat(img.getHeight()).isGreaterThan(DensityHeatmap.PLOT_SIZE);

        int bx = 0;
        int by = 0;
        for (int iy = 0; iy < ys.length; iy++) {
            for (int ix = 0; ix < xs.length; ix++) {
                if (d[iy][ix] > d[by][bx]) {
                    bx = ix;
                    by = iy;
                }
            }
        }
        int[] peak = rgb(img, layout.px(xs[bx]), layout.py(ys[by]));
        assertThat(peak[0]).as("red at max %s", Arrays.toString(peak)).isGreaterThan(200);
        assertThat(peak[1]).as("green at max").isGreaterThan(200);
        assertThat(peak[2]).as("blue at max").isLessThan(100);

        // A corner far from all modes is (nearly) zero density: dark purple.
        int[] corner = rgb(img, layout.px(xs[0]), layout.py(ys[0]));
        assertThat(corner[0]).isBetween(0x40, 0x48);
        assertThat(corner[1]).isLessThan(0x10);
        assertThat(corner[2]).isBetween(0x50, 0x58);
        assertOnlyFiles("heat.png");
    }

    @Test
    void heatmapYAxisPointsUp() throws IOException {
        double[] xs = DemoData.grid(0, 1, 10);
        double[] ys = DemoData.grid(0, 1, 10);
        double[][] d = new double[10][10];
        d[9][0] = 1; // top-left in data coordinates: small x, large y
        Path out = dir.resolve("up.png");
        Plots.densityHeatmap(out, xs, ys, d, null, "orientation");
        BufferedImage img = read(out);
        DensityHeatmap.Layout l = DensityHeatmap.render(xs, ys, d, null, "orientation").layout();
        int[] topLeft = rgb(img, l.plotLeft() + 10, l.plotTop() + 10);
        int[] bottomLeft = rgb(img, l.plotLeft() + 10, l.plotTop() + l.plotSize() - 10);
        assertThat(topLeft[1]).isGreaterThan(200); // yellow
        assertThat(bottomLeft[1]).isLessThan(20); // dark purple
    }

    @Test
    void heatmapWithOverlayAndOddValues() throws IOException {
        double[] xs = DemoData.grid(-3, 3, 50);
        double[] ys = DemoData.grid(-3, 3, 40);
        double[][] d = DemoData.gmmDensity(xs, ys);
        d[3][4] = Double.NaN;
        d[5][6] = -1;
        Path out = dir.resolve("overlay.png");
        Plots.densityHeatmap(out, xs, ys, d, DemoData.gmmSamples(500, 3), null);
        read(out);
        Path zero = dir.resolve("zero.png");
        Plots.densityHeatmap(zero, new double[] {0}, new double[] {0}, new double[][] {{0}}, new double[0][], "");
        read(zero);
        assertOnlyFiles("overlay.png", "zero.png");
    }

    @Test
    void heatmapRejectsMismatchedShapes() {
        double[] xs = {0, 1, 2};
        double[] ys = {0, 1};
        assertThatThrownBy(() -> Plots.densityHeatmap(dir.resolve("h.png"), xs, ys, new double[3][3], null, "t"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Plots.densityHeatmap(dir.resolve("h.png"), xs, ys, new double[2][2], null, "t"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Plots.densityHeatmap(dir.resolve("h.png"), new double[] {1, 0}, ys,
                new double[2][2], null, "t")).isInstanceOf(IllegalArgumentException.class);
        assertThat(dir.resolve("h.png")).doesNotExist();
    }
}
