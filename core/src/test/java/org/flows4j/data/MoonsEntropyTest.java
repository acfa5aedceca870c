package org.flows4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MoonsEntropyTest {

    @Test
    void standardizedFloorIsAbout1125() {
        // moons_entropy.py (numpy, 200000 samples) prints raw 0.2892, standardised 1.1254 +- 0.0016
        MoonsEntropy.Estimate e = MoonsEntropy.estimate(0.05, 100_000, 1);
        assertThat(e.standardizedNats()).isCloseTo(1.125, within(0.01));
        assertThat(e.rawNats()).isCloseTo(0.289, within(0.01));
        assertThat(e.standardizedNats() - e.rawNats()).isCloseTo(0.836125651792384, within(1e-12));
        assertThat(e.standardError()).isBetween(0.001, 0.005);
    }

    @Test
    void prunedSumEqualsFullSum() {
        SplittableRandom rng = new SplittableRandom(11);
        double[] noises = {0.05, 0.1, 0.02, 0.2};
        for (int i = 0; i < 2000; i++) {
            double noise = noises[i % noises.length];
            double x;
            double y;
            if (i % 2 == 0) {
                // near an arc
                double t = rng.nextDouble() * Math.PI;
                boolean outer = rng.nextBoolean();
                x = (outer ? Math.cos(t) : 1 - Math.cos(t)) + noise * rng.nextGaussian();
                y = (outer ? Math.sin(t) : 0.5 - Math.sin(t)) + noise * rng.nextGaussian();
            } else {
                // anywhere around, including the arc centres and beyond the arc ends
                x = -2 + 5 * rng.nextDouble();
                y = -1.5 + 3.5 * rng.nextDouble();
            }
            double full = MoonsEntropy.logDensityFull(x, y, noise);
            double pruned = MoonsEntropy.logDensity(x, y, noise);
            assertThat(pruned).as("(%s, %s) noise %s", x, y, noise)
                    .isCloseTo(full, within(1e-12 * Math.max(1.0, Math.abs(full))));
        }
        for (double[] p : new double[][] {{0, 0}, {1, 0.5}, {1, 0}, {-1, 0}, {0, 1}, {2, 0.5}, {0.5, 0.25}}) {
            double full = MoonsEntropy.logDensityFull(p[0], p[1], 0.05);
            assertThat(MoonsEntropy.logDensity(p[0], p[1], 0.05)).isCloseTo(full, within(1e-12 * Math.max(1.0, Math.abs(full))));
        }
    }

    @Test
    void densityIntegratesToAboutOne() {
        // crude grid integral of exp(log p) with noise 0.1
        double h = 0.01;
        double total = 0;
        for (double x = -1.8; x <= 2.8; x += h) {
            for (double y = -1.2; y <= 1.7; y += h) {
                total += Math.exp(MoonsEntropy.logDensity(x, y, 0.1)) * h * h;
            }
        }
        assertThat(total).isCloseTo(1.0, within(1e-3));
    }
}
