package org.flows4j.fused;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.flows4j.flows.Flow;
import org.flows4j.kernels.RowGemm;
import org.flows4j.nn.Activation;
import org.flows4j.parallel.Parallel;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;

/**
 * Fused float32 kernels for RealNVP-style flows (affine couplings with MLP conditioners over a
 * standard normal base): the training step's loss and gradients with a hand-written backward pass
 * and no allocation after warm-up (a coupling that keeps one coordinate runs its ReLU network from
 * the switch points, {@link SwitchConditioner}), and multi-threaded log-density and sampling for
 * large jobs.
 * Computes the same numbers as the autodiff path (to float32 rounding); tests hold it to that.
 */
public final class FusedCouplingFlow {
    private static final double LOG_2PI = Math.log(2 * Math.PI);
    private static final int CHUNK = 1024;
    /** Below this width a product runs as dot products along its long dimension. */
    private static final int NARROW = 16;

    /** Rows from which log-density and sampling use the piecewise-linear path when it applies. */
    static final int PIECEWISE_ROWS = 4096;

    private final CouplingStack stack;
    private final RowGemm gemm;
    private final boolean piecewise;
    /** The piecewise forms of the weights {@link #piecewiseWeights} (a sampling call and a density call share them). */
    private PiecewiseCouplings piecewiseCache;
    private float[][] piecewiseWeights;

    private FusedCouplingFlow(CouplingStack stack, RowGemm gemm, boolean piecewise) {
        this.stack = stack;
        this.gemm = gemm;
        this.piecewise = piecewise && PiecewiseCouplings.supports(stack);
    }

    /** Fused kernels for this flow, if its structure is supported. */
    public static Optional<FusedCouplingFlow> of(Flow flow, RowGemm gemm) {
        return CouplingStack.of(flow).map(s -> new FusedCouplingFlow(s, gemm, true));
    }

    /**
     * The same kernels without the piecewise-linear inference path: log-density and sampling
     * always run the matrix products (for comparisons and benchmarks).
     */
    public FusedCouplingFlow withoutPiecewise() {
        return new FusedCouplingFlow(stack, gemm, false);
    }

    /** True if large log-density and sampling jobs run the exact piecewise-linear path. */
    public boolean usesPiecewise() {
        return piecewise;
    }

    public static Optional<FusedCouplingFlow> of(Flow flow) {
        return of(flow, RowGemm.best());
    }

    public String kernelName() {
        return gemm.name();
    }

    /** A reusable training step: mean NLL of a batch and its gradients, into preallocated tensors. */
    public Step newStep() {
        return new Step();
    }

    /** One training step's buffers; not thread-safe (one per training loop). */
    public final class Step {
        private final Weights weights = new Weights(stack);
        private final List<Tensor> grads = new ArrayList<>();
        private final float[][][][] dW;
        private final float[][][][] dWt;
        /** Bias gradient sums, one per output unit of the widest linear. */
        private final float[] columnSums;
        /** Per layer, its network on the switch-point path (one kept coordinate), or null. */
        private final SwitchConditioner[] switched;
        /** True if some layer runs its network through the products (it then needs {@link #weights}). */
        private final boolean products;
        private Workspace ws;

        Step() {
            int n = stack.layers.size();
            dW = new float[n][][][];
            dWt = new float[n][][][];
            int widest = 0;
            for (int l = 0; l < n; l++) {
                CouplingStack.Layer layer = stack.layers.get(l);
                dW[l] = new float[layer.linears()][][];
                dWt[l] = new float[layer.linears()][][];
                for (int k = 0; k < layer.linears(); k++) {
                    dW[l][k] = new float[layer.fusedWidths[k + 1]][layer.widths[k]];
                    dWt[l][k] = new float[layer.widths[k]][layer.fusedWidths[k + 1]];
                    widest = Math.max(widest, layer.fusedWidths[k + 1]);
                }
            }
            columnSums = new float[widest];
            switched = new SwitchConditioner[n];
            boolean anyProducts = false;
            for (int l = 0; l < n; l++) {
                switched[l] = SwitchConditioner.of(stack.layers.get(l), gemm);
                anyProducts |= switched[l] == null;
            }
            products = anyProducts;
            for (Tensor p : stack.parameters) {
                grads.add(Tensor.zeros(DType.FLOAT32, p.shape()));
            }
        }

        /** The gradient tensors {@link #compute} fills, in the flow's parameter order. */
        public List<Tensor> gradients() {
            return grads;
        }

        /** Mean negative log-likelihood of the batch [b, dim] (float32); fills {@link #gradients()}. */
        public double compute(Tensor batch) {
            int b = batch.size(0);
            int d = stack.dim;
            if (batch.rank() != 2 || batch.size(1) != d || batch.dtype() != DType.FLOAT32) {
                throw new IllegalArgumentException("expected a float32 batch [b, " + d + "]");
            }
            if (ws == null || ws.capacity < b) {
                ws = new Workspace(stack, b);
            }
            if (products) {
                weights.refresh();
            }
            float[] flat = batch.rawFloats();
            for (int i = 0; i < b; i++) {
                System.arraycopy(flat, i * d, ws.xs[0][i], 0, d);
            }
            java.util.Arrays.fill(ws.logDet, 0, b, 0f);
            for (int l = 0; l < stack.layers.size(); l++) {
                if (switched[l] != null) {
                    switched[l].forward(ws.xs[l], ws.netOut[l], b);
                    couple(ws, l, 0, b);
                } else {
                    coupleForward(ws, weights, l, 0, b);
                }
            }
            // loss = mean(0.5|z|^2 + d/2 log 2pi - logdet); dL/dz = z / b, dL/dlogdet = -1 / b
            double loss = 0;
            float[][] z = ws.xs[stack.layers.size()];
            float invB = 1f / b;
            for (int i = 0; i < b; i++) {
                double sq = 0;
                for (int j = 0; j < d; j++) {
                    sq += (double) z[i][j] * z[i][j];
                    ws.dy[i][j] = z[i][j] * invB;
                }
                loss += 0.5 * sq + 0.5 * d * LOG_2PI - ws.logDet[i];
            }
            loss /= b;
            for (int l = stack.layers.size() - 1; l >= 0; l--) {
                backwardLayer(l, b, -invB);
                for (int i = 0; i < b; i++) {
                    System.arraycopy(ws.dx[i], 0, ws.dy[i], 0, d);
                }
            }
            return loss;
        }

        /** Given ws.dy (gradient w.r.t. layer l's output), writes ws.dx and layer l's parameter gradients. */
        private void backwardLayer(int l, int b, float dLogDet) {
            CouplingStack.Layer layer = stack.layers.get(l);
            int d = stack.dim;
            float[][] x = ws.xs[l];
            float[][] s = ws.s[l];
            float[][] e = ws.e[l];
            float[][] gOut = ws.gA;
            int nt = layer.transformed;
            for (int i = 0; i < b; i++) {
                float[] dyi = ws.dy[i];
                float[] dxi = ws.dx[i];
                float[] go = gOut[i];
                for (int j = 0; j < d; j++) {
                    int q = layer.compactIndex[j];
                    if (q < 0) {
                        dxi[j] = dyi[j];
                    } else {
                        float ej = e[i][j];
                        dxi[j] = dyi[j] * ej;
                        float ds = dyi[j] * x[i][j] * ej + dLogDet;
                        go[q] = layer.tanhScale ? ds * (1 - s[i][j] * s[i][j]) : ds;
                        go[nt + q] = dyi[j];
                    }
                }
            }
            if (switched[l] != null) {
                switched[l].backward(gOut, ws.dNetIn, grads, paramIndex(l), b);
            } else {
                networkBackward(l, b, gOut);
            }
            for (int i = 0; i < b; i++) {
                for (int j = 0; j < d; j++) {
                    ws.dx[i][j] += layer.keep[j] * ws.dNetIn[i][j];
                }
            }
        }

        /** Back through layer l's network (the products): gOut holds dL/d(used outputs); fills dNetIn and the gradients. */
        private void networkBackward(int l, int b, float[][] gOut) {
            CouplingStack.Layer layer = stack.layers.get(l);
            // back through the MLP: g holds dL/d(pre-activation output of linear k)
            float[][] g = gOut;
            float[][] other = ws.gB;
            int nLin = layer.linears();
            int paramBase = paramIndex(l);
            for (int k = nLin - 1; k >= 0; k--) {
                float[][] input = k == 0 ? ws.netIn[l] : ws.hidden[l][k - 1];
                int in = layer.widths[k];
                int out = layer.fusedWidths[k + 1];
                if (in < NARROW) {
                    // dW^T = input^T g keeps the long (out) dimension innermost
                    gemm.gemm(true, input, g, null, false, dWt[l][k], 0, in, b, out);
                    for (int q = 0; q < in; q++) {
                        for (int o = 0; o < out; o++) {
                            dW[l][k][o][q] = dWt[l][k][q][o];
                        }
                    }
                } else {
                    gemm.gemm(true, g, input, null, false, dW[l][k], 0, out, b, in);
                }
                float[] gw = grads.get(paramBase + 2 * k).rawFloats();
                float[] gb = grads.get(paramBase + 2 * k + 1).rawFloats();
                boolean last = k == nLin - 1;
                if (last) {
                    java.util.Arrays.fill(gw, 0f);
                }
                java.util.Arrays.fill(gb, 0f);
                // bias gradients: column sums of g, taken row by row (contiguous, vectorised), each
                // column still summed from 0 in row order
                float[] sums = columnSums;
                java.util.Arrays.fill(sums, 0, out, 0f);
                for (int i = 0; i < b; i++) {
                    float[] gi = g[i];
                    for (int o = 0; o < out; o++) {
                        sums[o] += gi[o];
                    }
                }
                for (int o = 0; o < out; o++) {
                    int dst = last ? layer.usedOutputs[o] : o;
                    System.arraycopy(dW[l][k][o], 0, gw, dst * in, in);
                    gb[dst] = sums[o];
                }
                float[][] target = k == 0 ? ws.dNetIn : other;
                if (in < NARROW) {
                    gemm.dots(g, weights.transposed[l][k], null, false, target, 0, b, out, in);
                } else {
                    gemm.gemm(false, g, weights.rows[l][k], null, false, target, 0, b, out, in);
                }
                if (k > 0) {
                    activationBackward(layer.activation, input, target, b, in);
                    float[][] t = g;
                    g = other;
                    other = t;
                }
            }
        }

        /** Layers on the switch-point path (tests). */
        int switchedLayers() {
            int c = 0;
            for (SwitchConditioner sc : switched) {
                c += sc != null ? 1 : 0;
            }
            return c;
        }

        private int paramIndex(int layer) {
            int idx = 0;
            for (int l = 0; l < layer; l++) {
                idx += 2 * stack.layers.get(l).linears();
            }
            return idx;
        }
    }

    private void activationBackward(Activation act, float[][] h, float[][] g, int b, int w) {
        if (act == Activation.RELU) {
            gemm.reluMask(h, g, 0, b, w);
            return;
        }
        for (int i = 0; i < b; i++) {
            float[] hi = h[i];
            float[] gi = g[i];
            for (int j = 0; j < w; j++) {
                gi[j] *= 1 - hi[j] * hi[j];
            }
        }
    }

    private void activate(Activation act, float[][] h, int i0, int i1, int w) {
        if (act == Activation.RELU) {
            gemm.relu(h, i0, i1, w);
            return;
        }
        for (int i = i0; i < i1; i++) {
            float[] hi = h[i];
            for (int j = 0; j < w; j++) {
                hi[j] = tanh(hi[j]);
            }
        }
    }

    /** tanh through the intrinsic exp (Math.tanh is not intrinsified); exact to float rounding. */
    static float tanh(float x) {
        if (Math.abs(x) < 0.125f) {
            return (float) Math.tanh(x);
        }
        double e = Math.exp(-2.0 * Math.abs(x));
        return (float) Math.copySign((1 - e) / (1 + e), x);
    }

    /** The conditioner network of layer l on ws.netIn[l] rows [i0, i1) into ws.netOut[l]. */
    private void network(Workspace ws, Weights w, int l, int i0, int i1) {
        CouplingStack.Layer layer = stack.layers.get(l);
        float[][] in = ws.netIn[l];
        int n = layer.linears();
        for (int k = 0; k < n; k++) {
            float[][] out = k == n - 1 ? ws.netOut[l] : ws.hidden[l][k];
            int width = layer.fusedWidths[k + 1];
            if (width < NARROW) {
                gemm.dots(in, w.rows[l][k], w.biases[l][k], false, out, i0, i1, layer.widths[k], width);
            } else {
                gemm.gemm(false, in, w.transposed[l][k], w.biases[l][k], false, out, i0, i1, layer.widths[k], width);
            }
            if (k < n - 1) {
                activate(layer.activation, out, i0, i1, width);
            }
            in = out;
        }
    }

    /** Data to base through every layer for rows [i0, i1): fills xs, s, e, logDet. */
    private void forwardAll(Workspace ws, Weights w, int i0, int i1) {
        java.util.Arrays.fill(ws.logDet, i0, i1, 0f);
        for (int l = 0; l < stack.layers.size(); l++) {
            coupleForward(ws, w, l, i0, i1);
        }
    }

    /** Base to data through every layer in reverse for rows [i0, i1): xs[L] in, xs[0] out, logDet = log|dx/dz|. */
    private void inverseAll(Workspace ws, Weights w, int i0, int i1) {
        java.util.Arrays.fill(ws.logDet, i0, i1, 0f);
        for (int l = stack.layers.size() - 1; l >= 0; l--) {
            coupleInverse(ws, w, l, i0, i1);
        }
    }

    /**
     * Coupling layer l forward on rows [i0, i1): reads xs[l], writes xs[l + 1], keeps s and exp(s)
     * for the backward pass, adds log|det| to logDet. (Forward and inverse are separate methods so
     * that the first sampling call does not invalidate the compiled training code.)
     */
    private void coupleForward(Workspace ws, Weights w, int l, int i0, int i1) {
        conditionerOutputs(ws, w, l, ws.xs[l], i0, i1);
        couple(ws, l, i0, i1);
    }

    /** The coupling of layer l on rows [i0, i1) given its network's outputs in netOut[l] (see {@link #coupleForward}). */
    private void couple(Workspace ws, int l, int i0, int i1) {
        int d = stack.dim;
        CouplingStack.Layer layer = stack.layers.get(l);
        float[][] in = ws.xs[l];
        float[][] res = ws.xs[l + 1];
        for (int i = i0; i < i1; i++) {
            float[] out = ws.netOut[l][i];
            float ld = 0;
            for (int j = 0; j < d; j++) {
                int q = layer.compactIndex[j];
                if (q < 0) {
                    res[i][j] = in[i][j];
                    continue;
                }
                float sj = layer.tanhScale ? tanh(out[q]) : out[q];
                float ej = (float) Math.exp(sj);
                ws.s[l][i][j] = sj;
                ws.e[l][i][j] = ej;
                res[i][j] = in[i][j] * ej + out[layer.transformed + q];
                ld += sj;
            }
            ws.logDet[i] += ld;
        }
    }

    /** Coupling layer l inverse on rows [i0, i1): reads xs[l + 1], writes xs[l], adds log|det| of the inverse. */
    private void coupleInverse(Workspace ws, Weights w, int l, int i0, int i1) {
        int d = stack.dim;
        CouplingStack.Layer layer = stack.layers.get(l);
        float[][] in = ws.xs[l + 1];
        float[][] res = ws.xs[l];
        conditionerOutputs(ws, w, l, in, i0, i1);
        for (int i = i0; i < i1; i++) {
            float[] out = ws.netOut[l][i];
            float ld = 0;
            for (int j = 0; j < d; j++) {
                int q = layer.compactIndex[j];
                if (q < 0) {
                    res[i][j] = in[i][j];
                    continue;
                }
                float sj = layer.tanhScale ? tanh(out[q]) : out[q];
                res[i][j] = (in[i][j] - out[layer.transformed + q]) * (float) Math.exp(-sj);
                ld -= sj;
            }
            ws.logDet[i] += ld;
        }
    }

    /** The masked input of layer l's network, then the network: fills netIn[l] and netOut[l]. */
    private void conditionerOutputs(Workspace ws, Weights w, int l, float[][] in, int i0, int i1) {
        int d = stack.dim;
        float[] keep = stack.layers.get(l).keep;
        for (int i = i0; i < i1; i++) {
            for (int j = 0; j < d; j++) {
                ws.netIn[l][i][j] = keep[j] * in[i][j];
            }
        }
        network(ws, w, l, i0, i1);
    }

    /** Log-density of each row of x [n, dim] (float32), on up to {@code threads} threads. */
    public float[] logProb(Tensor x, int threads) {
        int d = stack.dim;
        if (x.rank() != 2 || x.size(1) != d || x.dtype() != DType.FLOAT32) {
            throw new IllegalArgumentException("expected float32 points [n, " + d + "]");
        }
        int n = x.size(0);
        float[] in = x.rawFloats();
        PiecewiseCouplings pw = piecewiseFor(n);
        if (pw != null) {
            return pw.logProb(in, n, threads);
        }
        float[] result = new float[n];
        Weights w = new Weights(stack);
        int layers = stack.layers.size();
        parallelChunks(n, threads, (ws, start, end) -> {
            int m = end - start;
            for (int i = 0; i < m; i++) {
                System.arraycopy(in, (start + i) * d, ws.xs[0][i], 0, d);
            }
            forwardAll(ws, w, 0, m);
            for (int i = 0; i < m; i++) {
                double sq = 0;
                for (int j = 0; j < d; j++) {
                    float zj = ws.xs[layers][i][j];
                    sq += (double) zj * zj;
                }
                result[start + i] = (float) (-0.5 * sq - 0.5 * d * LOG_2PI + ws.logDet[i]);
            }
        });
        return result;
    }

    /** n samples and their log-densities; the base draws come from {@code rng} in one sequential pass. */
    public Flow.Samples sample(int n, Rng rng, int threads) {
        int d = stack.dim;
        // the piecewise forms first: the compiler then finishes with their construction while the
        // base draws run, not while the pass does (a measurable part of a one-off call)
        PiecewiseCouplings pw = piecewiseFor(n);
        Tensor z = Tensor.randn(rng, DType.FLOAT32, n, d);
        float[] zf = z.rawFloats();
        Tensor xt = Tensor.zeros(DType.FLOAT32, n, d);
        Tensor lpt = Tensor.zeros(DType.FLOAT32, n);
        float[] xs = xt.rawFloats();
        float[] lp = lpt.rawFloats();
        if (pw != null) {
            pw.sample(zf, n, threads, xs, lp);
            return new Flow.Samples(xt, lpt);
        }
        Weights w = new Weights(stack);
        int layers = stack.layers.size();
        parallelChunks(n, threads, (ws, start, end) -> {
            int m = end - start;
            for (int i = 0; i < m; i++) {
                System.arraycopy(zf, (start + i) * d, ws.xs[layers][i], 0, d);
            }
            inverseAll(ws, w, 0, m);
            for (int i = 0; i < m; i++) {
                double sq = 0;
                for (int j = 0; j < d; j++) {
                    float zj = zf[(start + i) * d + j];
                    sq += (double) zj * zj;
                }
                System.arraycopy(ws.xs[0][i], 0, xs, (start + i) * d, d);
                lp[start + i] = (float) (-0.5 * sq - 0.5 * d * LOG_2PI - ws.logDet[i]);
            }
        });
        return new Flow.Samples(xt, lpt);
    }

    /**
     * The exact piecewise-linear path ({@link PiecewiseCouplings}) for a job of n rows, when the
     * flow has that structure and the job is large enough to repay building the forms; else null.
     */
    private PiecewiseCouplings piecewiseFor(int n) {
        if (!piecewise || n < PIECEWISE_ROWS) {
            return null;
        }
        // rebuilt when the weights changed since the last large job (training between calls)
        float[][] now = new float[stack.parameters.size()][];
        for (int k = 0; k < now.length; k++) {
            now[k] = stack.parameters.get(k).rawFloats().clone();
        }
        synchronized (this) {
            if (piecewiseCache == null || !java.util.Arrays.deepEquals(now, piecewiseWeights)) {
                piecewiseCache = PiecewiseCouplings.of(stack);
                piecewiseWeights = now;
            }
            return piecewiseCache;
        }
    }

    private void parallelChunks(int n, int threads, Parallel.ChunkJob<Workspace> job) {
        Parallel.forEachChunk(n, CHUNK, threads, () -> new Workspace(stack, Math.min(CHUNK, Math.max(n, 1))), job);
    }
}
