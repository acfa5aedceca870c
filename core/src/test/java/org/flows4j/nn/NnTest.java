package org.flows4j.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.util.List;
import org.flows4j.tensor.Autograd;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class NnTest {

    @Test
    void linearInitialisedAsPyTorchUniformWithinInverseSqrtFanIn() {
        Linear l = new Linear(64, 200, new Rng(1), DType.FLOAT32);
        double bound = 1 / Math.sqrt(64);
        double[] w = l.weight().toDoubleArray();
        double max = 0;
        double sumSq = 0;
        for (double v : w) {
            max = Math.max(max, Math.abs(v));
            sumSq += v * v;
        }
        assertThat(max).isLessThanOrEqualTo(bound).isGreaterThan(0.99 * bound);
        // variance of U(-b, b) is b^2 / 3
        assertThat(sumSq / w.length).isCloseTo(bound * bound / 3, offset(0.05 * bound * bound / 3));
        for (double v : l.bias().toDoubleArray()) {
            assertThat(Math.abs(v)).isLessThanOrEqualTo(bound);
        }
        assertThat(l.weight().shape()).containsExactly(200, 64);
    }

    @Test
    void linearComputesXWTransposePlusBias() {
        Linear l = new Linear(Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3), Tensor.of(new double[] {0.5, -1}, 2));
        Tensor y = l.forward(Tensor.of(new double[] {1, 0, -1}, 1, 3));
        assertThat(y.toDoubleArray()).containsExactly(1 - 3 + 0.5, 4 - 6 - 1);
    }

    @Test
    void seededInitialisationIsReproducible() {
        Mlp a = new Mlp(new int[] {2, 8, 4}, Activation.RELU, new Rng(42), DType.FLOAT32);
        Mlp b = new Mlp(new int[] {2, 8, 4}, Activation.RELU, new Rng(42), DType.FLOAT32);
        for (int i = 0; i < a.parameters().size(); i++) {
            assertThat(a.parameters().get(i).toDoubleArray()).containsExactly(b.parameters().get(i).toDoubleArray());
        }
    }

    @Test
    void adamMatchesPyTorchUpdateFormula() {
        Tensor p = Tensor.of(new double[] {1.0, -2.0}, 2).requireGrad();
        Adam adam = new Adam(List.of(p), 0.1);
        double[] g1 = {0.5, -3};
        double[] g2 = {-1, 1};
        adam.step(List.of(Tensor.of(g1, 2)));
        adam.step(List.of(Tensor.of(g2, 2)));
        // by hand, torch.optim.Adam(lr=0.1) defaults
        double[] start = {1.0, -2.0};
        for (int i = 0; i < 2; i++) {
            double m = 0;
            double v = 0;
            double x = start[i];
            double[] gs = {g1[i], g2[i]};
            for (int t = 1; t <= 2; t++) {
                m = 0.9 * m + 0.1 * gs[t - 1];
                v = 0.999 * v + 0.001 * gs[t - 1] * gs[t - 1];
                double denom = Math.sqrt(v) / Math.sqrt(1 - Math.pow(0.999, t)) + 1e-8;
                x -= 0.1 / (1 - Math.pow(0.9, t)) * m / denom;
            }
            assertThat(p.toDoubleArray()[i]).isCloseTo(x, offset(1e-12));
        }
    }

    @Test
    void adamMinimisesAQuadratic() {
        Tensor p = Tensor.of(new double[] {3, -4}, 2).requireGrad();
        Adam adam = new Adam(List.of(p), 0.05);
        for (int i = 0; i < 2000; i++) {
            Tensor loss = p.sub(Tensor.of(new double[] {1, 2}, 2)).square().sum();
            adam.step(Autograd.grad(loss, List.of(p)));
        }
        assertThat(p.toDoubleArray()[0]).isCloseTo(1, offset(1e-3));
        assertThat(p.toDoubleArray()[1]).isCloseTo(2, offset(1e-3));
    }

    @Test
    void badSettingsAreRefused() {
        Tensor p = Tensor.zeros(DType.FLOAT32, 2).requireGrad();
        assertThatThrownBy(() -> new Adam(List.of(p), 0)).hasMessageContaining("learning rate");
        assertThatThrownBy(() -> new Adam(List.of(p), Double.NaN)).hasMessageContaining("learning rate");
        assertThatThrownBy(() -> new Linear(0, 3, new Rng(0), DType.FLOAT32)).isInstanceOf(IllegalArgumentException.class);
    }
}
