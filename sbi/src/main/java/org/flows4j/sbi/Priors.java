package org.flows4j.sbi;

import org.flows4j.tensor.Rng;

/** The priors of the sbibm tasks: box uniform, independent log-normal and multivariate Gaussian. */
public final class Priors {
    private Priors() {}

    private static final double LOG_2PI = Math.log(2 * Math.PI);

    /** Uniform on the box [lo_i, hi_i]. */
    public static Prior boxUniform(double[] lo, double[] hi) {
        double[] l = lo.clone();
        double[] h = hi.clone();
        double logVol = 0;
        for (int i = 0; i < l.length; i++) {
            if (!(h[i] > l[i])) {
                throw new IllegalArgumentException("box bounds need lo < hi");
            }
            logVol += Math.log(h[i] - l[i]);
        }
        double lp = -logVol;
        return new Prior() {
            @Override
            public int dim() {
                return l.length;
            }

            @Override
            public void sample(Rng rng, double[] out) {
                for (int i = 0; i < l.length; i++) {
                    out[i] = l[i] + (h[i] - l[i]) * rng.nextDouble();
                }
            }

            @Override
            public boolean inSupport(double[] t) {
                for (int i = 0; i < l.length; i++) {
                    if (!(t[i] >= l[i] && t[i] <= h[i])) {
                        return false;
                    }
                }
                return true;
            }

            @Override
            public double logProb(double[] t) {
                return inSupport(t) ? lp : Double.NEGATIVE_INFINITY;
            }
        };
    }

    public static Prior boxUniform(int dim, double lo, double hi) {
        double[] l = new double[dim];
        double[] h = new double[dim];
        java.util.Arrays.fill(l, lo);
        java.util.Arrays.fill(h, hi);
        return boxUniform(l, h);
    }

    /** Independent log-normals: log theta_i ~ N(mu_i, sigma_i^2). */
    public static Prior logNormal(double[] mu, double[] sigma) {
        double[] m = mu.clone();
        double[] s = sigma.clone();
        return new Prior() {
            @Override
            public int dim() {
                return m.length;
            }

            @Override
            public void sample(Rng rng, double[] out) {
                for (int i = 0; i < m.length; i++) {
                    out[i] = Math.exp(m[i] + s[i] * rng.nextGaussian());
                }
            }

            @Override
            public boolean inSupport(double[] t) {
                for (double v : t) {
                    if (!(v > 0) || v == Double.POSITIVE_INFINITY) {
                        return false;
                    }
                }
                return true;
            }

            @Override
            public double logProb(double[] t) {
                if (!inSupport(t)) {
                    return Double.NEGATIVE_INFINITY;
                }
                double lp = 0;
                for (int i = 0; i < m.length; i++) {
                    double lv = Math.log(t[i]);
                    double z = (lv - m[i]) / s[i];
                    lp += -0.5 * z * z - Math.log(s[i]) - 0.5 * LOG_2PI - lv;
                }
                return lp;
            }
        };
    }

    /** Multivariate normal N(mean, cov); cov symmetric positive definite. */
    public static Prior gaussian(double[] mean, double[][] cov) {
        int d = mean.length;
        double[] m = mean.clone();
        double[][] l = Linalg.cholesky(cov);
        double logDet = 0;
        for (int i = 0; i < d; i++) {
            logDet += 2 * Math.log(l[i][i]);
        }
        double norm = -0.5 * (d * LOG_2PI + logDet);
        return new Prior() {
            @Override
            public int dim() {
                return d;
            }

            @Override
            public void sample(Rng rng, double[] out) {
                double[] z = new double[d];
                for (int i = 0; i < d; i++) {
                    z[i] = rng.nextGaussian();
                }
                for (int i = 0; i < d; i++) {
                    double s = m[i];
                    for (int j = 0; j <= i; j++) {
                        s += l[i][j] * z[j];
                    }
                    out[i] = s;
                }
            }

            @Override
            public boolean inSupport(double[] t) {
                for (double v : t) {
                    if (!Double.isFinite(v)) {
                        return false;
                    }
                }
                return true;
            }

            @Override
            public double logProb(double[] t) {
                double[] r = new double[d];
                for (int i = 0; i < d; i++) {
                    r[i] = t[i] - m[i];
                }
                double[] y = Linalg.forwardSolve(l, r);
                double q = 0;
                for (double v : y) {
                    q += v * v;
                }
                return norm - 0.5 * q;
            }
        };
    }
}
