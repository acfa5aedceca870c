package org.flows4j.flows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The conditioning estimate that widens log-det checks must be what it claims. */
class FlowTestSupportConditionTest {
    @Test
    void diagonalMatricesHaveConditionN() {
        assertThat(FlowTestSupport.logAbsDetCondition(new double[][] {{3, 0, 0}, {0, -1e-6, 0}, {0, 0, 7e4}}))
                .isCloseTo(3.0, within(1e-12));
    }

    @Test
    void twoByTwoIsTwiceTheProductsOverTheDeterminant() {
        double[][] a = {{0.03764070524002951, 1.520035045658727}, {0.5826252852020363, 23.528008904731532}};
        double det = a[0][0] * a[1][1] - a[0][1] * a[1][0];
        double expected = 2 * (Math.abs(a[0][0] * a[1][1]) + Math.abs(a[0][1] * a[1][0])) / Math.abs(det);
        assertThat(FlowTestSupport.logAbsDetCondition(a)).isCloseTo(expected, within(1e-6 * expected));
        double[][] b = {{2, 1}, {1, 3}};
        assertThat(FlowTestSupport.logAbsDetCondition(b)).isCloseTo(2.0 * 7 / 5, within(1e-12));
    }

    @Test
    void itBoundsTheFirstOrderChangeOfTheLogDet() {
        double[][] a = {{4, -2, 1}, {3, 6, -4}, {2, 1, 8}};
        double base = FlowTestSupport.logAbsDet(a);
        double bound = FlowTestSupport.logAbsDetCondition(a);
        double h = 1e-7;
        // perturbing each entry by a relative h in the worst-case sign moves log|det| by about h * bound
        double worst = 0;
        for (int s = 0; s < 1 << 9; s++) {
            double[][] p = new double[3][3];
            for (int k = 0; k < 9; k++) {
                p[k / 3][k % 3] = a[k / 3][k % 3] * (1 + ((s >> k & 1) == 1 ? h : -h));
            }
            worst = Math.max(worst, Math.abs(FlowTestSupport.logAbsDet(p) - base));
        }
        assertThat(worst).isCloseTo(h * bound, within(1e-3 * h * bound));
    }
}
