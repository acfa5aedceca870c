package org.flows4j.data;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Arguments on which both {@link Math} and {@link StrictMath} differ in the last bit from glibc's
 * {@code log} and from numpy 1.24's float64 {@code cos}/{@code sin} (SVML, AVX-512), with the
 * values those produce.
 */
class NumpyMathTest {
    private static final double[][] CASES = {
        // x, log(x) (glibc), np.cos(x), np.sin(x)
        {1.088620022764566, 0.08491085998179458, 0.46370845108126274, 0.8859878511558812},
        {2.27816740772272, 0.8233713512285533, -0.6498378488380524, 0.7600728716495101},
        {0.7233977750755226, -0.3237960351178566, 0.7495609529006385, 0.6619353275711207},
        {1.2624487729961658, 0.23305330549953482, 0.30348454067654657, 0.9528363624307932},
    };

    @Test
    void logMatchesGlibc() {
        for (double[] c : CASES) {
            assertThat(GlibcLog.log(c[0])).isEqualTo(c[1]);
        }
        assertThat(GlibcLog.log(1.0)).isEqualTo(0.0);
        assertThat(GlibcLog.log(0.0)).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(GlibcLog.log(-1.0)).isNaN();
        assertThat(GlibcLog.log(Double.POSITIVE_INFINITY)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(GlibcLog.log(Double.MIN_VALUE)).isCloseTo(Math.log(Double.MIN_VALUE), org.assertj.core.data.Offset.offset(1e-12));
        assertThat(GlibcLog.log(0.97)).isCloseTo(Math.log(0.97), org.assertj.core.data.Offset.offset(1e-16));
    }

    @Test
    void cosAndSinMatchNumpy() {
        for (double[] c : CASES) {
            assertThat(NumpyTrig.cos(c[0])).isEqualTo(c[2]);
            assertThat(NumpyTrig.sin(c[0])).isEqualTo(c[3]);
        }
        assertThat(NumpyTrig.cos(0.0)).isEqualTo(1.0);
        assertThat(Double.doubleToRawLongBits(NumpyTrig.sin(0.0))).isZero();
        assertThat(NumpyTrig.sin(Math.PI)).isEqualTo(Math.sin(Math.PI));
        assertThat(NumpyTrig.cos(Double.NaN)).isNaN();
    }

    @Test
    void linspaceMatchesNumpy() {
        assertThat(Moons.linspace(0, Math.PI, 7)).containsExactly(0.0, 0.5235987755982988, 1.0471975511965976,
                1.5707963267948966, 2.0943951023931953, 2.617993877991494, 3.141592653589793);
        assertThat(Moons.linspace(0, Math.PI, 1)).containsExactly(0.0);
        assertThat(Moons.linspace(0, Math.PI, 0)).isEmpty();
    }
}
