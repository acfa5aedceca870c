package org.flows4j.fused;

/**
 * Every buffer one pass through the coupling stack needs, for up to {@code capacity} rows,
 * allocated once and reused: a training step after warm-up allocates nothing.
 */
final class Workspace {
    final int capacity;
    /** Inputs of each layer; xs[L] is the base-space output. */
    final float[][][] xs;
    /** Per layer: the network input (kept coordinates), hidden activations, output. */
    final float[][][] netIn;
    final float[][][][] hidden;
    final float[][][] netOut;
    /** Per layer: log-scale s and exp(s) on the transformed coordinates. */
    final float[][][] s;
    final float[][][] e;
    final float[] logDet;
    /** Backward scratch. */
    final float[][] dy;
    final float[][] dx;
    final float[][] gA;
    final float[][] gB;
    final float[][] dNetIn;

    Workspace(CouplingStack stack, int capacity) {
        this.capacity = capacity;
        int n = stack.layers.size();
        int d = stack.dim;
        int wmax = stack.maxWidth();
        xs = new float[n + 1][capacity][d];
        netIn = new float[n][capacity][d];
        hidden = new float[n][][][];
        netOut = new float[n][capacity][2 * d];
        s = new float[n][capacity][d];
        e = new float[n][capacity][d];
        for (int l = 0; l < n; l++) {
            CouplingStack.Layer layer = stack.layers.get(l);
            hidden[l] = new float[layer.linears() - 1][][];
            for (int k = 0; k + 1 < layer.linears(); k++) {
                hidden[l][k] = new float[capacity][layer.widths[k + 1]];
            }
        }
        logDet = new float[capacity];
        dy = new float[capacity][d];
        dx = new float[capacity][d];
        gA = new float[capacity][wmax];
        gB = new float[capacity][wmax];
        dNetIn = new float[capacity][d];
    }
}
