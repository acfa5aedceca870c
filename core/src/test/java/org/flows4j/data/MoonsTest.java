package org.flows4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Reference values from scikit-learn 1.2.1 / numpy 1.24.2: make_moons(2000, noise=0.05, random_state=0). */
class MoonsTest {
    private static final double[][] FIRST_ROWS = {
        {0.31460007924133315, 0.9262055208662651},
        {0.1749099057757915, -0.10528552125915469},
        {0.048929128232119326, 0.052034957400309216},
        {-0.6731841540712434, 0.7989568477240527},
        {1.8761386499042965, -0.18699089617182643},
    };

    @Test
    void firstRowsMatchSklearnBitForBit() {
        double[][] x = Moons.make(2000, 0.05, 0);
        assertThat(x).hasNumberOfRows(2000);
        for (int i = 0; i < FIRST_ROWS.length; i++) {
            assertThat(x[i]).containsExactly(FIRST_ROWS[i]);
        }
        assertThat(x[1999]).containsExactly(-0.5087229491213688, 0.9343964961814996);
    }

    @Test
    void labelsMatchSklearn() {
        Moons.Sample s = Moons.sample(2000, 0.05, 0);
        assertThat(java.util.Arrays.copyOf(s.y(), 10)).containsExactly(0, 1, 1, 0, 1, 1, 1, 1, 1, 0);
        assertThat(java.util.Arrays.stream(s.y()).sum()).isEqualTo(1000);
        assertThat(s.x()[0]).containsExactly(FIRST_ROWS[0]);
    }

    @Test
    void columnMomentsMatchNumpy() {
        Standardization st = Standardization.fit(Moons.make(2000, 0.05, 0));
        // X.mean(0), X.std(0, ddof=1), np.log(X.std(0, ddof=1)).sum()
        assertThat(st.mean()).containsExactly(0.49878387373289823, 0.2502693869223404);
        assertThat(st.std()).containsExactly(0.8687103475205776, 0.4988847731105826);
        assertThat(st.logAbsDet()).isCloseTo(-0.836125651792384, within(1e-15));
    }

    @Test
    void unshuffledNoiselessPointsLieOnTheArcs() {
        Moons.Sample s = Moons.sample(7, false, Double.NaN, 0);
        // n_out = 3 outer points, n_in = 4 inner points
        assertThat(s.y()).containsExactly(0, 0, 0, 1, 1, 1, 1);
        assertThat(s.x()[0]).containsExactly(1.0, 0.0);
        assertThat(s.x()[2][0]).isEqualTo(-1.0);
        assertThat(s.x()[3]).containsExactly(0.0, 0.5);
        for (int i = 0; i < 3; i++) {
            double[] p = s.x()[i];
            assertThat(p[0] * p[0] + p[1] * p[1]).isCloseTo(1.0, within(1e-15));
        }
        for (int i = 3; i < 7; i++) {
            double[] p = s.x()[i];
            double dx = p[0] - 1;
            double dy = p[1] - 0.5;
            assertThat(dx * dx + dy * dy).isCloseTo(1.0, within(1e-15));
        }
    }

    @Test
    void smallSizes() {
        assertThat(Moons.make(0, 0.1, 0)).isEmpty();
        assertThat(Moons.make(1, 0.1, 0)).hasNumberOfRows(1);
        assertThat(Moons.make(3, 0.1, 0)).hasNumberOfRows(3);
    }

    @Test
    void standardizationRoundTrips() {
        double[][] x = Moons.make(500, 0.1, 3);
        Standardization st = Standardization.fit(x);
        double[][] z = st.apply(x);
        Standardization zs = Standardization.fit(z);
        for (int j = 0; j < 2; j++) {
            assertThat(zs.mean()[j]).isCloseTo(0.0, within(1e-12));
            assertThat(zs.std()[j]).isCloseTo(1.0, within(1e-12));
        }
        double[][] back = st.invert(z);
        for (int i = 0; i < x.length; i++) {
            assertThat(back[i][0]).isCloseTo(x[i][0], within(1e-14));
            assertThat(back[i][1]).isCloseTo(x[i][1], within(1e-14));
        }
        assertThat(st.logAbsDet()).isCloseTo(Math.log(st.std()[0]) + Math.log(st.std()[1]), within(1e-15));
    }
}
