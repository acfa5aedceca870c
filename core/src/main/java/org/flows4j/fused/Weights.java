package org.flows4j.fused;

/**
 * Row-array copies of every coupling network's weights (the last layer reduced to the outputs
 * the coupling uses), in both orientations: transposed
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
                int out = layer.fusedWidths[j + 1];
                int in = layer.widths[j];
                transposed[l][j] = new float[in][out];
                rows[l][j] = new float[out][in];
            }
            biases[l][k - 1] = new float[layer.fusedWidths[k]];
        }
        refresh();
    }

    void refresh() {
        for (int l = 0; l < stack.layers.size(); l++) {
            CouplingStack.Layer layer = stack.layers.get(l);
            int last = layer.linears() - 1;
            for (int j = 0; j <= last; j++) {
                float[] w = layer.weights[j].rawFloats();
                float[] bias = layer.biases[j].rawFloats();
                int out = layer.fusedWidths[j + 1];
                int in = layer.widths[j];
                float[][] t = transposed[l][j];
                float[][] r = rows[l][j];
                for (int o = 0; o < out; o++) {
                    // the last layer keeps only the outputs the coupling uses
                    int src = j == last ? layer.usedOutputs[o] : o;
                    System.arraycopy(w, src * in, r[o], 0, in);
                    for (int i = 0; i < in; i++) {
                        t[i][o] = w[src * in + i];
                    }
                    if (j == last) {
                        biases[l][j][o] = bias[src];
                    }
                }
                if (j != last) {
                    biases[l][j] = bias;
                }
            }
        }
    }
}
