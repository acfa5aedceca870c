package org.flows4j.energy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class GaussianFilterTest {
    @Test
    void kernelIsNormalisedSymmetricAndTruncatedAtFourSigma() {
        for (double sigma : new double[] {0.7, 1.5, 3, 10, 50}) {
            double[] w = GaussianFilter.kernel(sigma);
            assertThat(w.length).isEqualTo(2 * (int) (4 * sigma + 0.5) + 1);
            double s = 0;
            for (int i = 0; i < w.length; i++) {
                s += w[i];
                assertThat(w[i]).isCloseTo(w[w.length - 1 - i], within(1e-15));
            }
            assertThat(s).isCloseTo(1.0, within(1e-12));
        }
        assertThat(GaussianFilter.kernel(0)).containsExactly(1.0);
    }

    @Test
    void reflectModeRepeatsTheEdgeSampleAndIsPeriodic() {
        // d c b a | a b c d | d c b a, for n = 4
        int[] expected = {3, 2, 1, 0, 0, 1, 2, 3, 3, 2, 1, 0, 0, 1};
        for (int i = -4; i < 10; i++) {
            assertThat(GaussianFilter.reflect(i, 4)).as("index " + i).isEqualTo(expected[i + 4]);
        }
    }

    /** Values from scipy.ndimage.gaussian_filter (scipy 1.17, float64). */
    @Test
    void matchesScipy() {
        double[][] a = new double[7][9];
        a[1][2] = 1.0;
        a[6][8] = 2.0;
        a[3][0] = 0.5;
        double[][] r = GaussianFilter.filter(a, 1.5);
        assertThat(r[1][2]).isCloseTo(0.08864116350269564, within(1e-14));
        assertThat(r[6][8]).isCloseTo(0.4587514104218757, within(1e-14));
        assertThat(r[3][0]).isCloseTo(0.07972995864644827, within(1e-14));
        assertThat(r[0][0]).isCloseTo(0.05728164139964029, within(1e-14));
        assertThat(r[4][5]).isCloseTo(0.014088700883846759, within(1e-14));
        double sum = 0;
        for (double[] row : r) {
            for (double v : row) {
                sum += v;
            }
        }
        assertThat(sum).as("reflect mode keeps the mass").isCloseTo(3.5, within(1e-12));
        // a kernel much wider than the image (radius 8 on 3 x 4): repeated reflections
        double[][] b = {{0, 1, 2, 3}, {4, 5, 6, 7}, {8, 9, 10, 11}};
        double[][] wide = GaussianFilter.filter(b, 2.0);
        double[][] wideScipy = {{4.629388422375111, 4.877952853822188, 5.229465152207047, 5.4780295836541235},
            {5.075679419360494, 5.32424385080757, 5.675756149192431, 5.924320580639507},
            {5.5219704163458765, 5.770534847792953, 6.122047146177813, 6.37061157762489}};
        double[][] narrow = GaussianFilter.filter(b, 0.7);
        double[][] narrowScipy = {{1.1725112424721584, 1.9476981543400533, 2.928226194217897, 3.7034131060857916},
            {4.234549068193184, 5.009735980061079, 5.990264019938923, 6.765450931806818},
            {7.29658689391421, 8.071773805782104, 9.052301845659949, 9.827488757527842}};
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 4; j++) {
                assertThat(wide[i][j]).isCloseTo(wideScipy[i][j], within(1e-12));
                assertThat(narrow[i][j]).isCloseTo(narrowScipy[i][j], within(1e-12));
            }
        }
    }

    @Test
    void constantImagesStayConstant() {
        double[][] c = new double[5][8];
        for (double[] row : c) {
            java.util.Arrays.fill(row, 0.25);
        }
        for (double sigma : new double[] {1, 3, 50}) {
            for (double[] row : GaussianFilter.filter(c, sigma)) {
                for (double v : row) {
                    assertThat(v).isCloseTo(0.25, within(1e-14));
                }
            }
        }
    }
}
