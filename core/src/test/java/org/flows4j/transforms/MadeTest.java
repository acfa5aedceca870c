package org.flows4j.transforms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.flows4j.flows.FlowTestSupport;
import org.flows4j.nn.Activation;
import org.flows4j.tensor.Autograd;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

/** MADE masks and the masked autoregressive transform: the autoregressive property, exactly. */
class MadeTest {

    /** d output[o] / d input[j] for one row, by autodiff: [P*D][D + c]. */
    static double[][] networkJacobian(MadeConditioner made, double[] x, double[] ctx) {
        int d = x.length;
        Tensor in = Tensor.of(x, 1, d).requireGrad();
        Tensor c = ctx == null ? null : Tensor.of(ctx, 1, ctx.length).requireGrad();
        Tensor out = made.apply(in, c);
        int m = out.size(1);
        double[][] jac = new double[m][];
        for (int o = 0; o < m; o++) {
            double[] e = new double[m];
            e[o] = 1;
            List<Tensor> g = Autograd.grad(out, c == null ? List.of(in) : List.of(in, c), Tensor.of(e, 1, m), false);
            double[] row = new double[d + (ctx == null ? 0 : ctx.length)];
            System.arraycopy(g.get(0).toDoubleArray(), 0, row, 0, d);
            if (c != null) {
                System.arraycopy(g.get(1).toDoubleArray(), 0, row, d, ctx.length);
            }
            jac[o] = row;
        }
        return jac;
    }

    @RepeatedTest(8)
    void outputsOfCoordinateIDependOnlyOnEarlierCoordinatesAndOnTheWholeContext(RepetitionInfo info) {
        Rng rng = new Rng(info.getCurrentRepetition());
        int dim = info.getCurrentRepetition() == 1 ? 1 : 1 + rng.nextInt(16);
        int ctx = info.getCurrentRepetition() % 2 == 0 ? 0 : 1 + rng.nextInt(3);
        int hiddenLayers = rng.nextInt(3);
        int[] hidden = new int[hiddenLayers];
        java.util.Arrays.fill(hidden, 3 * dim + 8);
        int p = 1 + rng.nextInt(4);
        MadeConditioner made = new MadeConditioner(dim, ctx, hidden, p, Activation.TANH, rng, DType.FLOAT64);
        TransformChecks.perturb(made, rng, 0.1);
        boolean[][] reached = new boolean[p * dim][dim + ctx];
        for (int trial = 0; trial < 3; trial++) {
            double[] x = Tensor.randn(rng, DType.FLOAT64, dim).toDoubleArray();
            double[] c = ctx == 0 ? null : Tensor.randn(rng, DType.FLOAT64, ctx).toDoubleArray();
            double[][] jac = networkJacobian(made, x, c);
            for (int o = 0; o < p * dim; o++) {
                int i = o % dim;
                for (int j = 0; j < dim + ctx; j++) {
                    if (j < dim && j >= i) {
                        assertThat(jac[o][j]).as("d param %d of coordinate %d / d x_%d", o / dim, i, j).isEqualTo(0.0);
                    }
                    reached[o][j] |= jac[o][j] != 0;
                }
            }
        }
        // with wide enough hidden layers every allowed connection is used: coordinate i's
        // parameters see every earlier coordinate (through hidden units) and the whole context
        for (int o = 0; o < p * dim; o++) {
            int i = o % dim;
            for (int j = 0; j < dim + ctx; j++) {
                boolean allowed = j >= dim || j < i;
                if (allowed) {
                    assertThat(reached[o][j]).as("output %d reaches input %d", o, j).isTrue();
                }
            }
        }
    }

    @RepeatedTest(4)
    void mafJacobianIsLowerTriangularAndItsDiagonalGivesTheLogDet(RepetitionInfo info) {
        Rng rng = new Rng(40 + info.getCurrentRepetition());
        int dim = 2 + rng.nextInt(10);
        int ctx = info.getCurrentRepetition() % 2;
        ElementwiseTransformer tr = info.getCurrentRepetition() <= 2 ? new RationalQuadraticSpline(6, 2)
                : AffineTransformer.tanhScaled();
        MaskedAutoregressive maf = new MaskedAutoregressive(
                new MadeConditioner(dim, ctx, new int[] {24, 24}, tr.paramsPerDim(), Activation.RELU, rng, DType.FLOAT64), tr);
        double[] x = Tensor.randn(rng, DType.FLOAT64, dim).toDoubleArray();
        Tensor c = ctx == 0 ? null : Tensor.randn(rng, DType.FLOAT64, 1, ctx);
        for (boolean inverse : new boolean[] {false, true}) {
            double[][] jac = FlowTestSupport.jacobian(maf, x, inverse, c);
            double sumLogDiag = 0;
            for (int i = 0; i < dim; i++) {
                for (int j = i + 1; j < dim; j++) {
                    assertThat(jac[i][j]).as("dy_%d/dx_%d (inverse=%s)", i, j, inverse).isEqualTo(0.0);
                }
                sumLogDiag += Math.log(Math.abs(jac[i][i]));
            }
            Tensor row = Tensor.of(x, 1, dim);
            double ld = (inverse ? maf.inverse(row, c) : maf.forward(row, c)).logAbsDet().item();
            assertThat(ld).isCloseTo(sumLogDiag, org.assertj.core.data.Offset.offset(1e-9));
        }
    }

    @Test
    void contextReachesCoordinateZero() {
        Rng rng = new Rng(3);
        MadeConditioner made = new MadeConditioner(4, 2, new int[] {16}, 2, Activation.RELU, rng, DType.FLOAT64);
        double[][] jac = networkJacobian(made, new double[] {0.1, -0.2, 0.3, 0.4}, new double[] {0.5, -1});
        assertThat(jac[0][4] != 0 || jac[0][5] != 0).as("coordinate 0's first parameter depends on the context").isTrue();
    }

    @Test
    void oneDimensionalMafIsALearnedElementwiseMap() {
        Rng rng = new Rng(4);
        MadeConditioner made = new MadeConditioner(1, 0, new int[] {8}, 2, Activation.RELU, rng, DType.FLOAT64);
        MaskedAutoregressive maf = new MaskedAutoregressive(made, AffineTransformer.tanhScaled());
        Tensor x = Tensor.randn(rng, DType.FLOAT64, 6, 1);
        double[] ld = maf.forward(x).logAbsDet().toDoubleArray();
        for (double v : ld) {
            assertThat(v).as("same (constant) parameters for every row").isEqualTo(ld[0]);
        }
        TransformChecks.assertClose("round trip", maf.inverse(maf.forward(x).y()).y().toDoubleArray(), x.toDoubleArray(),
                1e-14);
    }

    @Test
    void parameterCountsAndChecks() {
        Rng rng = new Rng(5);
        MadeConditioner made = new MadeConditioner(3, 1, new int[] {8, 8}, 2, Activation.RELU, rng, DType.FLOAT32);
        // (4*8 + 8) + (8*8 + 8) + (8*6 + 6)
        assertThat(made.parameterCount()).isEqualTo(40 + 72 + 54);
        assertThat(made.layers().get(2).mask().toDoubleArray()).contains(0.0, 1.0);
        assertThatThrownBy(() -> made.apply(Tensor.zeros(DType.FLOAT32, 2, 3), null)).hasMessageContaining("context");
        assertThatThrownBy(() -> new MaskedAutoregressive(made, new RationalQuadraticSpline(4, 3)))
                .hasMessageContaining("parameters per coordinate");
        assertThatThrownBy(() -> new MadeConditioner(0, 0, new int[0], 1, Activation.RELU, rng, DType.FLOAT32))
                .hasMessageContaining("dimension");
    }
}
