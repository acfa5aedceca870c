package org.flows4j.snf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.flows4j.energy.ImageEnergy;
import org.flows4j.tensor.Rng;
import org.junit.jupiter.api.Test;

class HistogramKlTest {
    @Test
    void klIsZeroForIdenticalDensitiesAndPositiveOtherwise() {
        Rng rng = new Rng(3);
        double[][] p = new double[7][5];
        for (double[] row : p) {
            for (int j = 0; j < row.length; j++) {
                row[j] = rng.nextDouble();
            }
        }
        assertThat(HistogramKl.kl(p, p)).isCloseTo(0.0, within(1e-12));
        double[][] scaled = new double[7][5];
        for (int i = 0; i < 7; i++) {
            for (int j = 0; j < 5; j++) {
                scaled[i][j] = 1000 * p[i][j];
            }
        }
        assertThat(HistogramKl.kl(p, scaled)).as("counts or probabilities: the same").isCloseTo(0.0, within(1e-12));
        double[][] q = new double[7][5];
        for (int i = 0; i < 7; i++) {
            for (int j = 0; j < 5; j++) {
                q[i][j] = p[i][j] * (1 + 0.5 * rng.nextDouble());
            }
        }
        double kl = HistogramKl.kl(p, q);
        assertThat(kl).isPositive();
        // an empty model bin costs about log(p / 1e-10) times its mass: large but finite
        double[][] hole = new double[2][2];
        hole[0][0] = 1;
        hole[1][1] = 1;
        double[][] one = {{1, 0}, {0, 0}};
        assertThat(HistogramKl.kl(hole, one)).isCloseTo(0.5 * Math.log(0.5) + 0.5 * Math.log(0.5 / 1e-10), within(1e-6));
        assertThatThrownBy(() -> HistogramKl.kl(new double[2][2], one)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void histogramBinsLikeNumpy() {
        float[] pts = {-1f, -1f, 1f, 1f, 0f, 0.999f, 1.0001f, 0f, -0.5f, 0.49f, 0.5f, -1.2f};
        double[][] h = HistogramKl.histogram(pts, 6, new double[] {-1, 1, -1, 1}, 4);
        // (-1,-1) -> [0][0]; (1,1) upper edge -> [3][3]; (0, .999) -> [2][3]; outside dropped;
        // (-0.5, 0.49) -> [1][2]; (0.5, -1.2) outside
        assertThat(h[0][0]).isEqualTo(1);
        assertThat(h[3][3]).isEqualTo(1);
        assertThat(h[2][3]).isEqualTo(1);
        assertThat(h[1][2]).isEqualTo(1);
        double total = 0;
        for (double[] row : h) {
            for (double v : row) {
                total += v;
            }
        }
        assertThat(total).isEqualTo(4);
    }

    /**
     * The reference grid reads the density at linspace(lo, hi, bins), end points included, so its
     * first point is the box corner; the bin-centre variant is half a bin inside. Both normalised.
     */
    @Test
    void referenceGridsAreNormalisedAndOffsetByUpToHalfABin() {
        ImageEnergy u = PointwiseSnfTest.ringEnergy();
        double[] box = u.box();
        double[][] p = HistogramKl.reference(u, box, 10);
        double[][] c = HistogramKl.referenceAtCentres(u, box, 10);
        double sp = 0;
        double sc = 0;
        double z = 0;
        for (int i = 0; i < 10; i++) {
            for (int j = 0; j < 10; j++) {
                sp += p[i][j];
                sc += c[i][j];
            }
        }
        assertThat(sp).isCloseTo(1, within(1e-12));
        assertThat(sc).isCloseTo(1, within(1e-12));
        for (int i = 0; i < 10; i++) {
            for (int j = 0; j < 10; j++) {
                z += Math.exp(-u.energyAt(box[0] + i * (box[1] - box[0]) / 9, box[2] + j * (box[3] - box[2]) / 9));
            }
        }
        double corner = Math.exp(-u.energyAt(box[0], box[2])) / z;
        assertThat(p[0][0]).isCloseTo(corner, within(1e-9));
        // a large sample of the exact density: small KL at bin centres, larger with the offset grid
        float[] xs = ImageBenchmark.exactData(u, 400_000, new Rng(2));
        ImageBenchmark.Evaluation e = ImageBenchmark.evaluate(u, xs, 10);
        assertThat(e.klAtCentres()).isLessThan(0.02);
        assertThat(e.kl()).isGreaterThan(e.klAtCentres());
        assertThat(e.insideFraction()).isGreaterThan(0.99);
    }
}
