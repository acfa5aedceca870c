package org.flows4j.snf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.flows4j.energy.ImageDensity;
import org.flows4j.energy.ImageEnergy;
import org.flows4j.tensor.Rng;
import org.junit.jupiter.api.Test;

class ImageSamplerTest {
    /**
     * Exact samples fall in pixel (c, r) with frequency exp(-U(c, r)) / sum exp(-U): within 5
     * standard errors in every pixel and a chi-square well below its 1e-6 tail, and uniformly inside
     * the pixel (a half-pixel box around the point where the energy reads the pixel).
     */
    @Test
    void pixelFrequenciesFollowExpMinusU() {
        ImageEnergy u = PointwiseSnfTest.ringEnergy();
        ImageDensity d = u.image();
        int w = d.width();
        int h = d.height();
        double[] p = new double[w * h];
        double z = 0;
        for (int r = 0; r < h; r++) {
            for (int c = 0; c < w; c++) {
                p[r * w + c] = Math.exp(-d.energy(c, r));
                z += p[r * w + c];
            }
        }
        int n = 400_000;
        double[] xy = ImageSampler.of(u).sample(n, new Rng(12));
        long[] counts = new long[w * h];
        double[] offX = new double[2];
        for (int i = 0; i < n; i++) {
            double px = xy[2 * i] * u.scaleX() + u.meanX();
            double py = xy[2 * i + 1] * u.scaleY() + u.meanY();
            int c = (int) Math.round(px);
            int r = (int) Math.round(py);
            assertThat(c).isBetween(0, w - 1);
            assertThat(r).isBetween(0, h - 1);
            counts[r * w + c]++;
            offX[px - c < 0 ? 0 : 1]++;
        }
        double chi2 = 0;
        for (int k = 0; k < counts.length; k++) {
            double expected = n * p[k] / z;
            double se = Math.sqrt(expected);
            assertThat(Math.abs(counts[k] - expected)).as("pixel " + k).isLessThan(5 * se + 1);
            chi2 += (counts[k] - expected) * (counts[k] - expected) / expected;
        }
        // 1200 cells: mean 1199, sd 49; 1199 + 6 * 49 is far in the tail
        assertThat(chi2).isLessThan(1199 + 6 * 49);
        assertThat(offX[0] / n).isCloseTo(0.5, within(0.005));
    }

    @Test
    void zeroDensityPixelsAreNeverDrawn() {
        double[][] dens = new double[3][4];
        dens[1][2] = 2;
        dens[2][0] = 1;
        ImageDensity d = ImageDensity.ofDensity(dens);
        ImageSampler s = new ImageSampler(d, 0, 0, 1, 1);
        double[] xy = s.sample(3000, new Rng(1));
        int hits = 0;
        for (int i = 0; i < 3000; i++) {
            int c = (int) Math.round(xy[2 * i]);
            int r = (int) Math.round(xy[2 * i + 1]);
            assertThat((c == 2 && r == 1) || (c == 0 && r == 2)).isTrue();
            hits += c == 2 ? 1 : 0;
        }
        assertThat(hits / 3000.0).isCloseTo(2 / 3.0, within(0.04));
        assertThatThrownBy(() -> s.sample(-1, new Rng(1))).isInstanceOf(IllegalArgumentException.class);
    }
}
