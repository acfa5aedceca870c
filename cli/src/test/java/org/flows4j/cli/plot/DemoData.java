package org.flows4j.cli.plot;

import java.util.Random;

/** Synthetic inputs for the plot tests and demo images. */
final class DemoData {
    private DemoData() {}

    /** Two interleaved half circles with Gaussian noise, n points. */
    static double[][] twoMoons(int n, double noise, long seed) {
        Random rng = new Random(seed);
        double[][] p = new double[n][];
        for (int i = 0; i < n; i++) {
            double t = Math.PI * rng.nextDouble();
            double x;
            double y;
            if (i % 2 == 0) {
                x = Math.cos(t);
                y = Math.sin(t);
            } else {
                x = 1 - Math.cos(t);
                y = 0.5 - Math.sin(t);
            }
            p[i] = new double[] {x + noise * rng.nextGaussian(), y + noise * rng.nextGaussian()};
        }
        return p;
    }

    /** n points from a standard 2-D Gaussian (what an untrained flow's base looks like). */
    static double[][] gaussian(int n, double scale, long seed) {
        Random rng = new Random(seed);
        double[][] p = new double[n][];
        for (int i = 0; i < n; i++) {
            p[i] = new double[] {0.5 + scale * rng.nextGaussian(), 0.25 + scale * rng.nextGaussian()};
        }
        return p;
    }

    /** A noisy, exponentially decaying NLL that settles a little above {@code floor}. */
    static double[] noisyLoss(int n, double floor, long seed) {
        Random rng = new Random(seed);
        double[] loss = new double[n];
        for (int i = 0; i < n; i++) {
            double decay = 3.0 * Math.exp(-i / (n / 8.0)) + 0.6 * Math.exp(-i / (n / 2.5));
            loss[i] = floor + 0.05 + decay + 0.12 * rng.nextGaussian();
        }
        loss[0] += 25; // an initial spike that must not flatten the plot
        return loss;
    }

    /** A mixture of three Gaussians in 2-D. */
    static double gmm(double x, double y) {
        return 0.45 * normal2(x, y, -1.2, -0.6, 0.45, 0.35)
                + 0.35 * normal2(x, y, 1.1, 0.9, 0.35, 0.6)
                + 0.20 * normal2(x, y, 0.3, 1.9, 0.25, 0.25);
    }

    private static double normal2(double x, double y, double mx, double my, double sx, double sy) {
        double dx = (x - mx) / sx;
        double dy = (y - my) / sy;
        return Math.exp(-0.5 * (dx * dx + dy * dy)) / (2 * Math.PI * sx * sy);
    }

    static double[] grid(double lo, double hi, int n) {
        double[] g = new double[n];
        for (int i = 0; i < n; i++) {
            g[i] = lo + (hi - lo) * (i + 0.5) / n;
        }
        return g;
    }

    static double[][] gmmDensity(double[] xs, double[] ys) {
        double[][] d = new double[ys.length][xs.length];
        for (int iy = 0; iy < ys.length; iy++) {
            for (int ix = 0; ix < xs.length; ix++) {
                d[iy][ix] = gmm(xs[ix], ys[iy]);
            }
        }
        return d;
    }

    /** n samples from the same mixture as {@link #gmm}. */
    static double[][] gmmSamples(int n, long seed) {
        Random rng = new Random(seed);
        double[][] p = new double[n][];
        for (int i = 0; i < n; i++) {
            double u = rng.nextDouble();
            if (u < 0.45) {
                p[i] = new double[] {-1.2 + 0.45 * rng.nextGaussian(), -0.6 + 0.35 * rng.nextGaussian()};
            } else if (u < 0.80) {
                p[i] = new double[] {1.1 + 0.35 * rng.nextGaussian(), 0.9 + 0.6 * rng.nextGaussian()};
            } else {
                p[i] = new double[] {0.3 + 0.25 * rng.nextGaussian(), 1.9 + 0.25 * rng.nextGaussian()};
            }
        }
        return p;
    }
}
