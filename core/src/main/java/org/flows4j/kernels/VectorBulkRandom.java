package org.flows4j.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link BulkRandom} on the JDK Vector API: SplitMix64 over a vector of counters, the Box-Muller
 * transform with the vectorised log, sin and cos. Loaded only when the incubator module is present.
 */
final class VectorBulkRandom implements BulkRandom {
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Long> L = LongVector.SPECIES_PREFERRED;
    private static final int N = Math.min(D.length(), L.length());
    private static final double DOUBLE_UNIT = 0x1.0p-53;
    private static final double TWO_PI = 2.0 * Math.PI;
    /** Float vectors of twice the lanes: N cosines then N sines interleave into one. */
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorShuffle<Float> INTERLEAVE = interleave();

    private static VectorShuffle<Float> interleave() {
        if (F.length() != 2 * N) {
            return null;
        }
        int[] idx = new int[2 * N];
        for (int j = 0; j < N; j++) {
            idx[2 * j] = j;
            idx[2 * j + 1] = j - 2 * N; // lane j of the other vector
        }
        return VectorShuffle.fromValues(F, idx);
    }

    @Override
    public String name() {
        return "vector";
    }

    private static LongVector mix(LongVector z) {
        z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 30)).mul(0xbf58476d1ce4e5b9L);
        z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 27)).mul(0x94d049bb133111ebL);
        return z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 31));
    }

    private static DoubleVector unit(LongVector draws) {
        return ((DoubleVector) draws.lanewise(VectorOperators.LSHR, 11).convert(VectorOperators.L2D, 0)).mul(DOUBLE_UNIT);
    }

    @Override
    public int gaussianPairs(long seed, long gamma, float[] out, int off, int pairs) {
        if (D.length() != L.length()) {
            return PlainBulkRandom.scalarPairs(seed, gamma, out, off, 0, pairs);
        }
        long[] odd = new long[N];
        long[] even = new long[N];
        for (int j = 0; j < N; j++) {
            odd[j] = (2L * j + 1) * gamma;
            even[j] = (2L * j + 2) * gamma;
        }
        LongVector oddV = LongVector.fromArray(L, odd, 0);
        LongVector evenV = LongVector.fromArray(L, even, 0);
        double[] c = new double[N];
        double[] s = new double[N];
        int p = 0;
        for (; p + N <= pairs; p += N) {
            long base = seed + 2L * p * gamma;
            DoubleVector u1 = unit(mix(oddV.add(base)));
            if (u1.compare(VectorOperators.EQ, 0.0).anyTrue()) {
                return PlainBulkRandom.scalarPairs(seed, gamma, out, off, p, pairs);
            }
            DoubleVector u2 = unit(mix(evenV.add(base)));
            DoubleVector r = u1.lanewise(VectorOperators.LOG).mul(-2.0).lanewise(VectorOperators.SQRT);
            DoubleVector a = u2.mul(TWO_PI);
            DoubleVector rc = r.mul(a.lanewise(VectorOperators.COS));
            DoubleVector rs = r.mul(a.lanewise(VectorOperators.SIN));
            if (INTERLEAVE != null) {
                FloatVector fc = (FloatVector) rc.convertShape(VectorOperators.D2F, F, 0);
                FloatVector fs = (FloatVector) rs.convertShape(VectorOperators.D2F, F, 0);
                fc.rearrange(INTERLEAVE, fs).intoArray(out, off + 2 * p);
            } else {
                rc.intoArray(c, 0);
                rs.intoArray(s, 0);
                int o = off + 2 * p;
                for (int j = 0; j < N; j++) {
                    out[o + 2 * j] = (float) c[j];
                    out[o + 2 * j + 1] = (float) s[j];
                }
            }
        }
        return PlainBulkRandom.scalarPairs(seed, gamma, out, off, p, pairs);
    }

    @Override
    public void uniforms(long seed, long gamma, double[] out, int off, int n) {
        if (D.length() != L.length()) {
            new PlainBulkRandom().uniforms(seed, gamma, out, off, n);
            return;
        }
        LongVector stepV = steps(gamma);
        int k = 0;
        for (; k + N <= n; k += N) {
            unit(mix(stepV.add(seed + k * gamma))).intoArray(out, off + k);
        }
        for (; k < n; k++) {
            out[off + k] = (BulkRandom.mix64(seed + (k + 1L) * gamma) >>> 11) * DOUBLE_UNIT;
        }
    }

    @Override
    public void exponentials(long seed, long gamma, double[] out, int off, int n) {
        if (D.length() != L.length()) {
            new PlainBulkRandom().exponentials(seed, gamma, out, off, n);
            return;
        }
        LongVector stepV = steps(gamma);
        int k = 0;
        for (; k + N <= n; k += N) {
            unit(mix(stepV.add(seed + k * gamma))).lanewise(VectorOperators.LOG).neg().intoArray(out, off + k);
        }
        for (; k < n; k++) {
            out[off + k] = -Math.log((BulkRandom.mix64(seed + (k + 1L) * gamma) >>> 11) * DOUBLE_UNIT);
        }
    }

    /** Lane j holds (j + 1) gamma: the offsets of a vector of consecutive states from its base. */
    private static LongVector steps(long gamma) {
        long[] steps = new long[N];
        for (int j = 0; j < N; j++) {
            steps[j] = (j + 1L) * gamma;
        }
        return LongVector.fromArray(L, steps, 0);
    }
}
