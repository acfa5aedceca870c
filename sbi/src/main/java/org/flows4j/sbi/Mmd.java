package org.flows4j.sbi;

/**
 * Maximum mean discrepancy between two samples: the unbiased estimate of MMD^2 with a Gaussian
 * kernel exp(-|a-b|^2 / (2 s^2)), bandwidth s the median pairwise distance of the pooled samples
 * (the median heuristic). Large samples are thinned to their first {@code maxPoints} rows each.
 */
public final class Mmd {
    private Mmd() {}

    public static double mmd2(double[][] a, double[][] b) {
        return mmd2(a, b, 2000);
    }

    public static double mmd2(double[][] a, double[][] b, int maxPoints) {
        int n = Math.min(a.length, maxPoints);
        int m = Math.min(b.length, maxPoints);
        if (n < 2 || m < 2) {
            throw new IllegalArgumentException("MMD needs at least 2 points in each sample");
        }
        double[][] pool = new double[n + m][];
        System.arraycopy(a, 0, pool, 0, n);
        System.arraycopy(b, 0, pool, n, m);
        int k = Math.min(pool.length, 1000);
        double[] dists = new double[k * (k - 1) / 2];
        int c = 0;
        int stride = Math.max(1, pool.length / k);
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < i; j++) {
                dists[c++] = Math.sqrt(sq(pool[(i * stride) % pool.length], pool[(j * stride) % pool.length]));
            }
        }
        java.util.Arrays.sort(dists, 0, c);
        double s = dists[c / 2];
        if (!(s > 0)) {
            s = 1;
        }
        double gamma = 1 / (2 * s * s);
        double kxx = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                kxx += 2 * Math.exp(-gamma * sq(a[i], a[j]));
            }
        }
        double kyy = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < i; j++) {
                kyy += 2 * Math.exp(-gamma * sq(b[i], b[j]));
            }
        }
        double kxy = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                kxy += Math.exp(-gamma * sq(a[i], b[j]));
            }
        }
        return kxx / ((double) n * (n - 1)) + kyy / ((double) m * (m - 1)) - 2 * kxy / ((double) n * m);
    }

    private static double sq(double[] u, double[] w) {
        double s = 0;
        for (int i = 0; i < u.length; i++) {
            double e = u[i] - w[i];
            s += e * e;
        }
        return s;
    }
}
