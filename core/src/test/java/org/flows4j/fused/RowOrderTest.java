package org.flows4j.fused;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** RowOrder against a comparison sort: values as Float.compare orders them, ties by row. */
class RowOrderTest {
    private static final float[] SPECIAL = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE,
        Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1f, -1f, 1e-40f, -1e-40f};

    private static Integer[] reference(float[][] rows, int col, int n) {
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        // Float.compare: -0 before +0; the sort is stable, so ties stay in row order
        Arrays.sort(idx, Comparator.comparing((Integer i) -> rows[i][col], Float::compare));
        return idx;
    }

    @Test
    void ordersLikeAComparisonSortWithTiesByRow() {
        Random rnd = new Random(7);
        RowOrder order = new RowOrder();
        for (int n : new int[] {0, 1, 2, 3, 17, 250, 251, 4096}) {
            for (int trial = 0; trial < 20; trial++) {
                float[][] rows = new float[n][2];
                for (int i = 0; i < n; i++) {
                    float v = switch (trial % 4) {
                        case 0 -> (float) rnd.nextGaussian();
                        case 1 -> rnd.nextInt(5) - 2; // many ties
                        case 2 -> SPECIAL[rnd.nextInt(SPECIAL.length)];
                        default -> 1f + rnd.nextInt(3) * Math.ulp(1f); // one byte varies only
                    };
                    rows[i][1] = v;
                    rows[i][0] = Float.NaN;
                }
                int[] perm = new int[n];
                order.argsort(rows, 1, n, perm);
                Integer[] ref = reference(rows, 1, n);
                for (int r = 0; r < n; r++) {
                    assertThat(perm[r]).as("n %d trial %d rank %d", n, trial, r).isEqualTo(ref[r]);
                }
            }
        }
    }

    @Test
    void nanSortsByItsSignAtEitherEnd() {
        float negNaN = Float.intBitsToFloat(0xffc00000);
        float[][] rows = {{Float.NaN}, {1f}, {negNaN}, {Float.NEGATIVE_INFINITY}, {Float.POSITIVE_INFINITY}};
        int[] perm = new int[5];
        new RowOrder().argsort(rows, 0, 5, perm);
        assertThat(perm).containsExactly(2, 3, 1, 4, 0);
    }

    @Test
    void reusedForFewerRowsAfterMore() {
        RowOrder order = new RowOrder();
        float[][] big = new float[1000][1];
        Random rnd = new Random(3);
        for (float[] r : big) {
            r[0] = rnd.nextFloat();
        }
        order.argsort(big, 0, 1000, new int[1000]);
        float[][] small = {{3f}, {1f}, {2f}};
        int[] perm = new int[3];
        order.argsort(small, 0, 3, perm);
        assertThat(perm).containsExactly(1, 2, 0);
    }
}
