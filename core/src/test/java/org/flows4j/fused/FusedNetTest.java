package org.flows4j.fused;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.flows4j.kernels.NetKernel;
import org.flows4j.kernels.RowGemm;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The run-sum backward's precondition: the forward pass it follows recorded the switches. */
class FusedNetTest {
    private static FusedNet net() {
        int[] w = {1, 32, 32, 32, 1};
        Tensor[] weights = new Tensor[4];
        Tensor[] biases = new Tensor[4];
        Rng rng = new Rng(2);
        for (int k = 0; k < 4; k++) {
            weights[k] = Tensor.randn(rng, DType.FLOAT32, w[k + 1], w[k]).mul(0.5);
            biases[k] = Tensor.randn(rng, DType.FLOAT32, w[k + 1]).mul(0.5);
        }
        return new FusedNet(weights, biases);
    }

    @Test
    void backwardNeedsAForwardPassThatRecordedTheSwitches() {
        FusedNet net = net();
        assertThat(net.runHead).isTrue();
        RowGemm gemm = RowGemm.best();
        NetKernel nk = NetKernel.forGemm(gemm);
        int n = 40;
        float[][] in = new float[n][1];
        for (int r = 0; r < n; r++) {
            in[r][0] = -2f + 0.1f * r; // sorted
        }
        FusedNet.Work work = net.newWork(n);
        FusedNet.Grads grads = new FusedNet.Grads(net);
        float[][] g = new float[n][net.widest()];
        float[][] other = new float[n][net.widest()];
        float[][] gIn = new float[n][1];
        net.forward(gemm, nk, in, work, n);
        assertThatThrownBy(() -> net.backward(gemm, nk, in, work, g, other, gIn, grads, n))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("forBackward");
        net.forward(gemm, nk, in, work, n, true);
        assertThatThrownBy(() -> net.backward(gemm, nk, in, work, g, other, gIn, grads, n - 1))
                .isInstanceOf(IllegalStateException.class);
        for (int r = 0; r < n; r++) {
            g[r][0] = 1f;
        }
        net.backward(gemm, nk, in, work, g, other, gIn, grads, n);
        float sum = 0;
        for (float[] row : gIn) {
            sum += Math.abs(row[0]);
        }
        assertThat(sum).isPositive();
    }
}
