package org.flows4j.fused;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.flows4j.nn.Activation;
import org.flows4j.nn.Linear;
import org.flows4j.nn.Mlp;
import org.flows4j.nn.PiecewiseLinearNet;
import org.flows4j.parallel.Parallel;
import org.flows4j.tensor.Tensor;

/**
 * Inference for a coupling stack whose layers each keep one coordinate and condition on it with a
 * ReLU network (every 2-d RealNVP, the seed's model among them): such a network sees one number,
 * so it is exactly a piecewise-affine function of it ({@link PiecewiseLinearNet}), and a layer
 * costs one table look-up and a few multiply-adds per row instead of its matrix products. The
 * forms are built in double precision from the current float32 weights on every call (a few
 * milliseconds), and rows are carried in double precision: the results are the flow's, closer to
 * exact than the float32 products.
 */
final class PiecewiseCouplings {
    private static final double LOG_2PI = Math.log(2 * Math.PI);
    private static final int CHUNK = 2048;
    /** Rows per block of a layer (see {@link #layer}). */
    private static final int BLOCK = 16;

    private final int dim;
    /** Per layer: the kept coordinate, the transformed ones (compact order), tanh on the log-scale. */
    private final int[] kept;
    private final int[][] moved;
    private final boolean[] tanhScale;
    /** Per layer: log-scales of the moved coordinates, then their shifts, as functions of the kept one. */
    private final PiecewiseLinearNet[] nets;

    private PiecewiseCouplings(int dim, int[] kept, int[][] moved, boolean[] tanhScale, PiecewiseLinearNet[] nets) {
        this.dim = dim;
        this.kept = kept;
        this.moved = moved;
        this.tanhScale = tanhScale;
        this.nets = nets;
    }

    /** True if every layer keeps exactly one coordinate and its network is a ReLU network. */
    static boolean supports(CouplingStack stack) {
        for (CouplingStack.Layer layer : stack.layers) {
            if (layer.activation != Activation.RELU || stack.dim - layer.transformed != 1) {
                return false;
            }
        }
        return !stack.layers.isEmpty();
    }

    /** The piecewise forms of the stack's current weights, or null if unsupported or too many pieces. */
    static PiecewiseCouplings of(CouplingStack stack) {
        if (!supports(stack)) {
            return null;
        }
        int n = stack.layers.size();
        int[] kept = new int[n];
        int[][] moved = new int[n][];
        boolean[] tanhScale = new boolean[n];
        PiecewiseLinearNet[] nets = new PiecewiseLinearNet[n];
        for (int l = 0; l < n; l++) {
            CouplingStack.Layer layer = stack.layers.get(l);
            int k = 0;
            while (layer.compactIndex[k] >= 0) {
                k++;
            }
            kept[l] = k;
            moved[l] = new int[layer.transformed];
            for (int j = 0; j < stack.dim; j++) {
                if (layer.compactIndex[j] >= 0) {
                    moved[l][layer.compactIndex[j]] = j;
                }
            }
            tanhScale[l] = layer.tanhScale;
            // the network with only the outputs the layer uses (log-scales, then shifts)
            List<Linear> linears = new ArrayList<>();
            int last = layer.linears() - 1;
            for (int q = 0; q < last; q++) {
                linears.add(new Linear(layer.weights[q], layer.biases[q]));
            }
            linears.add(usedRows(layer.weights[last], layer.biases[last], layer.usedOutputs));
            nets[l] = PiecewiseLinearNet.of(new Mlp(linears, layer.activation), k, layer.keep[k]);
            if (nets[l] == null) {
                return null;
            }
        }
        return new PiecewiseCouplings(stack.dim, kept, moved, tanhScale, nets);
    }

    /** A linear layer computing the given outputs of (weight, bias). */
    private static Linear usedRows(Tensor weight, Tensor bias, int[] rows) {
        int in = weight.size(1);
        float[] w = weight.rawFloats();
        float[] b = bias.rawFloats();
        float[] sw = new float[rows.length * in];
        float[] sb = new float[rows.length];
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(w, rows[r] * in, sw, r * in, in);
            sb[r] = b[rows[r]];
        }
        return new Linear(Tensor.of(sw, rows.length, in), Tensor.of(sb, rows.length));
    }

    /** Log-density of n rows of x (row-major, float32) on up to {@code threads} threads. */
    float[] logProb(float[] x, int n, int threads) {
        float[] result = new float[n];
        Pass pass = new Pass(x, true, null, result);
        Parallel.forEachChunk(n, CHUNK, threads, pass, pass);
        return result;
    }

    /**
     * Base points z (n rows, float32) through the inverse into xs; lp gets each sample's
     * log-density.
     */
    void sample(float[] z, int n, int threads, float[] xs, float[] lp) {
        Pass pass = new Pass(z, false, xs, lp);
        Parallel.forEachChunk(n, CHUNK, threads, pass, pass);
    }

    /**
     * One chunk of rows through every layer: forward (data to base; out gets the log-density) or
     * inverse (base to data; xs gets the points, out their log-density); also makes each
     * thread's scratch. A class, not lambdas: a lambda's first call spins a class at run time,
     * about a millisecond each of a one-off call in a fresh JVM.
     */
    private final class Pass implements Parallel.ChunkJob<Scratch>, Supplier<Scratch> {
        private final float[] in;
        private final boolean forward;
        private final float[] xs;
        private final float[] out;

        Pass(float[] in, boolean forward, float[] xs, float[] out) {
            this.in = in;
            this.forward = forward;
            this.xs = xs;
            this.out = out;
        }

        @Override
        public Scratch get() {
            return new Scratch(dim);
        }

        @Override
        public void run(Scratch sc, int start, int end) {
            int d = dim;
            int m = end - start;
            double[] v = sc.v;
            double[] logDet = sc.logDet;
            for (int i = 0; i < m * d; i++) {
                v[i] = in[start * d + i];
            }
            if (forward) {
                java.util.Arrays.fill(logDet, 0, m, 0);
                for (int l = 0; l < nets.length; l++) {
                    layer(l, sc, m, true);
                }
                baseLogDensity(v, m, d, sc.base);
                for (int i = 0; i < m; i++) {
                    out[start + i] = (float) (sc.base[i] + logDet[i]);
                }
            } else {
                // the base log-density; the layers add log|dz/dx|
                baseLogDensity(v, m, d, logDet);
                for (int l = nets.length - 1; l >= 0; l--) {
                    layer(l, sc, m, false);
                }
                for (int i = 0; i < m * d; i++) {
                    xs[start * d + i] = (float) v[i];
                }
                for (int i = 0; i < m; i++) {
                    out[start + i] = (float) logDet[i];
                }
            }
        }
    }

    /** The standard normal log-density of m rows of v (d columns) into dst. */
    private static void baseLogDensity(double[] v, int m, int d, double[] dst) {
        for (int i = 0; i < m; i++) {
            double sq = 0;
            for (int j = 0; j < d; j++) {
                sq += v[i * d + j] * v[i * d + j];
            }
            dst[i] = -0.5 * sq - 0.5 * d * LOG_2PI;
        }
    }

    /** One thread's rows (a chunk, in double precision), their log|det|, and a block's pieces and outputs. */
    private static final class Scratch {
        final double[] v;
        final double[] logDet = new double[CHUNK];
        final double[] base = new double[CHUNK];
        final int[] piece = new int[BLOCK];
        final double[] scale = new double[BLOCK];
        final double[] shift = new double[BLOCK];

        Scratch(int d) {
            v = new double[CHUNK * d];
        }
    }

    /**
     * Layer l on m rows of sc.v, forward (data to base: x e^s + t) or inverse (base to data:
     * (z - t) e^-s); either way adds the layer's forward log|det| (the sum of its log-scales, at
     * the data-side point) to logDet. Rows go in blocks of {@link #BLOCK}, each through a few
     * small loops (pieces, outputs, update), so that a first, cold call compiles them by call
     * count within a few thousand rows instead of running a long loop interpreted; one update
     * for both directions, written without a branch on the direction (the zero terms are exact),
     * so that a first sampling call compiles the code a log-density call then runs.
     */
    private void layer(int l, Scratch sc, int m, boolean forward) {
        int d = dim;
        int k = kept[l];
        int[] mv = moved[l];
        int t = mv.length;
        PiecewiseLinearNet net = nets[l];
        double sign = forward ? 1 : -1;
        double shiftBefore = forward ? 0 : 1;
        double shiftAfter = forward ? 1 : 0;
        for (int from = 0; from < m; from += BLOCK) {
            int b = Math.min(BLOCK, m - from);
            int off = from * d;
            net.pieces(sc.v, off + k, d, b, sc.piece);
            for (int q = 0; q < t; q++) {
                net.output(q, sc.v, off + k, d, b, sc.piece, sc.scale);
                net.output(t + q, sc.v, off + k, d, b, sc.piece, sc.shift);
                update(sc, from, b, off + mv[q], d, tanhScale[l], sign, shiftBefore, shiftAfter);
            }
        }
    }

    /**
     * A block of b rows (the first at row {@code from}) of one moved coordinate (v[at + i * d]):
     * v = (v - shiftBefore * shift) * e^(sign * s) + shiftAfter * shift, and log|det| += s,
     * where s is the raw log-scale, through tanh if the layer bounds it.
     */
    private static void update(Scratch sc, int from, int b, int at, int d, boolean th, double sign,
            double shiftBefore, double shiftAfter) {
        double[] v = sc.v;
        double[] logDet = sc.logDet;
        double[] scale = sc.scale;
        double[] shift = sc.shift;
        for (int i = 0; i < b; i++) {
            double s = th ? tanh(scale[i]) : scale[i];
            int j = at + i * d;
            v[j] = (v[j] - shiftBefore * shift[i]) * Math.exp(sign * s) + shiftAfter * shift[i];
            logDet[from + i] += s;
        }
    }

    /** tanh through the intrinsic exp (Math.tanh is not intrinsified); double precision. */
    private static double tanh(double a) {
        double e = Math.exp(-2 * Math.abs(a));
        return Math.copySign((1 - e) / (1 + e), a);
    }
}
