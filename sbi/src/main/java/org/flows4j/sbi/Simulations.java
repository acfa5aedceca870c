package org.flows4j.sbi;

import org.flows4j.parallel.Parallel;
import org.flows4j.tensor.Rng;

/**
 * Runs a simulator over many parameters in parallel. Row i draws its noise from its own generator,
 * seeded from (seed, i), so the result depends on the seed only, never on the number of threads.
 * Rows whose x holds NaN or infinity are dropped (with their theta) and counted.
 */
public final class Simulations {
    private Simulations() {}

    /** Kept (theta, x) pairs, and how many simulations were dropped for non-finite output. */
    public record Batch(double[][] theta, double[][] x, int dropped, double seconds) {
        public int size() {
            return theta.length;
        }
    }

    /** Draws n parameters from the prior (generator seeded with seed) and simulates each. */
    public static Batch sampleAndSimulate(Prior prior, Simulator simulator, int n, long seed, int threads) {
        double[][] theta = prior.sample(n, new Rng(seed));
        return simulate(simulator, theta, seed ^ 0x5DEECE66DL, threads);
    }

    /** Simulates one x per row of theta; see the class comment for seeding and dropping. */
    public static Batch simulate(Simulator simulator, double[][] theta, long seed, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        long t0 = System.nanoTime();
        int n = theta.length;
        int xDim = simulator.xDim();
        double[][] x = new double[n][];
        // about 8 chunks per thread, so a slow chunk (a stiff ODE) does not hold up the rest
        int chunks = Math.max(1, Math.min(n, threads * 8));
        int chunk = (n + chunks - 1) / chunks;
        Parallel.forEachChunk(n, Math.max(1, chunk), threads, () -> null,
                (ignored, lo, hi) -> run(simulator, theta, x, seed, lo, hi, xDim));
        int kept = 0;
        for (double[] row : x) {
            if (finite(row)) {
                kept++;
            }
        }
        double[][] th = new double[kept][];
        double[][] xs = new double[kept][];
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (finite(x[i])) {
                th[k] = theta[i].clone();
                xs[k++] = x[i];
            }
        }
        return new Batch(th, xs, n - kept, (System.nanoTime() - t0) / 1e9);
    }

    private static void run(Simulator sim, double[][] theta, double[][] x, long seed, int lo, int hi, int xDim) {
        for (int i = lo; i < hi; i++) {
            double[] out = new double[xDim];
            try {
                sim.simulate(theta[i], rowRng(seed, i), out);
            } catch (ArithmeticException
                    | org.apache.commons.math3.exception.MathIllegalStateException
                    | org.apache.commons.math3.exception.MathIllegalArgumentException e) {
                java.util.Arrays.fill(out, Double.NaN);
            }
            x[i] = out;
        }
    }

    /** The generator of row i: its seed is a SplitMix64 finalisation of (seed, i). */
    public static Rng rowRng(long seed, long i) {
        long z = seed + (i + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return new Rng(z ^ (z >>> 31));
    }

    static boolean finite(double[] row) {
        for (double v : row) {
            if (!Double.isFinite(v)) {
                return false;
            }
        }
        return true;
    }
}
