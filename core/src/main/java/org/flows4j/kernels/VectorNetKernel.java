package org.flows4j.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The JDK Vector API version of {@link NetKernel}, loaded only when the incubator module is
 * present (see {@link NetKernel#forGemm}): elementwise work on vectors with the scalar loops'
 * rounding (separate multiply and add), so that it equals {@link PlainNetKernel} bit for bit.
 *
 * <p>Only the preferred float species: a second float shape loaded anywhere in the JVM (say for
 * float/double conversions) makes the vector calls of every kernel polymorphic, and the compiled
 * products several times slower.
 */
final class VectorNetKernel implements NetKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Doubles of the same bit size: half as many lanes (L = 2 LD). */
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final int LD = D.length();
    private static final VectorMask<Float> HIGH = VectorMask.fromLong(S, ((1L << L) - 1) & ~((1L << LD) - 1));

    @Override
    public String name() {
        return "vector";
    }

    @Override
    public void addUnit(float w, float b, float[] col, boolean add, double[] alpha, double[] beta, int m) {
        // NetKernel's addUnit (two addScaled) with each converted column vector used twice: this runs
        // at every switch of a first-layer unit. alpha - w c = alpha + (-w) c exactly (the products
        // of floats are exact in double). The conversions go through the preferred float shape
        // only (halves of one vector), see above.
        double wd = add ? w : -w;
        double bd = add ? b : -b;
        int o = 0;
        for (; o + L <= m; o += L) {
            FloatVector c = FloatVector.fromArray(S, col, o);
            for (int part = 0; part < 2; part++) {
                DoubleVector cd = (DoubleVector) c.convertShape(VectorOperators.F2D, D, part);
                int at = o + part * LD;
                DoubleVector.fromArray(D, alpha, at).add(cd.mul(wd)).intoArray(alpha, at);
                DoubleVector.fromArray(D, beta, at).add(cd.mul(bd)).intoArray(beta, at);
            }
        }
        for (; o < m; o++) {
            alpha[o] += wd * col[o];
            beta[o] += bd * col[o];
        }
    }

    @Override
    public void addScaled(float s, float[] x, double[] acc, int m) {
        double sd = s;
        int o = 0;
        for (; o + L <= m; o += L) {
            FloatVector c = FloatVector.fromArray(S, x, o);
            for (int part = 0; part < 2; part++) {
                DoubleVector cd = (DoubleVector) c.convertShape(VectorOperators.F2D, D, part);
                int at = o + part * LD;
                DoubleVector.fromArray(D, acc, at).add(cd.mul(sd)).intoArray(acc, at);
            }
        }
        for (; o < m; o++) {
            acc[o] += sd * x[o];
        }
    }

    @Override
    public int switches(float[] before, float[] after, int m, int[] out) {
        if (m == 4 * L) {
            // one test for the whole row first (most rows have no switch)
            VectorMask<Float> s0 = FloatVector.fromArray(S, before, 0).compare(VectorOperators.GT, 0f)
                    .eq(FloatVector.fromArray(S, after, 0).compare(VectorOperators.GT, 0f));
            VectorMask<Float> s1 = FloatVector.fromArray(S, before, L).compare(VectorOperators.GT, 0f)
                    .eq(FloatVector.fromArray(S, after, L).compare(VectorOperators.GT, 0f));
            VectorMask<Float> s2 = FloatVector.fromArray(S, before, 2 * L).compare(VectorOperators.GT, 0f)
                    .eq(FloatVector.fromArray(S, after, 2 * L).compare(VectorOperators.GT, 0f));
            VectorMask<Float> s3 = FloatVector.fromArray(S, before, 3 * L).compare(VectorOperators.GT, 0f)
                    .eq(FloatVector.fromArray(S, after, 3 * L).compare(VectorOperators.GT, 0f));
            if (s0.and(s1).and(s2).and(s3).allTrue()) {
                return 0;
            }
        }
        // lanes compared a vector at a time; only a vector with a switch is looked at lane by lane
        int c = 0;
        int o = 0;
        for (; o + L <= m; o += L) {
            VectorMask<Float> a = FloatVector.fromArray(S, before, o).compare(VectorOperators.GT, 0f);
            VectorMask<Float> b = FloatVector.fromArray(S, after, o).compare(VectorOperators.GT, 0f);
            if (!a.eq(b).allTrue()) {
                c = scalarSwitches(before, after, o, o + L, out, c);
            }
        }
        return scalarSwitches(before, after, o, m, out, c);
    }

    private static int scalarSwitches(float[] before, float[] after, int o0, int o1, int[] out, int c) {
        for (int o = o0; o < o1; o++) {
            out[c] = o;
            c += (before[o] > 0) != (after[o] > 0) ? 1 : 0;
        }
        return c;
    }

    @Override
    public void scaledRowsAndSums(float[] g, float[] v, float[][] mask, float[][] dst, int r0, int r1, int m, float[] sx) {
        // each row's vector of the mask read once for both (the run-sum backward's blocks)
        FloatVector zero = FloatVector.zero(S);
        int o = 0;
        for (; o + L <= m; o += L) {
            FloatVector vo = FloatVector.fromArray(S, v, o);
            FloatVector acc = zero;
            for (int r = r0; r < r1; r++) {
                float gr = g[r];
                FloatVector mr = FloatVector.fromArray(S, mask[r], o);
                zero.blend(vo.mul(gr), mr.compare(VectorOperators.GT, 0f)).intoArray(dst[r], o);
                acc = acc.add(mr.mul(gr));
            }
            acc.intoArray(sx, o);
        }
        for (; o < m; o++) {
            float acc = 0f;
            for (int r = r0; r < r1; r++) {
                float mr = mask[r][o];
                dst[r][o] = mr > 0 ? g[r] * v[o] : 0f;
                acc += mr * g[r];
            }
            sx[o] = acc;
        }
    }

    @Override
    public void toFloats(double[] src, float[] dst, int m) {
        int o = 0;
        for (; o + L <= m; o += L) {
            FloatVector lo = (FloatVector) DoubleVector.fromArray(D, src, o).convertShape(VectorOperators.D2F, S, 0);
            FloatVector hi = (FloatVector) DoubleVector.fromArray(D, src, o + LD).convertShape(VectorOperators.D2F, S, -1);
            lo.blend(hi, HIGH).intoArray(dst, o);
        }
        for (; o < m; o++) {
            dst[o] = (float) src[o];
        }
    }

    @Override
    public void affineRelu(float[] x, float[] a, float[] b, float[][] h, int r0, int r1, int m) {
        int j = 0;
        for (; j + 2 * L <= m; j += 2 * L) {
            FloatVector a0 = FloatVector.fromArray(S, a, j);
            FloatVector a1 = FloatVector.fromArray(S, a, j + L);
            FloatVector b0 = FloatVector.fromArray(S, b, j);
            FloatVector b1 = FloatVector.fromArray(S, b, j + L);
            for (int r = r0; r < r1; r++) {
                float xr = x[r];
                float[] hr = h[r];
                a0.mul(xr).add(b0).max(0f).intoArray(hr, j);
                a1.mul(xr).add(b1).max(0f).intoArray(hr, j + L);
            }
        }
        for (; j + L <= m; j += L) {
            FloatVector a0 = FloatVector.fromArray(S, a, j);
            FloatVector b0 = FloatVector.fromArray(S, b, j);
            for (int r = r0; r < r1; r++) {
                a0.mul(x[r]).add(b0).max(0f).intoArray(h[r], j);
            }
        }
        for (; j < m; j++) {
            for (int r = r0; r < r1; r++) {
                h[r][j] = Math.max(a[j] * x[r] + b[j], 0f); // as the lanes' max: NaN stays NaN
            }
        }
    }

    @Override
    public void columnSums(float[][] g, float[] x, int r0, int r1, float[] sx, float[] s1, int m) {
        int j = 0;
        for (; j + 2 * L <= m; j += 2 * L) {
            FloatVector ax0 = FloatVector.zero(S);
            FloatVector ax1 = FloatVector.zero(S);
            FloatVector a10 = FloatVector.zero(S);
            FloatVector a11 = FloatVector.zero(S);
            for (int r = r0; r < r1; r++) {
                float[] gr = g[r];
                float xr = x[r];
                FloatVector g0 = FloatVector.fromArray(S, gr, j);
                FloatVector g1 = FloatVector.fromArray(S, gr, j + L);
                ax0 = ax0.add(g0.mul(xr));
                ax1 = ax1.add(g1.mul(xr));
                a10 = a10.add(g0);
                a11 = a11.add(g1);
            }
            ax0.intoArray(sx, j);
            ax1.intoArray(sx, j + L);
            a10.intoArray(s1, j);
            a11.intoArray(s1, j + L);
        }
        for (; j + L <= m; j += L) {
            FloatVector ax = FloatVector.zero(S);
            FloatVector a1 = FloatVector.zero(S);
            for (int r = r0; r < r1; r++) {
                FloatVector g0 = FloatVector.fromArray(S, g[r], j);
                ax = ax.add(g0.mul(x[r]));
                a1 = a1.add(g0);
            }
            ax.intoArray(sx, j);
            a1.intoArray(s1, j);
        }
        for (; j < m; j++) {
            float ax = 0;
            float a1 = 0;
            for (int r = r0; r < r1; r++) {
                ax += g[r][j] * x[r];
                a1 += g[r][j];
            }
            sx[j] = ax;
            s1[j] = a1;
        }
    }

    @Override
    public void columnSum(float[][] g, int n, float[] out, int m) {
        int j = 0;
        for (; j + 4 * L <= m; j += 4 * L) {
            FloatVector a0 = FloatVector.zero(S);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            for (int r = 0; r < n; r++) {
                float[] gr = g[r];
                a0 = a0.add(FloatVector.fromArray(S, gr, j));
                a1 = a1.add(FloatVector.fromArray(S, gr, j + L));
                a2 = a2.add(FloatVector.fromArray(S, gr, j + 2 * L));
                a3 = a3.add(FloatVector.fromArray(S, gr, j + 3 * L));
            }
            a0.intoArray(out, j);
            a1.intoArray(out, j + L);
            a2.intoArray(out, j + 2 * L);
            a3.intoArray(out, j + 3 * L);
        }
        for (; j + L <= m; j += L) {
            FloatVector a0 = FloatVector.zero(S);
            for (int r = 0; r < n; r++) {
                a0 = a0.add(FloatVector.fromArray(S, g[r], j));
            }
            a0.intoArray(out, j);
        }
        for (; j < m; j++) {
            float a = 0;
            for (int r = 0; r < n; r++) {
                a += g[r][j];
            }
            out[j] = a;
        }
    }

    @Override
    public void unitGradient(float w, float b, float[] ahi, float[] alo, float[] bhi, float[] blo, float[] col,
            float[] dst, float[] scratch, float[] out, int m) {
        // products col X and col Y into scratch [0, m) and [m, 2m), then the scalar chains over them
        int j = 0;
        for (; j + L <= m; j += L) {
            FloatVector x = FloatVector.fromArray(S, ahi, j).sub(FloatVector.fromArray(S, alo, j));
            FloatVector y = FloatVector.fromArray(S, bhi, j).sub(FloatVector.fromArray(S, blo, j));
            x.mul(w).add(y.mul(b)).intoArray(dst, j);
            FloatVector c = FloatVector.fromArray(S, col, j);
            c.mul(x).intoArray(scratch, j);
            c.mul(y).intoArray(scratch, m + j);
        }
        for (; j < m; j++) {
            float x = ahi[j] - alo[j];
            float y = bhi[j] - blo[j];
            dst[j] = w * x + b * y;
            scratch[j] = col[j] * x;
            scratch[m + j] = col[j] * y;
        }
        float sw0 = 0;
        float sw1 = 0;
        float sb0 = 0;
        float sb1 = 0;
        int o = 0;
        for (; o + 2 <= m; o += 2) {
            sw0 += scratch[o];
            sb0 += scratch[m + o];
            sw1 += scratch[o + 1];
            sb1 += scratch[m + o + 1];
        }
        for (; o < m; o++) {
            sw0 += scratch[o];
            sb0 += scratch[m + o];
        }
        out[0] = sw0 + sw1;
        out[1] = sb0 + sb1;
    }
}
