package org.flows4j.data;

/**
 * The two-moons toy data set, reproducing {@code sklearn.datasets.make_moons(n_samples,
 * shuffle=True, noise=noise, random_state=seed)} bit for bit (as computed by numpy 1.24 on an
 * AVX-512 x86-64 machine; see {@link NumpyTrig} for the one platform-dependent step, np.cos and
 * np.sin).
 *
 * <p>Construction, as in scikit-learn: {@code n_out = n // 2} points on the outer arc
 * {@code (cos t, sin t)} and {@code n_in = n - n_out} on the inner arc
 * {@code (1 - cos t, 1 - sin t - 0.5)}, each with {@code t = np.linspace(0, pi, count)}; labels 0
 * then 1; rows permuted by {@code RandomState(seed).shuffle(np.arange(n))}; then
 * {@code X += RandomState.normal(scale=noise, size=(n, 2))} with the draws taken in row-major
 * order from the same generator.
 */
public final class Moons {
    private Moons() {
    }

    /** Points and labels (0 for the outer moon, 1 for the inner moon). */
    public record Sample(double[][] x, int[] y) {
    }

    /** The rows {@code [x, y]} of {@code make_moons(nSamples, shuffle=True, noise, randomState)}. */
    public static double[][] make(int nSamples, double noise, long randomState) {
        return sample(nSamples, true, noise, randomState).x();
    }

    /** {@code make_moons(nSamples, shuffle=True, noise, randomState)} with labels. */
    public static Sample sample(int nSamples, double noise, long randomState) {
        return sample(nSamples, true, noise, randomState);
    }

    /**
     * {@code make_moons(nSamples, shuffle, noise, randomState)} with labels.
     *
     * @param noise the standard deviation of the Gaussian noise; as in scikit-learn, noise draws
     *     are made (and added) even when it is 0, but {@code Double.NaN} stands for
     *     {@code noise=None} (no draws, no noise)
     * @param randomState an integer seed for {@code np.random.RandomState}, 0 to 2<sup>32</sup>-1
     */
    public static Sample sample(int nSamples, boolean shuffle, double noise, long randomState) {
        if (nSamples < 0) {
            throw new IllegalArgumentException("nSamples must be non-negative, got " + nSamples);
        }
        if (noise < 0) {
            throw new IllegalArgumentException("noise must be non-negative, got " + noise);
        }
        int nOut = nSamples / 2;
        int nIn = nSamples - nOut;
        NumpyRandomState generator = new NumpyRandomState(randomState);

        double[] tOut = linspace(0.0, Math.PI, nOut);
        double[] tIn = linspace(0.0, Math.PI, nIn);
        double[][] x = new double[nSamples][];
        int[] y = new int[nSamples];
        for (int i = 0; i < nOut; i++) {
            x[i] = new double[] {NumpyTrig.cos(tOut[i]), NumpyTrig.sin(tOut[i])};
            y[i] = 0;
        }
        for (int i = 0; i < nIn; i++) {
            x[nOut + i] = new double[] {1.0 - NumpyTrig.cos(tIn[i]), 1.0 - NumpyTrig.sin(tIn[i]) - 0.5};
            y[nOut + i] = 1;
        }

        if (shuffle) {
            // sklearn.utils.shuffle -> resample(replace=False): indices = arange(n); shuffle(indices)
            int[] indices = generator.permutation(nSamples);
            double[][] xs = new double[nSamples][];
            int[] ys = new int[nSamples];
            for (int i = 0; i < nSamples; i++) {
                xs[i] = x[indices[i]];
                ys[i] = y[indices[i]];
            }
            x = xs;
            y = ys;
        }

        if (!Double.isNaN(noise)) {
            for (int i = 0; i < nSamples; i++) {
                x[i][0] += generator.normal(0.0, noise);
                x[i][1] += generator.normal(0.0, noise);
            }
        }
        return new Sample(x, y);
    }

    /**
     * {@code np.linspace(start, stop, num)} (endpoint=True) with numpy's exact arithmetic:
     * {@code i * step + start} with {@code step = (stop - start) / (num - 1)}, and the last
     * element set to {@code stop}.
     */
    public static double[] linspace(double start, double stop, int num) {
        if (num < 0) {
            throw new IllegalArgumentException("Number of samples, " + num + ", must be non-negative.");
        }
        double[] y = new double[num];
        int div = num - 1;
        double delta = stop - start;
        if (div > 0) {
            double step = delta / div;
            if (step == 0) {
                for (int i = 0; i < num; i++) {
                    y[i] = ((double) i / div) * delta;
                }
            } else {
                for (int i = 0; i < num; i++) {
                    y[i] = (double) i * step;
                }
            }
        } else {
            for (int i = 0; i < num; i++) {
                y[i] = (double) i * delta;
            }
        }
        for (int i = 0; i < num; i++) {
            y[i] += start;
        }
        if (num > 1) {
            y[num - 1] = stop;
        }
        return y;
    }
}
