package org.flows4j.transforms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.assertj.core.data.Offset;
import org.flows4j.flows.FlowTestSupport;
import org.flows4j.nn.Activation;
import org.flows4j.nn.Mlp;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Permutations, LU linear layers, Inverse, the SNF transformer, EmbeddedContext: their specifics. */
class LayersTest {

    @Test
    void permutationsMoveColumns() {
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertThat(Permutation.reverse(3).forward(x).y().toDoubleArray()).containsExactly(3, 2, 1, 6, 5, 4);
        Permutation p = new Permutation(new int[] {2, 0, 1});
        assertThat(p.forward(x).y().toDoubleArray()).containsExactly(3, 1, 2, 6, 4, 5);
        assertThat(p.inverse(p.forward(x).y()).y().toDoubleArray()).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(p.forward(x).logAbsDet().toDoubleArray()).containsExactly(0, 0);
        assertThatThrownBy(() -> new Permutation(new int[] {0, 0, 1})).hasMessageContaining("not a permutation");
        int[] r = Permutation.random(16, new Rng(1)).permutation();
        assertThat(r).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    }

    @Test
    void luWeightIsPLUAndItsLogDetIsTheSumOfLogDiag() {
        for (int dim : new int[] {1, 2, 5, 16}) {
            Rng rng = new Rng(dim);
            LuLinear lu = new LuLinear(dim, rng, DType.FLOAT64);
            TransformChecks.perturb(lu, rng, 0.3);
            double[] l = lu.lowerMatrix().toDoubleArray();
            double[] u = lu.upperMatrix().toDoubleArray();
            for (int i = 0; i < dim; i++) {
                assertThat(l[i * dim + i]).isEqualTo(1.0);
                for (int j = i + 1; j < dim; j++) {
                    assertThat(l[i * dim + j]).isEqualTo(0.0);
                    assertThat(u[j * dim + i]).isEqualTo(0.0);
                }
                assertThat(u[i * dim + i]).isPositive();
            }
            double[][] w = new double[dim][dim];
            double[] wf = lu.weight().toDoubleArray();
            for (int i = 0; i < dim; i++) {
                System.arraycopy(wf, i * dim, w[i], 0, dim);
            }
            double expected = FlowTestSupport.logAbsDet(w);
            Tensor x = Tensor.randn(rng, DType.FLOAT64, 3, dim);
            assertThat(lu.forward(x).logAbsDet().toDoubleArray()[0]).isCloseTo(expected, Offset.offset(1e-10));
            // y = x W^T + b
            double[] y = lu.forward(x).y().toDoubleArray();
            double[] xv = x.toDoubleArray();
            double[] b = lu.bias().toDoubleArray();
            for (int r = 0; r < 3; r++) {
                for (int i = 0; i < dim; i++) {
                    double s = b[i];
                    for (int j = 0; j < dim; j++) {
                        s += w[i][j] * xv[r * dim + j];
                    }
                    assertThat(y[r * dim + i]).isCloseTo(s, Offset.offset(1e-12));
                }
            }
            assertThat(lu.parameterCount()).isEqualTo((long) dim * (dim - 1) + 2L * dim);
        }
    }

    @Test
    void inverseSwapsDirections() {
        Rng rng = new Rng(3);
        LuLinear lu = new LuLinear(3, rng, DType.FLOAT64);
        Transform inv = Inverse.of(lu);
        Tensor x = Tensor.randn(rng, DType.FLOAT64, 4, 3);
        assertThat(inv.forward(x).y().toDoubleArray()).containsExactly(lu.inverse(x).y().toDoubleArray());
        assertThat(inv.inverse(x).logAbsDet().toDoubleArray()).containsExactly(lu.forward(x).logAbsDet().toDoubleArray());
        assertThat(Inverse.of(inv)).isSameAs(lu);
        assertThat(inv.parameters()).isEqualTo(lu.parameters());
    }

    @Test
    void snfTransformerScalesTanhByATrainableAlpha() {
        ScaledTanhAffineTransformer tr = ScaledTanhAffineTransformer.perLayer(DType.FLOAT64);
        assertThat(tr.logAlpha().toDoubleArray()).containsExactly(-1.0);
        Tensor x = Tensor.of(new double[] {1, 2}, 1, 2);
        Tensor params = Tensor.of(new double[] {0.5, -0.3, 0.1, 0.2}, 1, 4);
        ElementwiseTransformer.Output out = tr.forward(x, params);
        double alpha = Math.exp(-1);
        double s0 = alpha * Math.tanh(0.5);
        double s1 = alpha * Math.tanh(-0.3);
        assertThat(out.y().toDoubleArray()).containsExactly(1 * Math.exp(s0) + 0.1, 2 * Math.exp(s1) + 0.2);
        assertThat(out.logAbsDerivative().toDoubleArray()).containsExactly(s0, s1);
        // the coupling layer exposes alpha as a parameter, after the network's
        Rng rng = new Rng(1);
        Mlp net = new Mlp(new int[] {2, 4, 4}, Activation.RELU, rng, DType.FLOAT64);
        Coupling c = new Coupling(new double[] {1, 0}, new MlpConditioner(net, 0), tr, DType.FLOAT64);
        List<org.flows4j.tensor.Tensor> ps = c.parameters();
        assertThat(ps).hasSize(5);
        assertThat(ps.get(4)).isSameAs(tr.logAlpha());
        assertThat(ScaledTanhAffineTransformer.perDimension(3, DType.FLOAT32).logAlpha().shape()).containsExactly(3);
    }

    @Test
    void couplingWithAnAffineTransformerKeepsTheSeedsParameters() {
        Rng rng = new Rng(1);
        Mlp net = new Mlp(new int[] {2, 4, 4}, Activation.RELU, rng, DType.FLOAT64);
        Coupling c = new Coupling(new double[] {1, 0}, new MlpConditioner(net, 0), AffineTransformer.tanhScaled(),
                DType.FLOAT64);
        assertThat(c.parameters()).isEqualTo(net.parameters());
    }

    @Test
    void embeddedContextFeedsTheEmbeddingToEveryLayer() {
        Rng rng = new Rng(4);
        MadeConditioner made = new MadeConditioner(2, 3, new int[] {8}, 2, Activation.RELU, rng, DType.FLOAT64);
        MaskedAutoregressive maf = new MaskedAutoregressive(made, AffineTransformer.tanhScaled());
        Mlp emb = new Mlp(new int[] {5, 8, 3}, Activation.RELU, rng, DType.FLOAT64);
        EmbeddedContext t = new EmbeddedContext(maf, emb);
        Tensor x = Tensor.randn(rng, DType.FLOAT64, 4, 2);
        Tensor ctx = Tensor.randn(rng, DType.FLOAT64, 4, 5);
        assertThat(t.forward(x, ctx).y().toDoubleArray()).containsExactly(maf.forward(x, emb.forward(ctx)).y().toDoubleArray());
        assertThat(t.parameters()).hasSize(maf.parameters().size() + emb.parameters().size());
        assertThat(t.contextDim()).isEqualTo(5);
        assertThatThrownBy(() -> t.forward(x, null)).hasMessageContaining("context");
        assertThatThrownBy(() -> t.forward(x, Tensor.zeros(DType.FLOAT64, 4, 3))).hasMessageContaining("[batch, 5]");
    }
}
