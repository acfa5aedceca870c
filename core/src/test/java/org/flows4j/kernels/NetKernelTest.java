package org.flows4j.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The vector and plain {@link NetKernel}s against straightforward loops, bit for bit, at odd sizes too. */
class NetKernelTest {
    private static float[] vec(Random r, int n, double zeros) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextDouble() < zeros ? 0f : (float) r.nextGaussian();
        }
        return v;
    }

    private static float[][] mat(Random r, int rows, int cols, double zeros) {
        float[][] m = new float[rows][];
        for (int i = 0; i < rows; i++) {
            m[i] = vec(r, cols, zeros);
        }
        return m;
    }

    @Test
    void kernelsEqualTheScalarLoops() {
        Random rnd = new Random(3);
        for (NetKernel k : new NetKernel[] {NetKernel.best(), NetKernel.plain()}) {
            for (int m : new int[] {64, 16, 20, 7, 48, 1, 32}) {
                int n = 37;
                float[] x = vec(rnd, n, 0.1);
                float[] a = vec(rnd, m, 0.1);
                float[] b = vec(rnd, m, 0.1);
                // affineRelu on rows [5, 30)
                float[][] h = mat(rnd, n, m, 0);
                float[][] want = new float[n][];
                for (int r = 0; r < n; r++) {
                    want[r] = h[r].clone();
                    if (r >= 5 && r < 30) {
                        for (int o = 0; o < m; o++) {
                            float v = a[o] * x[r] + b[o];
                            want[r][o] = v > 0 ? v : 0f;
                        }
                    }
                }
                k.affineRelu(x, a, b, h, 5, 30, m);
                for (int r = 0; r < n; r++) {
                    assertThat(h[r]).as(k.name() + " affineRelu m=" + m + " row " + r).containsExactly(want[r]);
                }
                // columnSums over rows [3, 33)
                float[][] g = mat(rnd, n, m, 0.4);
                float[] sx = vec(rnd, m, 0);
                float[] s1 = vec(rnd, m, 0);
                float[] wx = new float[m];
                float[] w1 = new float[m];
                for (int r = 3; r < 33; r++) {
                    for (int o = 0; o < m; o++) {
                        wx[o] += g[r][o] * x[r];
                        w1[o] += g[r][o];
                    }
                }
                k.columnSums(g, x, 3, 33, sx, s1, m);
                assertThat(sx).as(k.name() + " columnSums x m=" + m).containsExactly(wx);
                float[] sum = vec(rnd, m, 0);
                float[] sumWant = new float[m];
                for (int r = 0; r < n; r++) {
                    for (int o = 0; o < m; o++) {
                        sumWant[o] += g[r][o];
                    }
                }
                k.columnSum(g, n, sum, m);
                assertThat(sum).as(k.name() + " columnSum m=" + m).containsExactly(sumWant);
                assertThat(s1).as(k.name() + " columnSums m=" + m).containsExactly(w1);
                // unitGradient against the plain kernel's two-chain loop
                float[] ahi = vec(rnd, m, 0);
                float[] alo = vec(rnd, m, 0);
                float[] bhi = vec(rnd, m, 0);
                float[] blo = vec(rnd, m, 0);
                float[] col = vec(rnd, m, 0.1);
                float[] dst = new float[m];
                float[] out = new float[2];
                k.unitGradient(0.7f, -1.3f, ahi, alo, bhi, blo, col, dst, new float[2 * m], out, m);
                float[] dstWant = new float[m];
                float[] outWant = new float[2];
                NetKernel.plain().unitGradient(0.7f, -1.3f, ahi, alo, bhi, blo, col, dstWant, new float[2 * m], outWant, m);
                assertThat(dst).as(k.name() + " unitGradient m=" + m).containsExactly(dstWant);
                assertThat(out).as(k.name() + " unitGradient sums m=" + m).containsExactly(outWant);
                float sw0 = 0;
                float sw1 = 0;
                for (int o = 0; o < m; o++) {
                    float p = col[o] * (ahi[o] - alo[o]);
                    if (o % 2 == 0 || o == m - 1 && m % 2 == 1) {
                        sw0 += p;
                    } else {
                        sw1 += p;
                    }
                    assertThat(dstWant[o]).isEqualTo(0.7f * (ahi[o] - alo[o]) + -1.3f * (bhi[o] - blo[o]));
                }
                assertThat(outWant[0]).isEqualTo(sw0 + sw1);
                // addUnit and toFloats
                double[] alpha = new double[m];
                double[] beta = new double[m];
                double[] aw = new double[m];
                double[] bw = new double[m];
                for (int o = 0; o < m; o++) {
                    alpha[o] = aw[o] = rnd.nextGaussian();
                    beta[o] = bw[o] = rnd.nextGaussian();
                }
                k.addUnit(0.3f, -2.1f, col, true, alpha, beta, m);
                k.addUnit(1.7f, 0.4f, a, false, alpha, beta, m);
                for (int o = 0; o < m; o++) {
                    aw[o] += 0.3f * (double) col[o];
                    bw[o] += -2.1f * (double) col[o];
                    aw[o] -= 1.7f * (double) a[o];
                    bw[o] -= 0.4f * (double) a[o];
                }
                assertThat(alpha).as(k.name() + " addUnit alpha").containsExactly(aw);
                assertThat(beta).as(k.name() + " addUnit beta").containsExactly(bw);
                float[] f = new float[m];
                k.toFloats(alpha, f, m);
                for (int o = 0; o < m; o++) {
                    assertThat(f[o]).isEqualTo((float) aw[o]);
                }
                // addScaled
                k.addScaled(-0.7f, col, alpha, m);
                for (int o = 0; o < m; o++) {
                    aw[o] += -0.7f * (double) col[o];
                }
                assertThat(alpha).as(k.name() + " addScaled").containsExactly(aw);
                // switches: units active (> 0) in one row only, NaN inactive, -0 and +0 alike
                float[] before = vec(rnd, m, 0.3);
                float[] after = before.clone();
                for (int o = 0; o < m; o++) {
                    double u = rnd.nextDouble();
                    after[o] = u < 0.2 ? -after[o] : u < 0.25 ? Float.NaN : u < 0.3 ? -0f : u < 0.5 ? 2 * after[o] : after[o];
                }
                int[] got = new int[m];
                int c = k.switches(before, after, m, got);
                java.util.List<Integer> switched = new java.util.ArrayList<>();
                for (int o = 0; o < m; o++) {
                    if ((before[o] > 0) != (after[o] > 0)) {
                        switched.add(o);
                    }
                }
                assertThat(java.util.Arrays.copyOf(got, c)).as(k.name() + " switches m=" + m)
                        .containsExactly(switched.stream().mapToInt(Integer::intValue).toArray());
                assertThat(k.switches(after, after, m, got)).isZero();
                // a single unit switching, anywhere in the row (the whole-row test must see it)
                for (int o = 0; o < m; o++) {
                    float[] one = before.clone();
                    one[o] = before[o] > 0 ? 0f : 1f;
                    assertThat(k.switches(before, one, m, got)).as(k.name() + " one switch m=" + m + " at " + o).isEqualTo(1);
                    assertThat(got[0]).isEqualTo(o);
                }
                // scaledRowsAndSums on rows [2, 30), masked by h (with NaN and -0 entries): the
                // rows, the others untouched, and the sums of mask * x over them in row order
                float[][] mask = mat(rnd, n, m, 0.2);
                mask[3][0] = Float.NaN;
                mask[4][m - 1] = -0f;
                float[][] rowsOut = mat(rnd, n, m, 0);
                float[][] dstWant2 = new float[n][];
                for (int r = 0; r < n; r++) {
                    dstWant2[r] = rowsOut[r].clone();
                    if (r >= 2 && r < 30) {
                        for (int o = 0; o < m; o++) {
                            dstWant2[r][o] = mask[r][o] > 0 ? x[r] * a[o] : 0f;
                        }
                    }
                }
                float[] sums = vec(rnd, m, 0);
                float[] sumsWant = new float[m];
                for (int r = 2; r < 30; r++) {
                    for (int o = 0; o < m; o++) {
                        sumsWant[o] += mask[r][o] * x[r];
                    }
                }
                k.scaledRowsAndSums(x, a, mask, rowsOut, 2, 30, m, sums);
                for (int r = 0; r < n; r++) {
                    assertThat(rowsOut[r]).as(k.name() + " scaledRowsAndSums m=" + m + " row " + r).containsExactly(dstWant2[r]);
                }
                for (int o = 0; o < m; o++) {
                    assertThat(Float.floatToIntBits(sums[o])).as(k.name() + " scaledRowsAndSums sums m=" + m + " o " + o)
                            .isEqualTo(Float.floatToIntBits(sumsWant[o]));
                }
            }
        }
    }
}
