package org.flows4j.sbi;

import org.flows4j.tensor.Rng;

/**
 * The C2ST classifier as first written (flat arrays, one loop nest per layer, the layer-2 backward
 * as a dot product per hidden unit): kept here as the reference the fast {@link C2st.Classifier}
 * must match bit for bit.
 */
final class C2stLoopReference {
    private C2stLoopReference() {}

    /** scikit-learn's MLPClassifier (relu, adam, two hidden layers, one logistic output), on plain arrays. */
    static final class LoopClassifier {
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
        // parameters, flat: W1 [d][h], b1 [h], W2 [h][h], b2 [h], W3 [h], b3 [1] (sklearn's coefs_ layout: [in][out])
        final double[] p;
        final double[] g;
        final double[] m;
        final double[] v;
        final int oW1;
        final int oB1;
        final int oW2;
        final int oB2;
        final int oW3;
        final int oB3;
        long t;

        LoopClassifier(int d, int h, Rng rng) {
            this.d = d;
            this.h = h;
            this.rng = rng;
            oW1 = 0;
            oB1 = oW1 + d * h;
            oW2 = oB1 + h;
            oB2 = oW2 + h * h;
            oW3 = oB2 + h;
            oB3 = oW3 + h;
            int np = oB3 + 1;
            p = new double[np];
            g = new double[np];
            m = new double[np];
            v = new double[np];
            init(oW1, oB1, d, h, 6);
            init(oW2, oB2, h, h, 6);
            init(oW3, oB3, h, 1, 2);
        }

        private void init(int w, int b, int in, int out, double factor) {
            double bound = Math.sqrt(factor / (in + out));
            for (int i = 0; i < in * out; i++) {
                p[w + i] = bound * (2 * rng.nextDouble() - 1);
            }
            for (int i = 0; i < out; i++) {
                p[b + i] = bound * (2 * rng.nextDouble() - 1);
            }
        }

        void fit(double[] x, double[] y, int[] rows, int maxEpochs) {
            int n = rows.length;
            int bs = Math.min(200, n);
            int[] idx = rows.clone();
            double[] a1 = new double[bs * h];
            double[] a2 = new double[bs * h];
            double[] out = new double[bs];
            double[] d2 = new double[bs * h];
            double[] d1 = new double[bs * h];
            double best = Double.POSITIVE_INFINITY;
            int noImprove = 0;
            for (int epoch = 0; epoch < maxEpochs; epoch++) {
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

        /** One Adam step on rows idx[s..s+b); returns the batch loss (log loss + L2 term). */
        private double step(double[] x, double[] y, int[] idx, int s, int b, double[] a1, double[] a2, double[] out,
                double[] d1, double[] d2) {
            forward(x, idx, s, b, a1, a2, out);
            double loss = 0;
            java.util.Arrays.fill(g, 0);
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
            for (int i = oW1; i < oB1; i++) {
                sq += p[i] * p[i];
            }
            for (int i = oW2; i < oB2; i++) {
                sq += p[i] * p[i];
            }
            for (int i = oW3; i < oB3; i++) {
                sq += p[i] * p[i];
            }
            loss += 0.5 * ALPHA * sq / b;
            // layer 3 grads, delta2 = out * W3 * relu'(a2)
            for (int r = 0; r < b; r++) {
                double e = out[r];
                int ro = r * h;
                for (int k = 0; k < h; k++) {
                    g[oW3 + k] += a2[ro + k] * e;
                    d2[ro + k] = a2[ro + k] > 0 ? e * p[oW3 + k] : 0;
                }
                g[oB3] += e;
            }
            // layer 2 grads, delta1 = d2 W2^T * relu'(a1)
            for (int r = 0; r < b; r++) {
                int ro = r * h;
                for (int i = 0; i < h; i++) {
                    double ai = a1[ro + i];
                    int wi = oW2 + i * h;
                    double acc = 0;
                    for (int k = 0; k < h; k++) {
                        double dk = d2[ro + k];
                        g[wi + k] += ai * dk;
                        acc += p[wi + k] * dk;
                    }
                    d1[ro + i] = ai > 0 ? acc : 0;
                }
                for (int k = 0; k < h; k++) {
                    g[oB2 + k] += d2[ro + k];
                }
            }
            for (int r = 0; r < b; r++) {
                int xo = idx[s + r] * d;
                int ro = r * h;
                for (int j = 0; j < d; j++) {
                    double xj = x[xo + j];
                    int wj = oW1 + j * h;
                    for (int k = 0; k < h; k++) {
                        g[wj + k] += xj * d1[ro + k];
                    }
                }
                for (int k = 0; k < h; k++) {
                    g[oB1 + k] += d1[ro + k];
                }
            }
            for (int i = 0; i < g.length; i++) {
                boolean weight = (i < oB1) || (i >= oW2 && i < oB2) || (i >= oW3 && i < oB3);
                g[i] = (g[i] + (weight ? ALPHA * p[i] : 0)) / b;
            }
            t++;
            double lrT = LR * Math.sqrt(1 - Math.pow(B2, t)) / (1 - Math.pow(B1, t));
            for (int i = 0; i < p.length; i++) {
                m[i] = B1 * m[i] + (1 - B1) * g[i];
                v[i] = B2 * v[i] + (1 - B2) * g[i] * g[i];
                p[i] -= lrT * m[i] / (Math.sqrt(v[i]) + EPS);
            }
            return loss;
        }

        private void forward(double[] x, int[] idx, int s, int b, double[] a1, double[] a2, double[] out) {
            for (int r = 0; r < b; r++) {
                int xo = idx[s + r] * d;
                int ro = r * h;
                for (int k = 0; k < h; k++) {
                    a1[ro + k] = p[oB1 + k];
                }
                for (int j = 0; j < d; j++) {
                    double xj = x[xo + j];
                    int wj = oW1 + j * h;
                    for (int k = 0; k < h; k++) {
                        a1[ro + k] += xj * p[wj + k];
                    }
                }
                for (int k = 0; k < h; k++) {
                    a1[ro + k] = Math.max(a1[ro + k], 0);
                    a2[ro + k] = p[oB2 + k];
                }
                for (int i = 0; i < h; i++) {
                    double ai = a1[ro + i];
                    if (ai == 0) {
                        continue;
                    }
                    int wi = oW2 + i * h;
                    for (int k = 0; k < h; k++) {
                        a2[ro + k] += ai * p[wi + k];
                    }
                }
                double z = p[oB3];
                for (int k = 0; k < h; k++) {
                    a2[ro + k] = Math.max(a2[ro + k], 0);
                    z += a2[ro + k] * p[oW3 + k];
                }
                out[r] = 1 / (1 + Math.exp(-z));
            }
        }

        double accuracy(double[] x, double[] y, int[] rows) {
            int bs = 256;
            double[] a1 = new double[bs * h];
            double[] a2 = new double[bs * h];
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
