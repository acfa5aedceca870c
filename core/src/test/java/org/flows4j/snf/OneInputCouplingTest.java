package org.flows4j.snf;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The exp-based tanh that the affine couplings' fast paths (evaluation and training) share. */
class OneInputCouplingTest {
    @Test
    void tanhIsMathTanhToAFewUlps() {
        Random r = new Random(11);
        double worst = 0;
        for (int i = 0; i < 200_000; i++) {
            // magnitudes from 1e-12 to 40: near 0, around the 0.125 switch, the tails where it is 1
            double x = Math.pow(10, -12 + 13.6 * r.nextDouble()) * (r.nextBoolean() ? 1 : -1);
            double want = Math.tanh(x);
            double got = OneInputCoupling.tanh(x);
            worst = Math.max(worst, Math.abs(got - want) / Math.ulp(want));
        }
        assertThat(worst).as("largest error in ulps").isLessThanOrEqualTo(4.0);
        for (double x : new double[] {0.125, -0.125, Math.nextDown(0.125), 19.0, 50.0, -50.0}) {
            assertThat(Math.abs(OneInputCoupling.tanh(x) - Math.tanh(x))).as("x = %s", x)
                    .isLessThanOrEqualTo(4 * Math.ulp(Math.tanh(x)));
        }
        assertThat(OneInputCoupling.tanh(Double.POSITIVE_INFINITY)).isEqualTo(1.0);
        assertThat(OneInputCoupling.tanh(Double.NEGATIVE_INFINITY)).isEqualTo(-1.0);
        assertThat(OneInputCoupling.tanh(Double.NaN)).isNaN();
        assertThat(Double.doubleToRawLongBits(OneInputCoupling.tanh(-0.0))).isEqualTo(Double.doubleToRawLongBits(-0.0));
    }
}
