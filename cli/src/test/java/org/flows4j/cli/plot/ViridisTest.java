package org.flows4j.cli.plot;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ViridisTest {

    private static int[] channels(int rgb) {
        return new int[] {(rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff};
    }

    private static void assertClose(int actual, int expected, int tolerance) {
        int[] a = channels(actual);
        int[] e = channels(expected);
        for (int c = 0; c < 3; c++) {
            assertThat(a[c]).as("channel %d of #%06X vs #%06X", c, actual, expected)
                    .isCloseTo(e[c], org.assertj.core.data.Offset.offset(tolerance));
        }
    }

    /** CIELAB lightness L* (0..100) of an sRGB colour. */
    private static double lightness(int rgb) {
        int[] c = channels(rgb);
        double y = 0.2126 * linear(c[0]) + 0.7152 * linear(c[1]) + 0.0722 * linear(c[2]);
        double f = y > 216.0 / 24389 ? Math.cbrt(y) : (24389.0 / 27 * y + 16) / 116;
        return 116 * f - 16;
    }

    private static double linear(int channel) {
        double v = channel / 255.0;
        return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    }

    @Test
    void endpointsMatchReference() {
        assertClose(Viridis.rgb(0), 0x440154, 1);
        assertClose(Viridis.rgb(1), 0xFDE725, 1);
    }

    @Test
    void midpointIsTeal() {
        // matplotlib viridis(0.5) = #21918C
        assertClose(Viridis.rgb(0.5), 0x21918C, 3);
    }

    @Test
    void clampsOutOfRangeAndNaN() {
        assertThat(Viridis.rgb(-3)).isEqualTo(Viridis.rgb(0));
        assertThat(Viridis.rgb(7)).isEqualTo(Viridis.rgb(1));
        assertThat(Viridis.rgb(Double.NaN)).isEqualTo(Viridis.rgb(0));
        assertThat(Viridis.rgb(0.3) & 0xff000000).isZero();
        assertThat(Viridis.argb(0.3)).isEqualTo(0xff000000 | Viridis.rgb(0.3));
    }

    @Test
    void luminanceIsMonotone() {
        // At 128 evenly spaced levels lightness strictly increases ...
        double prev = -1;
        for (int i = 0; i <= 128; i++) {
            double l = lightness(Viridis.rgb(i / 128.0));
            assertThat(l).as("L* at t=%s", i / 128.0).isGreaterThan(prev);
            prev = l;
        }
        // ... and at a finer resolution it never drops by more than 8-bit rounding can explain
        // (far below a just-noticeable difference of about 1).
        prev = -1;
        for (int i = 0; i <= 2000; i++) {
            double l = lightness(Viridis.rgb(i / 2000.0));
            assertThat(l).as("L* at t=%s", i / 2000.0).isGreaterThan(prev - 0.3);
            prev = Math.max(prev, l);
        }
        assertThat(lightness(Viridis.rgb(0))).isCloseTo(15, org.assertj.core.data.Offset.offset(1.0));
        assertThat(lightness(Viridis.rgb(1))).isCloseTo(91, org.assertj.core.data.Offset.offset(1.0));
    }

    @Test
    void continuous() {
        for (int i = 0; i < 1000; i++) {
            int[] a = channels(Viridis.rgb(i / 1000.0));
            int[] b = channels(Viridis.rgb((i + 1) / 1000.0));
            for (int c = 0; c < 3; c++) {
                assertThat(Math.abs(a[c] - b[c])).isLessThanOrEqualTo(2);
            }
        }
    }
}
