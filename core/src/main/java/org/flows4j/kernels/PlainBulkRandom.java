package org.flows4j.kernels;

/** {@link BulkRandom} in plain loops, bit for bit Rng's scalar sequence. */
final class PlainBulkRandom implements BulkRandom {
    private static final double DOUBLE_UNIT = 0x1.0p-53;

    @Override
    public String name() {
        return "plain";
    }

    @Override
    public int gaussianPairs(long seed, long gamma, float[] out, int off, int pairs) {
        return scalarPairs(seed, gamma, out, off, 0, pairs);
    }

    /** Pairs [from, to) after seed; returns the index of the first pair not written. */
    static int scalarPairs(long seed, long gamma, float[] out, int off, int from, int to) {
        for (int p = from; p < to; p++) {
            double u1 = (BulkRandom.mix64(seed + (2L * p + 1) * gamma) >>> 11) * DOUBLE_UNIT;
            if (u1 == 0.0) {
                return p;
            }
            double u2 = (BulkRandom.mix64(seed + (2L * p + 2) * gamma) >>> 11) * DOUBLE_UNIT;
            double r = Math.sqrt(-2.0 * Math.log(u1));
            double a = 2.0 * Math.PI * u2;
            out[off + 2 * p] = (float) (r * Math.cos(a));
            out[off + 2 * p + 1] = (float) (r * Math.sin(a));
        }
        return to;
    }

    @Override
    public void uniforms(long seed, long gamma, double[] out, int off, int n) {
        for (int k = 0; k < n; k++) {
            out[off + k] = (BulkRandom.mix64(seed + (k + 1L) * gamma) >>> 11) * DOUBLE_UNIT;
        }
    }

    @Override
    public void exponentials(long seed, long gamma, double[] out, int off, int n) {
        for (int k = 0; k < n; k++) {
            out[off + k] = -Math.log((BulkRandom.mix64(seed + (k + 1L) * gamma) >>> 11) * DOUBLE_UNIT);
        }
    }
}
