package org.flows4j.cli.plot;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TicksTest {

    @Test
    void niceStepsAndValues() {
        Ticks.Scale s = Ticks.nice(-3.1, 3.1, 7);
        assertThat(s.step()).isEqualTo(1.0);
        assertThat(s.values()).containsExactly(-3, -2, -1, 0, 1, 2, 3);
        assertThat(s.label(-2)).isEqualTo("-2");
    }

    @Test
    void fractionalLabels() {
        Ticks.Scale s = Ticks.nice(0, 0.37, 6);
        assertThat(s.step()).isEqualTo(0.05, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(s.label(s.values()[1])).isEqualTo("0.05");
        assertThat(s.label(0)).isEqualTo("0");
    }

    @Test
    void tinyAndHugeUseScientific() {
        assertThat(Ticks.format(1.5e-5, 5e-6)).isEqualTo("1.5e-5");
        assertThat(Ticks.format(2e7, 1e6)).isEqualTo("2e7");
    }

    @Test
    void noNegativeZero() {
        for (double v : Ticks.nice(-0.3, 0.3, 6).values()) {
            assertThat(Ticks.format(v, 0.1)).doesNotStartWith("-0.0").isNotEqualTo("-0");
        }
    }
}
