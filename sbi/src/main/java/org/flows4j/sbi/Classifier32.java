package org.flows4j.sbi;

import java.util.Arrays;
import org.flows4j.kernels.RowGemm;
import org.flows4j.tensor.Rng;

/**
 * The C2ST classifier ({@link C2st.Precision#FLOAT32}): the same algorithm as the float64
 * reference {@link C2st.Classifier} (scikit-learn's MLPClassifier with sbibm's settings: two ReLU
 * layers, logistic output, log loss, L2 1e-4, Adam 1e-3, batch min(200, n) reshuffled each epoch,
 * stop when the training loss has not improved by 1e-4 for more than 10 epochs), in float32 with
 * the matrix products on {@link RowGemm#best()}. The initial weights are the reference's draws
 * (same generator, same order) rounded to float; losses are summed in double for the stopping rule.
 *
 * <p>Rows of weights and activations are padded ({@link #paddedWidth}) so the vector kernel runs
 * whole blocks of 4 rows by 4 vectors, or 4 rows by 1 vector, and never its scalar tail. Padding
 * columns hold zeros and are never updated: a padded unit's input weights and bias are 0,
 * so its activation is ReLU(0) = 0 and its delta and output weight are 0; the products that sum
 * over hidden units run over the h real ones only. The network is the h-unit one.
 */
final class Classifier32 {
    static final float ALPHA = 1e-4f;
    static final double LR = 1e-3;
    static final float B1 = 0.9f;
    static final float B2 = 0.999f;
    static final float EPS = 1e-8f;
    static final double TOL = 1e-4;
    static final int NO_CHANGE = 10;

    final int d;
    final int h;
    /** padded hidden width */
    final int hp;
    final Rng rng;
    final RowGemm k = RowGemm.best();
    // parameters in sklearn's coefs_ layout ([in][out]); w3t is W3 as one row, b3 one value
    final float[][] w1;
    final float[] b1;
    final float[][] w2;
    final float[] b2;
    final float[][] w3t;
    final float[] b3 = new float[1];
    final float[][] gw1;
    final float[] gb1;
    final float[][] gw2;
    final float[] gb2;
    final float[] gw3;
    final float[] gb3 = new float[1];
    final float[][] mw1;
    final float[][] vw1;
    final float[][] mw2;
    final float[][] vw2;
    final float[] mb1;
    final float[] vb1;
    final float[] mb2;
    final float[] vb2;
    final float[] mw3;
    final float[] vw3;
    final float[] mb3 = new float[1];
    final float[] vb3 = new float[1];
    final float[][] w2t;
    long t;
    int epochs;
    /** sum of squared weights (W1, W2, W3), kept up to date by the Adam step, for the L2 term of the loss */
    double sq;

    Classifier32(int d, int h, Rng rng) {
        this.d = d;
        this.h = h;
        this.hp = paddedWidth(h);
        this.rng = rng;
        w1 = new float[d][hp];
        b1 = new float[hp];
        w2 = new float[hp][hp];
        b2 = new float[hp];
        w3t = new float[1][hp];
        gw1 = new float[d][hp];
        gb1 = new float[hp];
        gw2 = new float[hp][hp];
        gb2 = new float[hp];
        gw3 = new float[hp];
        mw1 = new float[d][hp];
        vw1 = new float[d][hp];
        mw2 = new float[hp][hp];
        vw2 = new float[hp][hp];
        mb1 = new float[hp];
        vb1 = new float[hp];
        mb2 = new float[hp];
        vb2 = new float[hp];
        mw3 = new float[hp];
        vw3 = new float[hp];
        w2t = new float[hp][hp];
        // Glorot uniform, drawn as the reference draws them: W1, b1, W2, b2, W3, b3, each row-major over h units
        init(w1, d, b1, d + h);
        init(w2, h, b2, h + h);
        sq = 0;
        for (float[] row : w1) {
            sq += sumSquares(row, h);
        }
        for (int i = 0; i < h; i++) {
            sq += sumSquares(w2[i], h);
        }
        double bound = Math.sqrt(2.0 / (h + 1));
        for (int i = 0; i < h; i++) {
            w3t[0][i] = (float) (bound * (2 * rng.nextDouble() - 1));
        }
        b3[0] = (float) (bound * (2 * rng.nextDouble() - 1));
        sq += sumSquares(w3t[0], h);
    }

    /**
     * The padded row width for h hidden units: a multiple of 64 (whole 4 x 4-vector blocks of 16
     * floats, the widest vectors) or of 16 (4 x 1-vector blocks, which do about half the work per
     * pass), whichever costs less counting a narrow block as half a wide one; the narrower on a
     * tie. 20 -> 32, 40 -> 64, 50 -> 64, 100 -> 128.
     */
    static int paddedWidth(int h) {
        int wide = (h + 63) / 64 * 64;
        int narrow = (h + 15) / 16 * 16;
        double costWide = wide / 64.0;
        double costNarrow = narrow / 64 + 0.5 * (narrow % 64) / 16;
        return costNarrow <= costWide ? narrow : wide;
    }

    private void init(float[][] w, int rows, float[] b, int fans) {
        double bound = Math.sqrt(6.0 / fans);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < h; j++) {
                w[i][j] = (float) (bound * (2 * rng.nextDouble() - 1));
            }
        }
        for (int j = 0; j < h; j++) {
            b[j] = (float) (bound * (2 * rng.nextDouble() - 1));
        }
    }

    /** Buffers of one minibatch. */
    private final class Batch {
        final float[][] xb;
        final float[][] a1;
        final float[][] a2;
        final float[][] z;
        final float[][] d1;
        final float[][] d2;
        final float[] e;

        Batch(int bs) {
            xb = new float[bs][];
            a1 = new float[bs][hp];
            a2 = new float[bs][hp];
            z = new float[bs][1];
            d1 = new float[bs][hp];
            d2 = new float[bs][hp];
            e = new float[bs];
        }
    }

    void fit(float[][] x, double[] y, int[] rows, int maxEpochs) {
        int n = rows.length;
        int bs = Math.min(200, n);
        int[] idx = rows.clone();
        Batch bt = new Batch(bs);
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
                total += step(x, y, idx, s, b, bt) * b;
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

    private void forward(float[][] x, int[] idx, int s, int b, Batch bt) {
        for (int r = 0; r < b; r++) {
            bt.xb[r] = x[idx[s + r]];
        }
        k.gemm(false, bt.xb, w1, b1, false, bt.a1, 0, b, d, hp);
        k.relu(bt.a1, 0, b, hp);
        k.gemm(false, bt.a1, w2, b2, false, bt.a2, 0, b, h, hp);
        k.relu(bt.a2, 0, b, hp);
        k.dots(bt.a2, w3t, b3, false, bt.z, 0, b, h, 1);
    }

    private static double sumSquares(float[] a, int n) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = 0;
        for (; i + 4 <= n; i += 4) {
            s0 += a[i] * a[i];
            s1 += a[i + 1] * a[i + 1];
            s2 += a[i + 2] * a[i + 2];
            s3 += a[i + 3] * a[i + 3];
        }
        for (; i < n; i++) {
            s0 += a[i] * a[i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** One Adam step on rows idx[s..s+b); returns the batch loss (log loss + L2 term). */
    private double step(float[][] x, double[] y, int[] idx, int s, int b, Batch bt) {
        forward(x, idx, s, b, bt);
        final int hp = this.hp;
        double loss = 0;
        float[] e = bt.e;
        for (int r = 0; r < b; r++) {
            double yr = y[idx[s + r]];
            double pr = 1 / (1 + Math.exp(-bt.z[r][0]));
            double pc = Math.min(Math.max(pr, 1e-15), 1 - 1e-15);
            loss -= yr * Math.log(pc) + (1 - yr) * Math.log(1 - pc);
            e[r] = (float) (pr - yr);
        }
        loss /= b;
        loss += 0.5 * ALPHA * sq / b;

        final int h = this.h;
        // output layer: gW3 = a2^T e, gb3 = sum e, delta2 = e W3 * relu'(a2)
        float[] w3 = w3t[0];
        float[] gw3 = this.gw3;
        Arrays.fill(gw3, 0f);
        float gb3s = 0;
        for (int r = 0; r < b; r++) {
            float er = e[r];
            float[] a2r = bt.a2[r];
            float[] d2r = bt.d2[r];
            for (int j = 0; j < h; j++) {
                gw3[j] += a2r[j] * er;
            }
            for (int j = 0; j < hp; j++) {
                d2r[j] = er * w3[j];
            }
            gb3s += er;
        }
        gb3[0] = gb3s;
        k.reluMask(bt.a2, bt.d2, 0, b, hp);
        // layer 2: gW2 = a1^T d2 (rows of the h real units), delta1 = d2 W2^T * relu'(a1)
        k.gemm(true, bt.a1, bt.d2, null, false, gw2, 0, h, b, hp);
        for (int i = 0; i < h; i++) {
            float[] wi = w2[i];
            for (int j = 0; j < h; j++) {
                w2t[j][i] = wi[j];
            }
        }
        k.gemm(false, bt.d2, w2t, null, false, bt.d1, 0, b, h, hp);
        k.reluMask(bt.a1, bt.d1, 0, b, hp);
        // layer 1: gW1 = x^T delta1
        k.gemm(true, bt.xb, bt.d1, null, false, gw1, 0, d, b, hp);
        columnSums(bt.d2, b, gb2);
        columnSums(bt.d1, b, gb1);

        t++;
        float lrT = (float) (LR * Math.sqrt(1 - Math.pow(0.999, t)) / (1 - Math.pow(0.9, t)));
        float inv = 1f / b;
        double sqNew = 0;
        for (int j = 0; j < d; j++) {
            sqNew += adam(w1[j], gw1[j], mw1[j], vw1[j], ALPHA, inv, lrT, h);
        }
        adam(b1, gb1, mb1, vb1, 0f, inv, lrT, h);
        for (int i = 0; i < h; i++) {
            sqNew += adam(w2[i], gw2[i], mw2[i], vw2[i], ALPHA, inv, lrT, h);
        }
        adam(b2, gb2, mb2, vb2, 0f, inv, lrT, h);
        sqNew += adam(w3, gw3, mw3, vw3, ALPHA, inv, lrT, h);
        adam(b3, gb3, mb3, vb3, 0f, inv, lrT, 1);
        sq = sqNew;
        return loss;
    }

    private void columnSums(float[][] a, int b, float[] out) {
        Arrays.fill(out, 0f);
        for (int r = 0; r < b; r++) {
            float[] ar = a[r];
            for (int j = 0; j < h; j++) {
                out[j] += ar[j];
            }
        }
    }

    /**
     * Gradient (g + alpha p) / b (alpha 0 for biases), then sklearn's Adam update of p[0..n);
     * returns the sum of squares of the updated p (the next step's L2 term).
     */
    private static double adam(float[] p, float[] g, float[] m, float[] v, float alpha, float inv, float lrT, int n) {
        for (int i = 0; i < n; i++) {
            float gi = (g[i] + alpha * p[i]) * inv;
            float mi = B1 * m[i] + (1 - B1) * gi;
            float vi = B2 * v[i] + (1 - B2) * gi * gi;
            m[i] = mi;
            v[i] = vi;
            p[i] -= lrT * mi / ((float) Math.sqrt(vi) + EPS);
        }
        return alpha == 0 ? 0 : sumSquares(p, n);
    }

    double accuracy(float[][] x, double[] y, int[] rows) {
        int bs = 256;
        Batch bt = new Batch(bs);
        int correct = 0;
        for (int s = 0; s < rows.length; s += bs) {
            int b = Math.min(bs, rows.length - s);
            forward(x, rows, s, b, bt);
            for (int r = 0; r < b; r++) {
                double p = 1 / (1 + Math.exp(-bt.z[r][0]));
                int pred = p > 0.5 ? 1 : 0;
                if (pred == (int) y[rows[s + r]]) {
                    correct++;
                }
            }
        }
        return (double) correct / rows.length;
    }
}
