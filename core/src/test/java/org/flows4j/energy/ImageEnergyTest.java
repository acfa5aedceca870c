package org.flows4j.energy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.flows4j.tensor.Autograd;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ImageEnergyTest {
    /** A 10 x 12 gray picture (numpy RandomState(3) * 255, rounded; three values set near the cutoff). */
    static final double[][] GRAY = {
        {140, 181, 74, 130, 228, 229, 32, 53, 13, 112, 8, 116},
        {166, 71, 172, 151, 6, 143, 66, 106, 72, 177, 112, 40},
        {139, 199, 78, 240, 99, 239, 249, 171, 230, 216, 96, 24},
        {167, 142, 92, 57, 104, 120, 69, 74, 117, 219, 149, 72},
        {71, 116, 52, 51, 131, 22, 123, 92, 180, 190, 176, 176},
        {95, 170, 87, 146, 83, 226, 16, 62, 248, 59, 176, 166},
        {185, 121, 152, 17, 19, 51, 39, 26, 33, 141, 48, 243},
        {174, 225, 180, 67, 236, 214, 185, 122, 215, 190, 168, 233},
        {162, 93, 141, 50, 49, 185, 200, 248, 217, 139, 23, 125},
        {237, 201, 124, 116, 56, 45, 19, 228, 163, 37, 106, 13}};

    /** U from the reference's prepare_image (numpy / scipy, float32), sigma 1.5, at picture rows (top first). */
    @Test
    void preparationMatchesTheReference() {
        ImageDensity d = ImageDensity.fromGray(GRAY, ImageDensity.Preparation.of(1.5));
        assertThat(d.width()).isEqualTo(12);
        assertThat(d.height()).isEqualTo(10);
        // stored flipped: picture row r is row 9 - r
        assertThat(d.energy(0, 9)).isCloseTo(0.406682, within(2e-6));
        assertThat(d.energy(11, 0)).isCloseTo(0.08905664, within(2e-6));
        assertThat(d.energy(6, 5)).isCloseTo(0.18731809, within(2e-6));
        assertThat(d.energy(3, 7)).isCloseTo(0.29532915, within(2e-6));
        assertThat(d.density(6, 5)).isCloseTo(0.57129765, within(2e-6));
        assertThat(d.energy(11, 9)).as("the minimum (picture row 0, column 11)").isEqualTo(0.0);
    }

    @Test
    void rgbIsAveragedAndCropAndEmbedPlaceThePicture() {
        int w = 12;
        int h = 10;
        int[] rgb = new int[w * h];
        for (int r = 0; r < h; r++) {
            for (int c = 0; c < w; c++) {
                int v = (int) GRAY[r][c];
                boolean spread = v >= 3 && v <= 252;
                int lo = spread ? v - 3 : v;
                int hi = spread ? v + 3 : v;
                rgb[r * w + c] = 0xff000000 | (lo << 16) | (v << 8) | hi;
            }
        }
        ImageDensity fromRgb = ImageDensity.fromRgb(w, h, rgb, ImageDensity.Preparation.of(1.5));
        ImageDensity fromGray = ImageDensity.fromGray(GRAY, ImageDensity.Preparation.of(1.5));
        for (int r = 0; r < h; r++) {
            for (int c = 0; c < w; c++) {
                assertThat(fromRgb.energy(c, r)).isCloseTo(fromGray.energy(c, r), within(1e-12));
            }
        }
        ImageDensity crop = ImageDensity.fromGray(GRAY, ImageDensity.Preparation.of(0).withCrop(2, 8, 3, 11));
        assertThat(crop.width()).isEqualTo(8);
        assertThat(crop.height()).isEqualTo(6);
        ImageDensity embed = ImageDensity.fromGray(GRAY, ImageDensity.Preparation.of(0).withEmbed(20, 30));
        assertThat(embed.width()).isEqualTo(30);
        assertThat(embed.height()).isEqualTo(20);
        // sigma 0, no background blur beyond 0.01 terms: the white margin has the highest energy
        double margin = embed.energy(0, 0);
        double inside = embed.energy(9 + 6, 5 + 5);
        assertThat(margin).isGreaterThan(inside);
        assertThatThrownBy(() -> ImageDensity.fromGray(GRAY, ImageDensity.Preparation.of(1).withCrop(0, 11, 0, 5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("crop");
        assertThatThrownBy(() -> ImageDensity.fromGray(GRAY, ImageDensity.Preparation.of(1).withEmbed(5, 5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("embed");
        assertThatThrownBy(() -> ImageDensity.fromGray(new double[4][4], ImageDensity.Preparation.of(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("black");
    }

    private static ImageEnergy energy() {
        ImageDensity d = ImageDensity.fromGray(GRAY, ImageDensity.Preparation.of(1.5));
        return new ImageEnergy(d, 6, 5, 2, 2);
    }

    /** y grows upwards: a point above the origin reads a pixel nearer the top of the picture. */
    @Test
    void pixelsAreReadAtTheReferencesCoordinates() {
        ImageEnergy u = energy();
        ImageDensity d = u.image();
        // x = (col - 6) / 2, y = (row - 5) / 2 with row counted from the bottom
        for (int col = 1; col <= 10; col++) {
            for (int row = 1; row <= 8; row++) {
                assertThat(u.energyAt((col - 6) / 2.0, (row - 5) / 2.0)).isCloseTo(d.energy(col, row), within(1e-6));
            }
        }
        assertThat(u.box()).containsExactly(-3.0, 3.0, -2.5, 2.5);
    }

    /**
     * Within a pixel the energy is linear with the central-difference slope, and across a pixel
     * edge it jumps by half the second difference: nearly continuous on a smooth image.
     */
    @Test
    void energyIsPiecewiseLinearWithSmallJumpsAndItsGradientMatchesFiniteDifferences() {
        ImageEnergy u = energy();
        ImageDensity d = u.image();
        Rng rng = new Rng(2);
        double[] g = new double[2];
        for (int t = 0; t < 200; t++) {
            double px = 1.05 + 8.9 * rng.nextDouble();
            double py = 1.05 + 6.9 * rng.nextDouble();
            if (Math.abs(px - Math.rint(px)) < 0.05 || Math.abs(py - Math.rint(py)) < 0.05) {
                continue;
            }
            double x = (px - 6) / 2;
            double y = (py - 5) / 2;
            u.gradientAt(new float[] {(float) x, (float) y}, g);
            double h = 1e-3;
            double fx = (u.energyAt(x + h, y) - u.energyAt(x - h, y)) / (2 * h);
            double fy = (u.energyAt(x, y + h) - u.energyAt(x, y - h)) / (2 * h);
            assertThat(g[0]).isCloseTo(fx, within(2e-3 * (1 + Math.abs(fx))));
            assertThat(g[1]).isCloseTo(fy, within(2e-3 * (1 + Math.abs(fy))));
        }
        for (int col = 2; col <= 8; col++) {
            int row = 4;
            double y = (row - 5) / 2.0; // on the row: only x changes across the edge
            double edge = (col + 1 - 6) / 2.0;
            double left = u.energyAt(edge - 1e-6, y);
            double right = u.energyAt(edge + 1e-6, y);
            // the value reached from the left extrapolates pixel col to col + 1
            double second = d.energy(col + 1, row) - 2 * d.energy(col, row) + d.energy(col - 1, row);
            assertThat(right - left).isCloseTo(second / 2, within(1e-4));
        }
    }

    @Test
    void outsideTheImageAPenaltyInWholePixelsIsAdded() {
        ImageEnergy u = energy();
        // 20 pixels right of the last column (11), in row 5
        double inside = u.energyAt((11 - 6) / 2.0 - 0.01, 0);
        double far = u.energyAt((31 - 6) / 2.0, 0);
        assertThat(far - inside).isBetween(20.0 * 20 - 2, 20.0 * 20 + 2);
        assertThat(u.energyAt(Double.NaN, 0)).isInfinite();
    }

    @Test
    void tensorEnergyAndGradientAgreeWithThePointwiseOnes() {
        ImageEnergy u = energy();
        Rng rng = new Rng(5);
        int n = 50;
        double[] pts = new double[2 * n];
        for (int i = 0; i < pts.length; i++) {
            pts[i] = 4 * rng.nextDouble() - 2;
        }
        Tensor x = Tensor.of(DType.FLOAT64, pts, n, 2).requireGrad();
        Tensor e;
        java.util.List<Tensor> grads;
        try (Autograd.Scope ignored = Autograd.setGradEnabled(true)) {
            e = u.energy(x);
            grads = Autograd.grad(e.sum(), java.util.List.of(x));
        }
        double[] ea = u.energyArray(pts, n);
        double[] eo = new double[n];
        u.energyArray(pts, n, eo);
        double[] garr = u.gradientArray(pts, n);
        double[] gt = u.gradient(x).toDoubleArray();
        double[] ga = grads.get(0).toDoubleArray();
        double[] g = new double[2];
        for (int i = 0; i < n; i++) {
            double pe = u.gradientAt(new float[] {(float) pts[2 * i], (float) pts[2 * i + 1]}, g);
            assertThat(e.getFlat(i)).isCloseTo(pe, within(1e-9));
            assertThat(ea[i]).isCloseTo(pe, within(1e-12));
            assertThat(eo[i]).isCloseTo(pe, within(1e-12));
            for (int j = 0; j < 2; j++) {
                assertThat(ga[2 * i + j]).isCloseTo(g[j], within(1e-9));
                assertThat(gt[2 * i + j]).isCloseTo(g[j], within(1e-12));
                assertThat(garr[2 * i + j]).isCloseTo(g[j], within(1e-12));
            }
        }
    }
}
