package org.flows4j.tensor;

/**
 * A seeded random number generator. Every random draw in flows4j goes through one of these, so a
 * run is reproducible from its seed. SplitMix64 with explicit state, producing exactly the
 * streams of {@link java.util.SplittableRandom} (same seed, same {@code split()} tree, same
 * {@code nextLong}, {@code nextInt(bound)} and {@code nextDouble}; the JDK specifies that
 * algorithm, so streams are the same on every JDK); normals by the Box-Muller transform.
 * The whole state is a {@link State} value: {@link #state()} and {@link #restore} let a training
 * run stop and continue exactly where it was. {@link #split()} gives an independent generator for
 * parallel work, deterministically. Not thread-safe: give each thread its own (split) generator.
 */
public final class Rng {
    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;
    private static final double DOUBLE_UNIT = 0x1.0p-53;

    private long seed;
    private long gamma;
    private double spare;
    private boolean hasSpare;

    /**
     * Everything that determines a generator's future output.
     *
     * @param seed the SplitMix64 counter
     * @param gamma the (odd) increment
     * @param hasSpare whether a Box-Muller normal is waiting
     * @param spare that normal (0 when there is none)
     */
    public record State(long seed, long gamma, boolean hasSpare, double spare) {
        public State {
            if ((gamma & 1L) == 0) {
                throw new IllegalArgumentException("an Rng gamma must be odd, got " + Long.toHexString(gamma));
            }
            if (hasSpare && !Double.isFinite(spare)) {
                throw new IllegalArgumentException("an Rng spare normal must be finite, got " + spare);
            }
        }
    }

    public Rng(long seed) {
        this(seed, GOLDEN_GAMMA);
    }

    private Rng(long seed, long gamma) {
        this.seed = seed;
        this.gamma = gamma;
    }

    /** A generator in the given state. */
    public static Rng of(State state) {
        Rng r = new Rng(0);
        r.restore(state);
        return r;
    }

    /** The current state (a value; later draws do not change it). */
    public State state() {
        return new State(seed, gamma, hasSpare, hasSpare ? spare : 0.0);
    }

    /** Puts this generator in {@code state}: its next draws are those of the generator that state was taken from. */
    public void restore(State state) {
        this.seed = state.seed();
        this.gamma = state.gamma();
        this.hasSpare = state.hasSpare();
        this.spare = state.hasSpare() ? state.spare() : 0.0;
    }

    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    private static int mix32(long z) {
        z = (z ^ (z >>> 33)) * 0x62a9d9ed799705f5L;
        return (int) (((z ^ (z >>> 28)) * 0xcb24d0a5c88c35b3L) >>> 32);
    }

    private static long mixGamma(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        z = (z ^ (z >>> 33)) | 1L;
        int n = Long.bitCount(z ^ (z >>> 1));
        return (n < 24) ? z ^ 0xaaaaaaaaaaaaaaaaL : z;
    }

    private long nextSeed() {
        seed += gamma;
        return seed;
    }

    /** A new generator whose stream is independent of this one's (and advances this one). */
    public Rng split() {
        long s = nextLong();
        return new Rng(s, mixGamma(nextSeed()));
    }

    /** Uniform in [0, 1). */
    public double nextDouble() {
        return (nextLong() >>> 11) * DOUBLE_UNIT;
    }

    /** Uniform int over all 32-bit values. */
    private int nextInt() {
        return mix32(nextSeed());
    }

    /** Uniform integer in [0, bound). */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive, got " + bound);
        }
        int r = nextInt();
        int m = bound - 1;
        if ((bound & m) == 0) {
            return r & m;
        }
        int u = r >>> 1;
        while (u + m - (r = u % bound) < 0) {
            u = nextInt() >>> 1;
        }
        return r;
    }

    /** Uniform long over all 64-bit values. */
    public long nextLong() {
        return mix64(nextSeed());
    }

    /** Standard normal. */
    public double nextGaussian() {
        if (hasSpare) {
            hasSpare = false;
            double s = spare;
            spare = 0.0;
            return s;
        }
        double u1;
        do {
            u1 = nextDouble();
        } while (u1 == 0.0);
        double u2 = nextDouble();
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

    /**
     * The normals {@link #fillGaussian(float[])} writes, from the same draws, leaving the generator
     * in the same state, but computed in blocks with vectorised log, sin and cos when the JDK
     * Vector API is available: a value can differ from fillGaussian's by one float32 rounding step
     * (when the two libraries' double results straddle a float boundary, about once in 10^8). For
     * large arrays on paths whose outputs are not pinned bit for bit (the samplers' evaluation).
     */
    public void fillGaussianFast(float[] out) {
        int i = 0;
        if (hasSpare && out.length > 0) {
            out[0] = (float) nextGaussian();
            i = 1;
        }
        int pairs = (out.length - i) / 2;
        while (pairs > 0) {
            int done = BULK.gaussianPairs(seed, gamma, out, i, pairs);
            seed += 2L * done * gamma;
            i += 2 * done;
            pairs -= done;
            if (pairs > 0) {
                // a pair whose first uniform is 0: the scalar path draws it again
                out[i] = (float) nextGaussian();
                out[i + 1] = (float) nextGaussian();
                i += 2;
                pairs--;
            }
        }
        if (i < out.length) {
            out[i] = (float) nextGaussian();
        }
    }

    /** As many {@link #nextDouble()} draws as {@code out} holds, in order (the same numbers), computed in blocks. */
    public void fillUniform(double[] out) {
        BULK.uniforms(seed, gamma, out, 0, out.length);
        seed += out.length * gamma;
    }

    /**
     * -log of as many {@link #nextDouble()} draws as {@code out} holds (the same draws, leaving
     * the same state): standard exponentials, computed in blocks; the log is the vectorised
     * library's when the JDK Vector API is available.
     */
    public void fillExponential(double[] out) {
        BULK.exponentials(seed, gamma, out, 0, out.length);
        seed += out.length * gamma;
    }

    private static final org.flows4j.kernels.BulkRandom BULK = org.flows4j.kernels.BulkRandom.best();

    /** {@code n} indices drawn uniformly with replacement from [0, bound), as torch.randint does. */
    public int[] randint(int bound, int n) {
        int[] idx = new int[n];
        randint(bound, idx);
        return idx;
    }

    /** Fills {@code out} as {@link #randint(int, int)} with n = out.length would (same draws). */
    public void randint(int bound, int[] out) {
        for (int i = 0; i < out.length; i++) {
            out[i] = nextInt(bound);
        }
    }

    /** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
    public int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
