package org.flows4j.fused;

/**
 * Row-array copies of every coupling network's weights, in both orientations: transposed
 * ([in][out], for forward products) and as stored ([out][in], for backward products). Refreshed
 * from the parameter tensors before each use, so optimizer updates are always seen.
 */
final class Weights {
    final float[][][][] transposed;
    final float[][][][] rows;
    final float[][][] biases;
    private final CouplingStack stack;

    Weights(CouplingStack stack) {
        this.stack = stack;
        int n = stack.layers.size();
        transposed = new float[n][][][];
        rows = new float[n][][][];
        biases = new float[n][][];
        for (int l = 0; l < n; l++) {
            CouplingStack.Layer layer = stack.layers.get(l);
            int k = layer.linears();
            transposed[l] = new float[k][][];
            rows[l] = new float[k][][];
            biases[l] = new float[k][];
            for (int j = 0; j < k; j++) {
                int out = layer.widths[j + 1];
                int in = layer.widths[j];
                transposed[l][j] = new float[in][out];
                rows[l][j] = new float[out][in];
            }
        }
        refresh();
    }

    void refresh() {
        for (int l = 0; l < stack.layers.size(); l++) {
            CouplingStack.Layer layer = stack.layers.get(l);
            for (int j = 0; j < layer.linears(); j++) {
                float[] w = layer.weights[j].rawFloats();
                int out = layer.widths[j + 1];
                int in = layer.widths[j];
                float[][] t = transposed[l][j];
                float[][] r = rows[l][j];
                for (int o = 0; o < out; o++) {
                    System.arraycopy(w, o * in, r[o], 0, in);
                    for (int i = 0; i < in; i++) {
                        t[i][o] = w[o * in + i];
                    }
                }
                biases[l][j] = layer.biases[j].rawFloats();
            }
        }
    }
}
