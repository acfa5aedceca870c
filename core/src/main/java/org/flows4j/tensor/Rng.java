package org.flows4j.tensor;

import java.util.SplittableRandom;

/**
 * A seeded random number generator. Every random draw in flows4j goes through one of these, so a
 * run is reproducible from its seed. Built on {@link SplittableRandom} (SplitMix64, whose output
 * the JDK specifies, so streams are the same on every JDK); normals by the Box-Muller transform.
 * {@link #split()} gives an independent generator for parallel work, deterministically.
 * Not thread-safe: give each thread its own (split) generator.
 */
public final class Rng {
    private final SplittableRandom random;
    private double spare;
    private boolean hasSpare;

    public Rng(long seed) {
        this.random = new SplittableRandom(seed);
    }

    private Rng(SplittableRandom random) {
        this.random = random;
    }

    /** A new generator whose stream is independent of this one's (and advances this one). */
    public Rng split() {
        return new Rng(random.split());
    }

    /** Uniform in [0, 1). */
    public double nextDouble() {
        return random.nextDouble();
    }

    /** Uniform integer in [0, bound). */
    public int nextInt(int bound) {
        return random.nextInt(bound);
    }

    /** Uniform long over all 64-bit values. */
    public long nextLong() {
        return random.nextLong();
    }

    /** Standard normal. */
    public double nextGaussian() {
        if (hasSpare) {
            hasSpare = false;
            return spare;
        }
        double u1;
        do {
            u1 = random.nextDouble();
        } while (u1 == 0.0);
        double u2 = random.nextDouble();
        double r = Math.sqrt(-2.0 * Math.log(u1));
        double a = 2.0 * Math.PI * u2;
        spare = r * Math.sin(a);
        hasSpare = true;
        return r * Math.cos(a);
    }

    /** Fills {@code out} with standard normals. */
    public void fillGaussian(double[] out) {
        for (int i = 0; i < out.length; i++) {
            out[i] = nextGaussian();
        }
    }

    /** Fills {@code out} with standard normals. */
    public void fillGaussian(float[] out) {
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) nextGaussian();
        }
    }

    /** {@code n} indices drawn uniformly with replacement from [0, bound), as torch.randint does. */
    public int[] randint(int bound, int n) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = random.nextInt(bound);
        }
        return idx;
    }

    /** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
    public int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
