package org.flows4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.assertj.core.data.Offset;
import org.flows4j.tensor.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The 2-D toy data sets: shapes, seeding, and the geometry each one is known for. */
class ToyDataTest {

    static java.util.List<String> names() {
        return ToyData.names();
    }

    @ParameterizedTest
    @MethodSource("names")
    void seededFiniteTwoColumnsAndCentredish(String name) {
        for (int n : new int[] {0, 1, 7, 1001}) {
            double[][] x = ToyData.sample(name, n, 3);
            assertThat(x).hasNumberOfRows(n);
            for (double[] r : x) {
                assertThat(r).hasSize(2);
                assertThat(Double.isFinite(r[0]) && Double.isFinite(r[1])).isTrue();
            }
        }
        assertThat(ToyData.sample(name, 200, 3)).isDeepEqualTo(ToyData.sample(name, 200, 3));
        assertThat(ToyData.sample(name, 200, 3)).isNotEqualTo(ToyData.sample(name, 200, 4));
        double[][] x = ToyData.sample(name, 20000, 1);
        double mx = 0;
        double my = 0;
        double r2 = 0;
        for (double[] r : x) {
            mx += r[0];
            my += r[1];
            r2 += r[0] * r[0] + r[1] * r[1];
        }
        assertThat(Math.abs(mx / x.length)).as(name + " mean x").isLessThan(1.0);
        assertThat(Math.abs(my / x.length)).as(name + " mean y").isLessThan(1.0);
        assertThat(Math.sqrt(r2 / x.length)).as(name + " rms radius").isBetween(0.5, 4.0);
    }

    static double radius(double[] r) {
        return Math.hypot(r[0], r[1]);
    }

    @Test
    void geometry() {
        int n = 4000;
        // circles: radii 3 and 1.5, radial noise of std 0.24
        double meanDev = 0;
        for (double[] r : ToyData.sample("circles", n, 1)) {
            double rad = radius(r);
            double dev = Math.min(Math.abs(rad - 3), Math.abs(rad - 1.5));
            assertThat(dev).isLessThan(1.2);
            meanDev += dev / n;
        }
        assertThat(meanDev).isCloseTo(0.24 * Math.sqrt(2 / Math.PI), Offset.offset(0.02));
        // rings: radii 3, 2.25, 1.5, 0.75 with 1/4 of the points each
        int[] counts = new int[4];
        for (double[] r : ToyData.sample("rings", n, 1)) {
            double rad = radius(r);
            int k = (int) Math.round(rad / 0.75) - 1;
            assertThat(Math.abs(rad - 0.75 * (k + 1))).isLessThan(0.4);
            counts[Math.max(0, Math.min(3, k))]++;
        }
        assertThat(counts).containsOnly(n / 4);
        // checkerboard: in [-4, 4]^2, only on squares where floor(x/2) + floor(y/2) is even... of one colour
        int[] colour = new int[2];
        for (double[] r : ToyData.sample("checkerboard", n, 1)) {
            assertThat(Math.abs(r[0])).isLessThanOrEqualTo(4);
            assertThat(Math.abs(r[1])).isLessThanOrEqualTo(4);
            colour[Math.floorMod((int) Math.floor(r[0] / 2) + (int) Math.floor(r[1] / 2), 2)]++;
        }
        assertThat(colour[0] == 0 || colour[1] == 0).as("one colour only: %s", java.util.Arrays.toString(colour)).isTrue();
        // 8 gaussians: centres at radius 4 / 1.414
        double meanRadius = 0;
        for (double[] r : ToyData.sample("8gaussians", n, 1)) {
            meanRadius += radius(r) / n;
        }
        assertThat(meanRadius).isCloseTo(4 / 1.414, Offset.offset(0.15));
        // swiss roll: radius t/5 with t in [1.5 pi, 4.5 pi], plus noise
        for (double[] r : ToyData.sample("swissroll", n, 1)) {
            assertThat(radius(r)).isBetween(0.0, 4.5 * Math.PI / 5 + 1.5);
        }
        // moons: the seed's data
        assertThat(ToyData.moons(10, new Rng(1))).hasNumberOfRows(10);
        assertThat(ToyData.sample("moons", 10, 0)).isDeepEqualTo(Moons.make(10, 0.05, 0));
    }

    @Test
    void unknownNamesListTheKnownOnes() {
        assertThatThrownBy(() -> ToyData.sample("spiral", 10, 0)).hasMessageContaining("8gaussians")
                .hasMessageContaining("checkerboard");
        assertThatThrownBy(() -> ToyData.sample("rings", -1, 0)).hasMessageContaining(">= 0");
        assertThat(ToyData.names()).containsExactly("moons", "circles", "8gaussians", "pinwheel", "checkerboard", "rings",
                "swissroll", "2spirals");
    }
}
