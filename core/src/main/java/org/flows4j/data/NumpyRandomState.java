package org.flows4j.data;

import java.util.List;

/**
 * A bit-exact port of the parts of numpy's legacy {@code np.random.RandomState} that
 * {@code sklearn.datasets.make_moons} relies on: the MT19937 generator with numpy's legacy
 * seeding, {@code random_sample}, the legacy polar Box–Muller {@code standard_normal} /
 * {@code normal} (with its cached spare deviate) and the legacy {@code shuffle}.
 *
 * <p>Seeding follows {@code MT19937._legacy_seeding}: an integer seed (0 to 2<sup>32</sup>-1)
 * initialises the state with {@code mt19937_seed} (Knuth's linear recurrence, the reference
 * {@code init_genrand}), while an array seed goes through {@code mt19937_init_by_array}.
 *
 * <p>{@link #standardNormal()} uses {@link Math#log} and {@link Math#sqrt}; numpy uses the C
 * library's {@code log}. Both are accurate to well under one ulp and agree on the values
 * checked by the tests, but a last-bit difference on some rare argument cannot be excluded.
 *
 * <p>Not thread-safe.
 */
public final class NumpyRandomState {
    private static final int N = 624;
    private static final int M = 397;
    private static final int MATRIX_A = 0x9908b0df;
    private static final int UPPER_MASK = 0x80000000;
    private static final int LOWER_MASK = 0x7fffffff;

    private final int[] key = new int[N];
    private int pos;
    private boolean hasGauss;
    private double gauss;

    /**
     * Equivalent to {@code np.random.RandomState(seed)} for an integer seed.
     *
     * @param seed between 0 and 2<sup>32</sup>-1 inclusive, as numpy requires
     */
    public NumpyRandomState(long seed) {
        if (seed < 0 || seed > 0xffffffffL) {
            throw new IllegalArgumentException("Seed must be between 0 and 2**32 - 1, got " + seed);
        }
        seedInt((int) seed);
    }

    /**
     * Equivalent to {@code np.random.RandomState(np.array(key))} for a non-empty 1-d array seed:
     * each entry is read as an unsigned 32-bit value (numpy rejects values outside
     * [0, 2<sup>32</sup>-1]; here the int's bits are used as they are).
     */
    public NumpyRandomState(int[] key) {
        if (key.length == 0) {
            throw new IllegalArgumentException("Seed must be non-empty");
        }
        initByArray(key);
    }

    /** numpy's {@code mt19937_seed}: the reference implementation's {@code init_genrand}. */
    private void seedInt(int seed) {
        int s = seed;
        for (int i = 0; i < N; i++) {
            key[i] = s;
            s = 1812433253 * (s ^ (s >>> 30)) + i + 1;
        }
        pos = N;
        hasGauss = false;
        gauss = 0.0;
    }

    /** numpy's {@code mt19937_init_by_array}. */
    private void initByArray(int[] initKey) {
        int[] mt = key;
        mt[0] = 19650218;
        for (int i = 1; i < N; i++) {
            mt[i] = 1812433253 * (mt[i - 1] ^ (mt[i - 1] >>> 30)) + i;
        }
        int i = 1;
        int j = 0;
        int len = initKey.length;
        for (int k = Math.max(N, len); k > 0; k--) {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >>> 30)) * 1664525)) + initKey[j] + j;
            i++;
            j++;
            if (i >= N) {
                mt[0] = mt[N - 1];
                i = 1;
            }
            if (j >= len) {
                j = 0;
            }
        }
        for (int k = N - 1; k > 0; k--) {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >>> 30)) * 1566083941)) - i;
            i++;
            if (i >= N) {
                mt[0] = mt[N - 1];
                i = 1;
            }
        }
        mt[0] = 0x80000000;
        pos = N;
        hasGauss = false;
        gauss = 0.0;
    }

    /** numpy's {@code mt19937_gen}: regenerates the whole state block. */
    private void generate() {
        int[] st = key;
        int i = 0;
        int y;
        for (; i < N - M; i++) {
            y = (st[i] & UPPER_MASK) | (st[i + 1] & LOWER_MASK);
            st[i] = st[i + M] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
        }
        for (; i < N - 1; i++) {
            y = (st[i] & UPPER_MASK) | (st[i + 1] & LOWER_MASK);
            st[i] = st[i + (M - N)] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
        }
        y = (st[N - 1] & UPPER_MASK) | (st[0] & LOWER_MASK);
        st[N - 1] = st[M - 1] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
        pos = 0;
    }

    /** The next raw tempered 32-bit output, as the int with the same bits. */
    public int nextInt32Bits() {
        if (pos == N) {
            generate();
        }
        int y = key[pos++];
        y ^= (y >>> 11);
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= (y >>> 18);
        return y;
    }

    /** The next raw 32-bit output as an unsigned value in [0, 2<sup>32</sup>). */
    public long nextUint32() {
        return nextInt32Bits() & 0xffffffffL;
    }

    /** numpy's {@code mt19937_next64}: (first draw &lt;&lt; 32) | second draw. */
    public long nextUint64() {
        long hi = nextUint32();
        long lo = nextUint32();
        return (hi << 32) | lo;
    }

    /** {@code random_sample()}: a 53-bit double in [0, 1) from two 32-bit draws. */
    public double randomSample() {
        int a = nextInt32Bits() >>> 5;
        int b = nextInt32Bits() >>> 6;
        return (a * 67108864.0 + b) / 9007199254740992.0;
    }

    /** {@code random_sample(size)}. */
    public double[] randomSample(int size) {
        double[] out = new double[size];
        for (int i = 0; i < size; i++) {
            out[i] = randomSample();
        }
        return out;
    }

    /** {@code standard_normal()}: numpy's {@code legacy_gauss} (polar Box–Muller, cached spare). */
    public double standardNormal() {
        if (hasGauss) {
            double temp = gauss;
            hasGauss = false;
            gauss = 0.0;
            return temp;
        }
        double x1;
        double x2;
        double r2;
        do {
            x1 = 2.0 * randomSample() - 1.0;
            x2 = 2.0 * randomSample() - 1.0;
            r2 = x1 * x1 + x2 * x2;
        } while (r2 >= 1.0 || r2 == 0.0);
        double f = Math.sqrt(-2.0 * GlibcLog.log(r2) / r2);
        gauss = f * x1;
        hasGauss = true;
        return f * x2;
    }

    /** {@code standard_normal(size)}. */
    public double[] standardNormal(int size) {
        double[] out = new double[size];
        for (int i = 0; i < size; i++) {
            out[i] = standardNormal();
        }
        return out;
    }

    /** {@code normal(loc, scale)}: numpy's {@code legacy_normal}, {@code loc + scale * gauss}. */
    public double normal(double loc, double scale) {
        if (!(scale >= 0.0)) {
            throw new IllegalArgumentException("scale < 0");
        }
        return loc + scale * standardNormal();
    }

    /** {@code normal(loc, scale, size)}. */
    public double[] normal(double loc, double scale, int size) {
        if (!(scale >= 0.0)) {
            throw new IllegalArgumentException("scale < 0");
        }
        double[] out = new double[size];
        for (int i = 0; i < size; i++) {
            out[i] = loc + scale * standardNormal();
        }
        return out;
    }

    /**
     * numpy's {@code random_interval(max)}: a uniform integer in [0, max] by rejection sampling
     * under the smallest all-ones bit mask covering {@code max}, using 32-bit draws when
     * {@code max} fits in 32 bits and 64-bit draws otherwise.
     *
     * @param max the inclusive upper bound, treated as unsigned
     */
    public long randomInterval(long max) {
        if (max == 0) {
            return 0;
        }
        long mask = max;
        mask |= mask >>> 1;
        mask |= mask >>> 2;
        mask |= mask >>> 4;
        mask |= mask >>> 8;
        mask |= mask >>> 16;
        mask |= mask >>> 32;
        long value;
        if (Long.compareUnsigned(max, 0xffffffffL) <= 0) {
            do {
                value = nextUint32() & mask;
            } while (value > max);
        } else {
            do {
                value = nextUint64() & mask;
            } while (Long.compareUnsigned(value, max) > 0);
        }
        return value;
    }

    /** Legacy {@code shuffle} of a 1-d array in place (Fisher–Yates from the end). */
    public void shuffle(int[] a) {
        for (int i = a.length - 1; i >= 1; i--) {
            int j = (int) randomInterval(i);
            int t = a[j];
            a[j] = a[i];
            a[i] = t;
        }
    }

    /** Legacy {@code shuffle} of a 1-d array in place. */
    public void shuffle(long[] a) {
        for (int i = a.length - 1; i >= 1; i--) {
            int j = (int) randomInterval(i);
            long t = a[j];
            a[j] = a[i];
            a[i] = t;
        }
    }

    /** Legacy {@code shuffle} of a 1-d array in place. */
    public void shuffle(double[] a) {
        for (int i = a.length - 1; i >= 1; i--) {
            int j = (int) randomInterval(i);
            double t = a[j];
            a[j] = a[i];
            a[i] = t;
        }
    }

    /**
     * Legacy {@code shuffle} of the rows of a 2-d array (numpy shuffles along the first axis,
     * drawing the same sequence as for a 1-d array of the same length). Also works for any
     * object array; the row references are permuted, not copied.
     */
    public <T> void shuffle(T[] rows) {
        for (int i = rows.length - 1; i >= 1; i--) {
            int j = (int) randomInterval(i);
            T t = rows[j];
            rows[j] = rows[i];
            rows[i] = t;
        }
    }

    /** Legacy {@code shuffle} of a mutable list in place. */
    public <T> void shuffle(List<T> list) {
        for (int i = list.size() - 1; i >= 1; i--) {
            int j = (int) randomInterval(i);
            T t = list.get(j);
            list.set(j, list.get(i));
            list.set(i, t);
        }
    }

    /** {@code permutation(n)}: {@code arange(n)} shuffled. */
    public int[] permutation(int n) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        shuffle(idx);
        return idx;
    }
}
