package org.flows4j.data;

/**
 * Float64 {@code np.cos} / {@code np.sin} as numpy 1.22–1.25 compute them on x86-64 CPUs with
 * AVX512_SKX: those builds route the float64 cos/sin ufunc loops to Intel SVML's
 * {@code __svml_cos8} / {@code __svml_sin8} (the "la", under 4 ulp variants), whose results
 * differ from a correctly rounded libm by an ulp or two on roughly half of all arguments. To
 * reproduce {@code sklearn.datasets.make_moons} bit for bit, this class replays the main path of
 * those kernels operation by operation (same constants, same fused multiply-adds, same
 * round-toward-zero in the cos range reduction).
 *
 * <p>Only the main path is ported: |x| up to about 2.6e7 for cos and 2<sup>24</sup> for sin.
 * Larger, infinite or NaN arguments fall back to {@link Math#cos} / {@link Math#sin}, which are
 * accurate but not bit-identical to SVML's long-range reduction. Builds of numpy without SVML
 * (non-AVX512 machines, numpy &ge; 2.0) use libm instead, so their make_moons output can differ
 * from this in the last bits.
 */
final class NumpyTrig {
    private NumpyTrig() {
    }

    private static double d(long bits) {
        return Double.longBitsToDouble(bits);
    }

    // Shared reduction constants.
    private static final double INV_PI = d(0x3fd45f306dc9c883L);
    private static final double PI1 = d(0x400921fb54442d18L);
    private static final double PI2 = d(0x3ca1a62633145c06L);
    private static final double PI3 = d(0x395c1cd129024e09L);

    // __svml_cos8 (la) data.
    private static final double COS_SHIFTER = d(0x4330000000000000L); // 2^52
    private static final double COS_SHIFTER_HALF = d(0x432fffffffffffffL); // 2^52 - 0.5
    private static final double COS_LARGE = d(0x43300000007ffffeL);
    private static final double COS_TINY = d(0x3e40000000000000L); // 2^-27
    private static final double COS_C7 = d(0xbd69f0d60811aac8L);
    private static final double COS_C6 = d(0x3de60e6857a2f220L);
    private static final double COS_C5 = d(0xbe5ae63546002231L);
    private static final double COS_C4 = d(0x3ec71de38030fea0L);
    private static final double COS_C3 = d(0xbf2a01a019a5b87bL);
    private static final double COS_C2 = d(0x3f8111111110a4a8L);
    private static final double COS_C1 = d(0xbfc55555555554a7L);

    // __svml_sin8 (la) data.
    private static final double SIN_SHIFTER = d(0x4338000000000000L); // 1.5 * 2^52
    private static final double SIN_LARGE = d(0x4170000000000000L); // 2^24
    private static final double SIN_C7 = d(0xbd69f1517e9f65f0L);
    private static final double SIN_C6 = d(0x3de60e6bee01d83eL);
    private static final double SIN_C5 = d(0xbe5ae6355aaa4a53L);
    private static final double SIN_C4 = d(0x3ec71de3806add1aL);
    private static final double SIN_C3 = d(0xbf2a01a019a659ddL);
    private static final double SIN_C2 = d(0x3f8111111110a573L);
    private static final double SIN_C1 = d(0xbfc55555555554a8L);

    /** {@code a * b + c} rounded toward zero, for a non-negative exact result. */
    private static double fmaTowardZeroNonNegative(double a, double b, double c) {
        double r = Math.fma(a, b, c);
        // c - r is exact here (both are integers in [2^52, 2^53]); the sign of the rounded
        // residual a*b + (c - r) is the sign of the exact residual.
        double residual = Math.fma(a, b, c - r);
        return residual < 0 ? Math.nextDown(r) : r;
    }

    /** numpy's float64 {@code cos} (SVML {@code __svml_cos8}, main path). */
    static double cos(double x) {
        double ax = Math.abs(x);
        if (!(ax < 3.0e7)) { // also catches NaN and infinities
            return Math.cos(x);
        }
        // N = floor(|x| / pi) via 2^52 + |x| * (1/pi), rounded toward zero.
        double shifted = fmaTowardZeroNonNegative(ax, INV_PI, COS_SHIFTER);
        if (shifted > COS_LARGE) {
            return Math.cos(x);
        }
        long signN = Double.doubleToRawLongBits(shifted) << 63;
        double nHalf = shifted - COS_SHIFTER_HALF; // N + 0.5, exact
        double r = Math.fma(nHalf, PI1, -ax);
        r = Math.fma(nHalf, PI2, r);
        double r2 = r * r;
        double rFull = Math.fma(PI3, nHalf, r);
        double p = Math.fma(r2, COS_C7, COS_C6);
        p = Math.fma(r2, p, COS_C5);
        p = Math.fma(r2, p, COS_C4);
        p = Math.fma(r2, p, COS_C3);
        double rs = Double.longBitsToDouble(Double.doubleToRawLongBits(rFull) ^ signN);
        p = Math.fma(r2, p, COS_C2);
        double rr2 = rs * r2;
        p = Math.fma(r2, p, COS_C1);
        p = Math.fma(rr2, p, rs);
        return ax < COS_TINY ? 1.0 : p;
    }

    /** numpy's float64 {@code sin} (SVML {@code __svml_sin8}, main path). */
    static double sin(double x) {
        double ax = Math.abs(x);
        if (!(ax <= SIN_LARGE)) {
            return Math.sin(x);
        }
        // N = rint(x / pi) via the 1.5 * 2^52 shifter.
        double shifted = Math.fma(x, INV_PI, SIN_SHIFTER);
        long signMask = Double.doubleToRawLongBits(shifted) << 63;
        if (x == 0.0) {
            signMask ^= Double.doubleToRawLongBits(x);
        }
        double n = shifted - SIN_SHIFTER;
        double r = Math.fma(-n, PI1, x);
        r = Math.fma(-n, PI2, r);
        double r2 = r * r;
        double rFull = Math.fma(-PI3, n, r);
        double p = Math.fma(r2, SIN_C7, SIN_C6);
        double rr2 = r2 * rFull;
        p = Math.fma(r2, p, SIN_C5);
        p = Math.fma(r2, p, SIN_C4);
        p = Math.fma(r2, p, SIN_C3);
        p = Math.fma(r2, p, SIN_C2);
        p = Math.fma(r2, p, SIN_C1);
        p = Math.fma(rr2, p, rFull);
        return Double.longBitsToDouble(Double.doubleToRawLongBits(p) ^ signMask);
    }
}
