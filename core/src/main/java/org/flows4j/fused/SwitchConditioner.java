package org.flows4j.fused;

import java.util.List;
import org.flows4j.kernels.NetKernel;
import org.flows4j.kernels.RowGemm;
import org.flows4j.nn.Activation;
import org.flows4j.tensor.Tensor;

/**
 * The conditioner network of a coupling layer that keeps one coordinate (every coupling of a 2-d
 * flow), for the training step: the network sees that coordinate alone (the others are masked to
 * zero), so it runs as a one-input {@link FusedNet} on the rows sorted by it, and its first two
 * layers come from the units' switch points instead of a hidden-by-hidden product. Forward fills
 * the layer's used outputs per row; backward turns their gradients into the network's parameter
 * gradients and the gradient of the kept coordinate. The same numbers as the products, to float32
 * rounding (the switch path sums in another order).
 */
final class SwitchConditioner {
    private final int dim;
    private final int kept;
    private final int[] usedOutputs;
    private final int outputs;
    private final int firstWidth;
    /** The kept column of the first weight matrix, copied before each use (the net reads it). */
    private final Tensor firstColumn;
    private final Tensor firstWeights;
    private final FusedNet net;
    private final FusedNet.Grads grads;
    private final RowGemm gemm;
    private final NetKernel nk;
    private final float[][] weightGrads;
    private final float[][] biasGrads;
    private FusedNet.Work work;
    private int capacity;
    private final RowOrder order = new RowOrder();
    private int[] perm;
    private float[][] in;
    private float[][] g;
    private float[][] other;
    private float[][] gIn;

    private SwitchConditioner(CouplingStack.Layer layer, int kept, RowGemm gemm) {
        this.dim = layer.keep.length;
        this.kept = kept;
        this.usedOutputs = layer.usedOutputs;
        this.outputs = layer.widths[layer.linears()];
        this.firstWidth = layer.widths[1];
        this.firstWeights = layer.weights[0];
        this.firstColumn = Tensor.zeros(layer.weights[0].dtype(), firstWidth, 1);
        Tensor[] w = layer.weights.clone();
        w[0] = firstColumn;
        copyFirstColumn();
        this.net = new FusedNet(w, layer.biases);
        this.grads = new FusedNet.Grads(net);
        this.gemm = gemm;
        this.nk = NetKernel.forGemm(gemm);
        this.weightGrads = new float[layer.linears()][];
        this.biasGrads = new float[layer.linears()][];
        weightGrads[0] = new float[firstWidth];
    }

    /**
     * The switch-point conditioner of {@code layer}, or null when it does not apply: a ReLU
     * network with at least two hidden layers whose mask keeps exactly one coordinate (mask 1
     * there, 0 elsewhere).
     */
    static SwitchConditioner of(CouplingStack.Layer layer, RowGemm gemm) {
        if (layer.activation != Activation.RELU || layer.linears() < 3) {
            return null;
        }
        int kept = -1;
        for (int j = 0; j < layer.keep.length; j++) {
            if (layer.keep[j] == 1f) {
                if (kept >= 0) {
                    return null;
                }
                kept = j;
            } else if (layer.keep[j] != 0f) {
                return null;
            }
        }
        return kept < 0 ? null : new SwitchConditioner(layer, kept, gemm);
    }

    private void copyFirstColumn() {
        float[] col = firstColumn.rawFloats();
        float[] w = firstWeights.rawFloats();
        for (int o = 0; o < firstWidth; o++) {
            col[o] = w[o * dim + kept];
        }
    }

    private void ensure(int b) {
        if (capacity >= b) {
            return;
        }
        capacity = b;
        work = net.newWork(b);
        perm = new int[b];
        in = new float[b][1];
        int widest = net.widest();
        g = new float[b][widest];
        other = new float[b][widest];
        gIn = new float[b][1];
    }

    /**
     * The used outputs of the network for rows [0, b) of {@code x} into {@code netOut} (row i,
     * compact output o = the network's output usedOutputs[o]), reading the weights afresh.
     */
    void forward(float[][] x, float[][] netOut, int b) {
        ensure(b);
        copyFirstColumn();
        net.refresh();
        order.argsort(x, kept, b, perm);
        for (int r = 0; r < b; r++) {
            in[r][0] = x[perm[r]][kept];
        }
        net.forward(gemm, nk, in, work, b, true);
        float[][] out = work.acts[net.linears() - 1];
        int used = usedOutputs.length;
        for (int r = 0; r < b; r++) {
            float[] src = out[r];
            float[] dst = netOut[perm[r]];
            for (int o = 0; o < used; o++) {
                dst[o] = src[usedOutputs[o]];
            }
        }
    }

    /**
     * After {@link #forward} on the same rows: {@code gOut} holds dL/d(used outputs) per row;
     * replaces the network's parameter gradients ({@code gradients}, from index {@code base}: each
     * linear's weight then bias) and writes dL/d(network input) into {@code dNetIn} (zero but at
     * the kept coordinate).
     */
    void backward(float[][] gOut, float[][] dNetIn, List<Tensor> gradients, int base, int b) {
        int used = usedOutputs.length;
        for (int r = 0; r < b; r++) {
            float[] gr = g[r];
            java.util.Arrays.fill(gr, 0, outputs, 0f);
            float[] src = gOut[perm[r]];
            for (int o = 0; o < used; o++) {
                gr[usedOutputs[o]] = src[o];
            }
        }
        net.backward(gemm, nk, in, work, g, other, gIn, grads, b);
        int n = net.linears();
        java.util.Arrays.fill(weightGrads[0], 0f);
        for (int k = 0; k < n; k++) {
            if (k > 0) {
                weightGrads[k] = gradients.get(base + 2 * k).rawFloats();
                java.util.Arrays.fill(weightGrads[k], 0f);
            }
            biasGrads[k] = gradients.get(base + 2 * k + 1).rawFloats();
            java.util.Arrays.fill(biasGrads[k], 0f);
        }
        net.addInto(grads, weightGrads, biasGrads);
        float[] gw = gradients.get(base).rawFloats();
        java.util.Arrays.fill(gw, 0f);
        for (int o = 0; o < firstWidth; o++) {
            gw[o * dim + kept] = weightGrads[0][o];
        }
        for (int r = 0; r < b; r++) {
            float[] dst = dNetIn[perm[r]];
            java.util.Arrays.fill(dst, 0, dim, 0f);
            dst[kept] = gIn[r][0];
        }
    }
}
