package org.flows4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reference values from numpy 1.24.2 ({@code np.random.RandomState}). */
class NumpyRandomStateTest {

    @Test
    void rawOutputsMatchMt19937SeededWithInitGenrand() {
        // np.random.RandomState(0).randint(0, 2**32, size=3, dtype=np.uint64)
        NumpyRandomState rs = new NumpyRandomState(0);
        assertThat(rs.nextUint32()).isEqualTo(2357136044L);
        assertThat(rs.nextUint32()).isEqualTo(2546248239L);
        assertThat(rs.nextUint32()).isEqualTo(3071714933L);
    }

    @Test
    void randomSampleMatchesNumpy() {
        NumpyRandomState rs = new NumpyRandomState(0);
        assertThat(rs.randomSample(3)).containsExactly(0.5488135039273248, 0.7151893663724195, 0.6027633760716439);
        assertThat(new NumpyRandomState(42).randomSample(2)).containsExactly(0.3745401188473625, 0.9507143064099162);
        assertThat(new NumpyRandomState(4294967295L).randomSample(2)).containsExactly(0.0976320289940138, 0.9123828453026218);
    }

    @Test
    void arraySeedUsesInitByArray() {
        // np.random.RandomState(np.array([1, 2, 3])).random_sample(2)
        assertThat(new NumpyRandomState(new int[] {1, 2, 3}).randomSample(2))
                .containsExactly(0.6098612722867289, 0.8866970434146851);
    }

    @Test
    void standardNormalMatchesNumpyLegacyGauss() {
        NumpyRandomState rs = new NumpyRandomState(0);
        assertThat(rs.standardNormal(3)).containsExactly(1.764052345967664, 0.4001572083672233, 0.9787379841057392);
        double[] more = rs.standardNormal(998);
        // RandomState(0).standard_normal(1001)[1000]
        assertThat(more[997]).isEqualTo(0.555962679709798);
    }

    @Test
    void normalIsLocPlusScaleTimesGauss() {
        NumpyRandomState rs = new NumpyRandomState(0);
        assertThat(rs.normal(2.0, 3.0, 3)).containsExactly(7.292157037902992, 3.20047162510167, 4.9362139523172175);
    }

    @Test
    void shuffleAndPermutationMatchNumpy() {
        int[] expected = {2, 8, 4, 9, 1, 6, 7, 3, 0, 5};
        assertThat(new NumpyRandomState(0).permutation(10)).containsExactly(expected);

        int[] ints = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        new NumpyRandomState(0).shuffle(ints);
        assertThat(ints).containsExactly(expected);

        double[] doubles = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        new NumpyRandomState(0).shuffle(doubles);
        for (int i = 0; i < 10; i++) {
            assertThat(doubles[i]).isEqualTo(expected[i]);
        }

        double[][] rows = new double[10][];
        for (int i = 0; i < 10; i++) {
            rows[i] = new double[] {i, -i};
        }
        new NumpyRandomState(0).shuffle(rows);
        for (int i = 0; i < 10; i++) {
            assertThat(rows[i]).containsExactly(expected[i], -expected[i]);
        }

        List<Integer> list = new ArrayList<>(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
        new NumpyRandomState(0).shuffle(list);
        for (int i = 0; i < 10; i++) {
            assertThat(list.get(i)).isEqualTo(expected[i]);
        }
    }

    @Test
    void randomIntervalStaysInRange() {
        NumpyRandomState rs = new NumpyRandomState(7);
        assertThat(rs.randomInterval(0)).isZero();
        for (long max : new long[] {1, 2, 3, 5, 1000, 0xffffffffL, 0x100000000L, Long.MAX_VALUE}) {
            for (int i = 0; i < 200; i++) {
                long v = rs.randomInterval(max);
                assertThat(v).isBetween(0L, max);
            }
        }
    }

    @Test
    void seedOutOfRangeIsRejected() {
        assertThatThrownBy(() -> new NumpyRandomState(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new NumpyRandomState(1L << 32)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new NumpyRandomState(new int[0])).isInstanceOf(IllegalArgumentException.class);
    }
}
