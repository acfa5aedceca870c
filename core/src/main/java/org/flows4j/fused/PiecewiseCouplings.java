package org.flows4j.fused;

import java.util.ArrayList;
import java.util.List;
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
        int d = dim;
        float[] result = new float[n];
        Parallel.forEachChunk(n, CHUNK, threads, () -> new double[2][CHUNK * d], (buf, start, end) -> {
            int m = end - start;
            double[] v = buf[0];
            double[] logDet = buf[1];
            for (int i = 0; i < m * d; i++) {
                v[i] = x[start * d + i];
            }
            java.util.Arrays.fill(logDet, 0, m, 0);
            for (int l = 0; l < nets.length; l++) {
                layer(l, v, logDet, m, true);
            }
            for (int i = 0; i < m; i++) {
                double sq = 0;
                for (int j = 0; j < d; j++) {
                    sq += v[i * d + j] * v[i * d + j];
                }
                result[start + i] = (float) (-0.5 * sq - 0.5 * d * LOG_2PI + logDet[i]);
            }
        });
        return result;
    }

    /**
     * Base points z (n rows, float32) through the inverse into xs; lp gets each sample's
     * log-density.
     */
    void sample(float[] z, int n, int threads, float[] xs, float[] lp) {
        int d = dim;
        Parallel.forEachChunk(n, CHUNK, threads, () -> new double[2][CHUNK * d], (buf, start, end) -> {
            int m = end - start;
            double[] v = buf[0];
            double[] logDet = buf[1];
            for (int i = 0; i < m * d; i++) {
                v[i] = z[start * d + i];
            }
            for (int i = 0; i < m; i++) {
                double s = 0;
                for (int j = 0; j < d; j++) {
                    s += v[i * d + j] * v[i * d + j];
                }
                logDet[i] = -0.5 * s - 0.5 * d * LOG_2PI; // the base log-density; the layers add log|dz/dx|
            }
            for (int l = nets.length - 1; l >= 0; l--) {
                layer(l, v, logDet, m, false);
            }
            for (int i = 0; i < m * d; i++) {
                xs[start * d + i] = (float) v[i];
            }
            for (int i = 0; i < m; i++) {
                lp[start + i] = (float) logDet[i];
            }
        });
    }

    /**
     * Layer l on m rows of v, forward (data to base: x e^s + t) or inverse (base to data:
     * (z - t) e^-s); either way adds the layer's forward log|det| (the sum of its log-scales, at
     * the data-side point) to logDet. One loop for both directions, written without a branch on
     * the direction (the zero terms are exact), so that a first sampling call compiles the code a
     * log-density call then runs.
     */
    private void layer(int l, double[] v, double[] logDet, int m, boolean forward) {
        int d = dim;
        int k = kept[l];
        int[] mv = moved[l];
        boolean th = tanhScale[l];
        PiecewiseLinearNet net = nets[l];
        double sign = forward ? 1 : -1;
        double shiftBefore = forward ? 0 : 1;
        double shiftAfter = forward ? 1 : 0;
        for (int i = 0; i < m; i++) {
            logDet[i] += row(net, v, i * d, k, mv, th, sign, shiftBefore, shiftAfter);
        }
    }

    /**
     * One row of {@link #layer}; returns its log|det|. A method of its own so that the JIT compiles
     * it after a few hundred rows (by call count) instead of after tens of thousands of interpreted
     * loop iterations: a one-off sampling or density call runs mostly compiled code.
     */
    private static double row(PiecewiseLinearNet net, double[] v, int row, int k, int[] mv, boolean th, double sign,
            double shiftBefore, double shiftAfter) {
        int t = mv.length;
        double u = v[row + k];
        int p = net.piece(u);
        double ld = 0;
        for (int q = 0; q < t; q++) {
            double s = net.slope(p, q) * u + net.intercept(p, q);
            if (th) {
                s = tanh(s);
            }
            double shift = net.slope(p, t + q) * u + net.intercept(p, t + q);
            int j = row + mv[q];
            v[j] = (v[j] - shiftBefore * shift) * Math.exp(sign * s) + shiftAfter * shift;
            ld += s;
        }
        return ld;
    }

    /** tanh through the intrinsic exp (Math.tanh is not intrinsified); double precision. */
    private static double tanh(double a) {
        double e = Math.exp(-2 * Math.abs(a));
        return Math.copySign((1 - e) / (1 + e), a);
    }
}
