package org.flows4j.sbi;

import java.util.ArrayList;
import java.util.List;
import org.flows4j.parallel.Parallel;
import org.flows4j.tensor.Rng;

/**
 * Classifier two-sample test as the sbibm benchmark computes it: z-score both samples with the
 * first (reference) sample's mean and unbiased std, label them 0 and 1, and report the mean
 * held-out accuracy of 5-fold shuffled cross-validation of an MLP classifier. The classifier is a
 * faithful re-implementation of scikit-learn's MLPClassifier with the benchmark's settings: two
 * ReLU hidden layers of 10*d units, Glorot-uniform initialisation, logistic output and log loss,
 * L2 penalty alpha = 1e-4 (0.5 alpha |W|^2 / batch), Adam (lr 1e-3, betas 0.9/0.999, eps 1e-8),
 * batch min(200, n), reshuffled every epoch, stopping when the epoch loss has not improved by
 * 1e-4 for more than 10 epochs (at most 10000 epochs). sbibm leaves MLPClassifier's
 * early_stopping off, so there is no validation split: the rule watches the training loss.
 * 0.5 means indistinguishable, 1.0 separable.
 *
 * <p>Two implementations of the same algorithm: {@link Precision#FLOAT32} (the default) trains
 * in float32 on the {@link org.flows4j.kernels.RowGemm} matrix kernels, several times faster;
 * {@link Precision#FLOAT64} is the double-precision reference ({@link Classifier}). sbibm itself
 * hands sklearn float32 arrays (torch's default dtype), and sklearn's MLP keeps float32 input in
 * float32. The two agree statistically, not bit for bit (a test checks).
 */
public final class C2st {
    private C2st() {}

    public static final int FOLDS = 5;

    /** Arithmetic of the classifier: float32 on the matrix kernels (fast), or the float64 reference. */
    public enum Precision {
        FLOAT32("float32"),
        FLOAT64("float64");

        private final String label;

        Precision(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        /** "float32"/"float" or "float64"/"double" (case-insensitive). */
        public static Precision parse(String s) {
            switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "float32", "float", "f32" -> {
                    return FLOAT32;
                }
                case "float64", "double", "f64" -> {
                    return FLOAT64;
                }
                default -> throw new IllegalArgumentException("C2ST precision must be float32 or float64, got '" + s + "'");
            }
        }
    }

    /** C2ST of samples (reference, other) with the fast float32 classifier, folds on up to {@code threads} threads. */
    public static double score(double[][] reference, double[][] other, long seed, int threads) {
        return score(reference, other, seed, threads, Precision.FLOAT32);
    }

    /** C2ST of samples (reference, other) with the classifier in the given precision. */
    public static double score(double[][] reference, double[][] other, long seed, int threads, Precision precision) {
        return score(reference, other, seed, threads, 10_000, precision);
    }

    /** The float64 reference implementation, with a cap on epochs. */
    public static double score(double[][] reference, double[][] other, long seed, int threads, int maxEpochs) {
        return score(reference, other, seed, threads, maxEpochs, Precision.FLOAT64);
    }

    public static double score(double[][] reference, double[][] other, long seed, int threads, int maxEpochs,
            Precision precision) {
        return run(reference, other, seed, threads, maxEpochs, precision).score();
    }

    /** A C2ST result: the score (mean held-out accuracy), each fold's accuracy and its training epochs. */
    public record Result(double score, double[] foldAccuracy, int[] foldEpochs) {}

    /** C2ST with the per-fold details. */
    public static Result run(double[][] reference, double[][] other, long seed, int threads, int maxEpochs,
            Precision precision) {
        int d = reference[0].length;
        if (other.length == 0 || other[0].length != d) {
            throw new IllegalArgumentException("the samples must have the same number of columns");
        }
        int n0 = reference.length;
        int n = n0 + other.length;
        double[] mean = new double[d];
        double[] std = new double[d];
        for (double[] r : reference) {
            for (int j = 0; j < d; j++) {
                mean[j] += r[j] / n0;
            }
        }
        for (double[] r : reference) {
            for (int j = 0; j < d; j++) {
                std[j] += (r[j] - mean[j]) * (r[j] - mean[j]);
            }
        }
        for (int j = 0; j < d; j++) {
            std[j] = Math.sqrt(std[j] / (n0 - 1));
            if (!(std[j] > 0)) {
                std[j] = 1;
            }
        }
        double[][] x = new double[n][d];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double[] r = i < n0 ? reference[i] : other[i - n0];
            for (int j = 0; j < d; j++) {
                x[i][j] = (r[j] - mean[j]) / std[j];
            }
            y[i] = i < n0 ? 0 : 1;
        }
        float[][] x32 = null;
        if (precision == Precision.FLOAT32) {
            x32 = new float[n][d];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < d; j++) {
                    x32[i][j] = (float) x[i][j];
                }
            }
        }
        float[][] xf = x32;
        int[] perm = new Rng(seed).permutation(n);
        double[] acc = new double[FOLDS];
        int[] epochs = new int[FOLDS];
        List<Runnable> jobs = new ArrayList<>();
        for (int f = 0; f < FOLDS; f++) {
            int lo = (int) ((long) n * f / FOLDS);
            int hi = (int) ((long) n * (f + 1) / FOLDS);
            int fold = f;
            jobs.add(() -> {
                int[] test = java.util.Arrays.copyOfRange(perm, lo, hi);
                int[] train = new int[n - (hi - lo)];
                System.arraycopy(perm, 0, train, 0, lo);
                System.arraycopy(perm, hi, train, lo, n - hi);
                Rng rng = new Rng(seed * 31 + fold + 1);
                if (xf != null) {
                    Classifier32 c = new Classifier32(d, 10 * d, rng);
                    c.fit(xf, y, train, maxEpochs);
                    acc[fold] = c.accuracy(xf, y, test);
                    epochs[fold] = c.epochs;
                } else {
                    Classifier c = new Classifier(d, 10 * d, rng);
                    c.fit(x, y, train, maxEpochs);
                    acc[fold] = c.accuracy(x, y, test);
                    epochs[fold] = c.epochs;
                }
            });
        }
        Parallel.runAll(jobs, threads);
        double s = 0;
        for (double a : acc) {
            s += a / FOLDS;
        }
        return new Result(s, acc, epochs);
    }

    /**
     * The float64 reference ({@link Precision#FLOAT64}): scikit-learn's MLPClassifier (relu, adam, two
     * hidden layers, one logistic output) on row
     * arrays (one double[] per sample, per weight row and per hidden activation row), so that every
     * inner loop is a same-index loop over contiguous rows that C2 vectorises. Every sum is taken in
     * the same order as the straightforward loops would take it (the layer-2 backward runs over a
     * transposed copy of W2 instead of as dot products, and exact zeros from ReLU are skipped, which
     * adds nothing), so the results are the same bit for bit, only faster.
     */
    static final class Classifier {
        static final double ALPHA = 1e-4;
        static final double LR = 1e-3;
        static final double B1 = 0.9;
        static final double B2 = 0.999;
        static final double EPS = 1e-8;
        static final double TOL = 1e-4;
        static final int NO_CHANGE = 10;
        final int d;
        final int h;
        final Rng rng;
        // parameters in sklearn's coefs_ layout ([in][out]); b3 is one value
        final double[][] w1;
        final double[] b1;
        final double[][] w2;
        final double[] b2;
        final double[] w3;
        final double[] b3 = new double[1];
        // gradients, Adam moments (same shapes), and W2 transposed
        final double[][] gw1;
        final double[] gb1;
        final double[][] gw2;
        final double[] gb2;
        final double[] gw3;
        final double[] gb3 = new double[1];
        final double[][] mw1;
        final double[][] vw1;
        final double[][] mw2;
        final double[][] vw2;
        final double[] mb1;
        final double[] vb1;
        final double[] mb2;
        final double[] vb2;
        final double[] mw3;
        final double[] vw3;
        final double[] mb3 = new double[1];
        final double[] vb3 = new double[1];
        final double[][] w2t;
        long t;
        int epochs;

        Classifier(int d, int h, Rng rng) {
            this.d = d;
            this.h = h;
            this.rng = rng;
            w1 = new double[d][h];
            b1 = new double[h];
            w2 = new double[h][h];
            b2 = new double[h];
            w3 = new double[h];
            gw1 = new double[d][h];
            gb1 = new double[h];
            gw2 = new double[h][h];
            gb2 = new double[h];
            gw3 = new double[h];
            mw1 = new double[d][h];
            vw1 = new double[d][h];
            mw2 = new double[h][h];
            vw2 = new double[h][h];
            mb1 = new double[h];
            vb1 = new double[h];
            mb2 = new double[h];
            vb2 = new double[h];
            mw3 = new double[h];
            vw3 = new double[h];
            w2t = new double[h][h];
            // Glorot uniform, drawn in the order W1, b1, W2, b2, W3, b3 (each row-major)
            init(w1, b1, d + h, 6);
            init(w2, b2, h + h, 6);
            double bound = Math.sqrt(2.0 / (h + 1));
            for (int i = 0; i < h; i++) {
                w3[i] = bound * (2 * rng.nextDouble() - 1);
            }
            b3[0] = bound * (2 * rng.nextDouble() - 1);
        }

        private void init(double[][] w, double[] b, int fans, double factor) {
            double bound = Math.sqrt(factor / fans);
            for (double[] row : w) {
                for (int k = 0; k < row.length; k++) {
                    row[k] = bound * (2 * rng.nextDouble() - 1);
                }
            }
            for (int k = 0; k < b.length; k++) {
                b[k] = bound * (2 * rng.nextDouble() - 1);
            }
        }

        void fit(double[][] x, double[] y, int[] rows, int maxEpochs) {
            int n = rows.length;
            int bs = Math.min(200, n);
            int[] idx = rows.clone();
            double[][] a1 = new double[bs][h];
            double[][] a2 = new double[bs][h];
            double[] out = new double[bs];
            double[][] d1 = new double[bs][h];
            double[][] d2 = new double[bs][h];
            double best = Double.POSITIVE_INFINITY;
            int noImprove = 0;
            for (int epoch = 0; epoch < maxEpochs; epoch++) {
                epochs = epoch + 1;
                for (int i = n - 1; i > 0; i--) {
                    int j = rng.nextInt(i + 1);
                    int tmp = idx[i];
                    idx[i] = idx[j];
                    idx[j] = tmp;
                }
                double total = 0;
                for (int s = 0; s < n; s += bs) {
                    int b = Math.min(bs, n - s);
                    total += step(x, y, idx, s, b, a1, a2, out, d1, d2) * b;
                }
                double loss = total / n;
                if (loss > best - TOL) {
                    noImprove++;
                } else {
                    noImprove = 0;
                }
                if (loss < best) {
                    best = loss;
                }
                if (noImprove > NO_CHANGE) {
                    break;
                }
            }
        }

        private static double sumSquares(double[] a, double acc) {
            for (double v : a) {
                acc += v * v;
            }
            return acc;
        }

        /** One Adam step on rows idx[s..s+b); returns the batch loss (log loss + L2 term). */
        private double step(double[][] x, double[] y, int[] idx, int s, int b, double[][] a1, double[][] a2,
                double[] out, double[][] d1, double[][] d2) {
            forward(x, idx, s, b, a1, a2, out);
            double loss = 0;
            // output delta = sigmoid - y (log loss with logistic output)
            for (int r = 0; r < b; r++) {
                double yr = y[idx[s + r]];
                double pr = out[r];
                double pc = Math.min(Math.max(pr, 1e-15), 1 - 1e-15);
                loss -= yr * Math.log(pc) + (1 - yr) * Math.log(1 - pc);
                out[r] = pr - yr;
            }
            loss /= b;
            double sq = 0;
            for (double[] row : w1) {
                sq = sumSquares(row, sq);
            }
            for (double[] row : w2) {
                sq = sumSquares(row, sq);
            }
            sq = sumSquares(w3, sq);
            loss += 0.5 * ALPHA * sq / b;
            for (double[] row : gw1) {
                java.util.Arrays.fill(row, 0);
            }
            for (double[] row : gw2) {
                java.util.Arrays.fill(row, 0);
            }
            java.util.Arrays.fill(gb1, 0);
            java.util.Arrays.fill(gb2, 0);
            java.util.Arrays.fill(gw3, 0);
            gb3[0] = 0;
            for (int i = 0; i < h; i++) {
                double[] wi = w2[i];
                for (int k = 0; k < h; k++) {
                    w2t[k][i] = wi[k];
                }
            }
            final int h = this.h;
            final double[] w3 = this.w3;
            final double[] gw3 = this.gw3;
            final double[] gb1 = this.gb1;
            final double[] gb2 = this.gb2;
            // layer 3 grads and delta2 = out * W3 * relu'(a2)
            for (int r = 0; r < b; r++) {
                double e = out[r];
                double[] a2r = a2[r];
                double[] d2r = d2[r];
                for (int k = 0; k < h; k++) {
                    gw3[k] += a2r[k] * e;
                    d2r[k] = a2r[k] > 0 ? e * w3[k] : 0;
                }
                gb3[0] += e;
            }
            // layer 2 grads: each gW2[i][k] sums a1[r][i] d2[r][k] over r in order, four rows per pass
            // (a ReLU zero adds an exact zero to a sum that is never -0, which changes nothing)
            for (int i = 0; i < h; i++) {
                double[] gi = gw2[i];
                int r = 0;
                for (; r + 4 <= b; r += 4) {
                    double c0 = a1[r][i];
                    double c1 = a1[r + 1][i];
                    double c2 = a1[r + 2][i];
                    double c3 = a1[r + 3][i];
                    if (c0 == 0 && c1 == 0 && c2 == 0 && c3 == 0) {
                        continue;
                    }
                    double[] e0 = d2[r];
                    double[] e1 = d2[r + 1];
                    double[] e2 = d2[r + 2];
                    double[] e3 = d2[r + 3];
                    for (int k = 0; k < h; k++) {
                        double acc = gi[k] + c0 * e0[k];
                        acc += c1 * e1[k];
                        acc += c2 * e2[k];
                        gi[k] = acc + c3 * e3[k];
                    }
                }
                for (; r < b; r++) {
                    double c0 = a1[r][i];
                    double[] e0 = d2[r];
                    for (int k = 0; k < h; k++) {
                        gi[k] += c0 * e0[k];
                    }
                }
            }
            // delta1 = d2 W2^T * relu'(a1), each sum over k in order, four rows per pass
            int r = 0;
            for (; r + 4 <= b; r += 4) {
                double[] o0 = d1[r];
                double[] o1 = d1[r + 1];
                double[] o2 = d1[r + 2];
                double[] o3 = d1[r + 3];
                double[] e0 = d2[r];
                double[] e1 = d2[r + 1];
                double[] e2 = d2[r + 2];
                double[] e3 = d2[r + 3];
                java.util.Arrays.fill(o0, 0);
                java.util.Arrays.fill(o1, 0);
                java.util.Arrays.fill(o2, 0);
                java.util.Arrays.fill(o3, 0);
                for (int k = 0; k < h; k++) {
                    double c0 = e0[k];
                    double c1 = e1[k];
                    double c2 = e2[k];
                    double c3 = e3[k];
                    if (c0 == 0 && c1 == 0 && c2 == 0 && c3 == 0) {
                        continue;
                    }
                    double[] wk = w2t[k];
                    for (int i = 0; i < h; i++) {
                        double w = wk[i];
                        o0[i] += w * c0;
                        o1[i] += w * c1;
                        o2[i] += w * c2;
                        o3[i] += w * c3;
                    }
                }
            }
            for (; r < b; r++) {
                double[] o0 = d1[r];
                double[] e0 = d2[r];
                java.util.Arrays.fill(o0, 0);
                for (int k = 0; k < h; k++) {
                    double c0 = e0[k];
                    double[] wk = w2t[k];
                    for (int i = 0; i < h; i++) {
                        o0[i] += wk[i] * c0;
                    }
                }
            }
            for (r = 0; r < b; r++) {
                double[] d2r = d2[r];
                for (int k = 0; k < h; k++) {
                    gb2[k] += d2r[k];
                }
                double[] a1r = a1[r];
                double[] d1r = d1[r];
                for (int i = 0; i < h; i++) {
                    d1r[i] = a1r[i] > 0 ? d1r[i] : 0;
                }
                // layer 1 grads
                double[] xr = x[idx[s + r]];
                for (int j = 0; j < d; j++) {
                    double xj = xr[j];
                    double[] gj = gw1[j];
                    for (int k = 0; k < h; k++) {
                        gj[k] += xj * d1r[k];
                    }
                }
                for (int k = 0; k < h; k++) {
                    gb1[k] += d1r[k];
                }
            }
            t++;
            double lrT = LR * Math.sqrt(1 - Math.pow(B2, t)) / (1 - Math.pow(B1, t));
            for (int j = 0; j < d; j++) {
                adam(w1[j], gw1[j], mw1[j], vw1[j], true, b, lrT);
            }
            adam(b1, gb1, mb1, vb1, false, b, lrT);
            for (int i = 0; i < h; i++) {
                adam(w2[i], gw2[i], mw2[i], vw2[i], true, b, lrT);
            }
            adam(b2, gb2, mb2, vb2, false, b, lrT);
            adam(w3, gw3, mw3, vw3, true, b, lrT);
            adam(b3, gb3, mb3, vb3, false, b, lrT);
            return loss;
        }

        /** Gradient (g + alpha p) / b for weights, g / b for biases, then sklearn's Adam update. */
        private static void adam(double[] p, double[] g, double[] m, double[] v, boolean weight, int b, double lrT) {
            double a = weight ? ALPHA : 0;
            for (int i = 0; i < p.length; i++) {
                double gi = (g[i] + a * p[i]) / b;
                m[i] = B1 * m[i] + (1 - B1) * gi;
                v[i] = B2 * v[i] + (1 - B2) * gi * gi;
                p[i] -= lrT * m[i] / (Math.sqrt(v[i]) + EPS);
            }
        }

        private void forward(double[][] x, int[] idx, int s, int b, double[][] a1, double[][] a2, double[] out) {
            final int h = this.h;
            for (int r = 0; r < b; r++) {
                double[] xr = x[idx[s + r]];
                double[] a1r = a1[r];
                System.arraycopy(b1, 0, a1r, 0, h);
                for (int j = 0; j < d; j++) {
                    double xj = xr[j];
                    double[] wj = w1[j];
                    for (int k = 0; k < h; k++) {
                        a1r[k] += xj * wj[k];
                    }
                }
                for (int k = 0; k < h; k++) {
                    a1r[k] = Math.max(a1r[k], 0);
                }
                System.arraycopy(b2, 0, a2[r], 0, h);
            }
            // layer 2, four rows per pass over W2; each a2[r][k] sums over i in order (a ReLU zero
            // adds an exact zero, which changes nothing after the ReLU)
            int r = 0;
            for (; r + 4 <= b; r += 4) {
                double[] i0 = a1[r];
                double[] i1 = a1[r + 1];
                double[] i2 = a1[r + 2];
                double[] i3 = a1[r + 3];
                double[] o0 = a2[r];
                double[] o1 = a2[r + 1];
                double[] o2 = a2[r + 2];
                double[] o3 = a2[r + 3];
                for (int i = 0; i < h; i++) {
                    double c0 = i0[i];
                    double c1 = i1[i];
                    double c2 = i2[i];
                    double c3 = i3[i];
                    if (c0 == 0 && c1 == 0 && c2 == 0 && c3 == 0) {
                        continue;
                    }
                    double[] wi = w2[i];
                    for (int k = 0; k < h; k++) {
                        double w = wi[k];
                        o0[k] += c0 * w;
                        o1[k] += c1 * w;
                        o2[k] += c2 * w;
                        o3[k] += c3 * w;
                    }
                }
            }
            for (; r < b; r++) {
                double[] i0 = a1[r];
                double[] o0 = a2[r];
                for (int i = 0; i < h; i++) {
                    double c0 = i0[i];
                    if (c0 == 0) {
                        continue;
                    }
                    double[] wi = w2[i];
                    for (int k = 0; k < h; k++) {
                        o0[k] += c0 * wi[k];
                    }
                }
            }
            for (r = 0; r < b; r++) {
                double[] a2r = a2[r];
                double z = b3[0];
                for (int k = 0; k < h; k++) {
                    a2r[k] = Math.max(a2r[k], 0);
                    z += a2r[k] * w3[k];
                }
                out[r] = 1 / (1 + Math.exp(-z));
            }
        }

        double accuracy(double[][] x, double[] y, int[] rows) {
            int bs = 256;
            double[][] a1 = new double[bs][h];
            double[][] a2 = new double[bs][h];
            double[] out = new double[bs];
            int correct = 0;
            for (int s = 0; s < rows.length; s += bs) {
                int b = Math.min(bs, rows.length - s);
                forward(x, rows, s, b, a1, a2, out);
                for (int r = 0; r < b; r++) {
                    int pred = out[r] > 0.5 ? 1 : 0;
                    if (pred == (int) y[rows[s + r]]) {
                        correct++;
                    }
                }
            }
            return (double) correct / rows.length;
        }
    }
}
