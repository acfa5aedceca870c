package org.flows4j.kernels;

import java.util.Random;

/**
 * Random operands of a narrow product c = a bt^T + bias: a [n][k] with magnitudes spread over
 * e^(spread * N(0, 1)) (so sums mix large and small terms), bt [m][k] and bias [m] standard normal.
 */
record DotOperands(float[][] a, float[][] bt, float[] bias) {
    static DotOperands random(Random r, int n, int k, int m, double spread) {
        float[][] a = new float[n][k];
        float[][] bt = new float[m][k];
        float[] bias = new float[m];
        for (float[] row : a) {
            for (int p = 0; p < k; p++) {
                row[p] = (float) (r.nextGaussian() * Math.exp(spread * r.nextGaussian()));
            }
        }
        for (float[] row : bt) {
            for (int p = 0; p < k; p++) {
                row[p] = (float) r.nextGaussian();
            }
        }
        for (int j = 0; j < m; j++) {
            bias[j] = (float) r.nextGaussian();
        }
        return new DotOperands(a, bt, bias);
    }
}
