package org.flows4j.snf;

import org.flows4j.tensor.Rng;

/**
 * Standard normal draws by the ziggurat method (Marsaglia and Tsang 2000, in Doornik's 2005
 * ZIGNOR form: 128 layers, the tail beyond R = 3.4426 by Marsaglia's exponential method), from
 * the 64-bit words of an {@link Rng}: about one word and no transcendental function per draw in
 * 99% of cases, several times faster than Box-Muller. Exact in distribution (not an approximation);
 * the Metropolis blocks of the fused sampler draw their proposals with it.
 */
final class ZigguratNormal {
    private ZigguratNormal() {}

    private static final int C = 128;
    private static final double R = 3.442619855899;
    private static final double V = 9.91256303526217e-3;
    private static final double[] X = new double[C + 1];
    private static final double[] RATIO = new double[C];
    private static final double UNIT = 0x1.0p-53;

    static {
        double f = Math.exp(-0.5 * R * R);
        X[0] = V / f;
        X[1] = R;
        X[C] = 0;
        for (int i = 2; i < C; i++) {
            X[i] = Math.sqrt(-2 * Math.log(V / X[i - 1] + f));
            f = Math.exp(-0.5 * X[i] * X[i]);
        }
        for (int i = 0; i < C; i++) {
            RATIO[i] = X[i + 1] / X[i];
        }
    }

    /** One standard normal draw. */
    static double next(Rng rng) {
        while (true) {
            long bits = rng.nextLong();
            int i = (int) (bits & (C - 1));
            // 53 high bits: a uniform in [-1, 1)
            double u = 2 * ((bits >>> 11) * UNIT) - 1;
            if (Math.abs(u) < RATIO[i]) {
                return u * X[i];
            }
            if (i == 0) {
                return tail(rng, u < 0);
            }
            double x = u * X[i];
            double f0 = Math.exp(-0.5 * (X[i] * X[i] - x * x));
            double f1 = Math.exp(-0.5 * (X[i + 1] * X[i + 1] - x * x));
            if (f1 + rng.nextDouble() * (f0 - f1) < 1.0) {
                return x;
            }
        }
    }

    private static double tail(Rng rng, boolean negative) {
        double x;
        double y;
        do {
            x = Math.log(1 - rng.nextDouble()) / R;
            y = Math.log(1 - rng.nextDouble());
        } while (-2 * y < x * x);
        return negative ? x - R : R - x;
    }
}
