package org.flows4j.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Rng is SplitMix64 with explicit state: it must reproduce SplittableRandom exactly, and resume from its state. */
class RngTest {

    @Test
    void reproducesSplittableRandomDrawForDraw() {
        for (long seed : new long[] {0, 1, -1, 42, Long.MIN_VALUE, 0x9e3779b97f4a7c15L}) {
            Rng ours = new Rng(seed);
            SplittableRandom jdk = new SplittableRandom(seed);
            for (int i = 0; i < 20_000; i++) {
                switch (i % 7) {
                    case 0 -> assertThat(ours.nextLong()).isEqualTo(jdk.nextLong());
                    case 1 -> assertThat(ours.nextDouble()).isEqualTo(jdk.nextDouble());
                    case 2 -> assertThat(ours.nextInt(2000)).isEqualTo(jdk.nextInt(2000));
                    case 3 -> assertThat(ours.nextInt(1 << 10)).isEqualTo(jdk.nextInt(1 << 10));
                    case 4 -> {
                        int bound = 1 + (i * 7919) % Integer.MAX_VALUE;
                        assertThat(ours.nextInt(bound)).isEqualTo(jdk.nextInt(bound));
                        assertThat(ours.nextInt(Integer.MAX_VALUE)).isEqualTo(jdk.nextInt(Integer.MAX_VALUE));
                        assertThat(ours.nextInt(0x40000001)).isEqualTo(jdk.nextInt(0x40000001));
                    }
                    case 5 -> {
                        // the split trees agree: the children, and the parents after splitting
                        Rng oc = ours.split();
                        SplittableRandom jc = jdk.split();
                        for (int k = 0; k < 5; k++) {
                            assertThat(oc.nextLong()).isEqualTo(jc.nextLong());
                        }
                        if (i % 3 == 0) {
                            ours = oc;
                            jdk = jc;
                        }
                    }
                    default -> assertThat(ours.nextInt(1)).isEqualTo(jdk.nextInt(1));
                }
            }
        }
    }

    @Test
    void gaussiansMatchBoxMullerOnTheSplittableRandomStream() {
        Rng r = new Rng(7);
        SplittableRandom s = new SplittableRandom(7);
        for (int i = 0; i < 1000; i++) {
            double u1;
            do {
                u1 = s.nextDouble();
            } while (u1 == 0.0);
            double u2 = s.nextDouble();
            double rad = Math.sqrt(-2.0 * Math.log(u1));
            double a = 2.0 * Math.PI * u2;
            assertThat(r.nextGaussian()).isEqualTo(rad * Math.cos(a));
            assertThat(r.nextGaussian()).isEqualTo(rad * Math.sin(a));
        }
    }

    @Test
    void restoringAStateContinuesTheStreamExactly() {
        Rng r = new Rng(3);
        r.nextGaussian(); // leaves a spare normal waiting
        Rng.State saved = r.state();
        assertThat(saved.hasSpare()).isTrue();
        double[] expected = new double[50];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = i % 2 == 0 ? r.nextGaussian() : r.nextInt(1000) + r.nextDouble();
        }
        for (Rng resumed : new Rng[] {Rng.of(saved), restoredInto(new Rng(99), saved)}) {
            for (int i = 0; i < expected.length; i++) {
                double v = i % 2 == 0 ? resumed.nextGaussian() : resumed.nextInt(1000) + resumed.nextDouble();
                assertThat(v).isEqualTo(expected[i]);
            }
        }
        Rng a = Rng.of(saved);
        Rng b = Rng.of(saved);
        assertThat(a.split().nextLong()).isEqualTo(b.split().nextLong());
        assertThat(a.state()).isEqualTo(b.state());
    }

    private static Rng restoredInto(Rng r, Rng.State s) {
        r.restore(s);
        return r;
    }

    @Test
    void rejectsImpossibleStates() {
        assertThatThrownBy(() -> new Rng.State(1, 2, false, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("odd");
        assertThatThrownBy(() -> new Rng.State(1, 3, true, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Rng(1).nextInt(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
