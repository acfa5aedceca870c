package org.flows4j.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class AdamStateTest {

    private static List<Tensor> grads(Rng rng, List<Tensor> params) {
        return params.stream().map(p -> Tensor.randn(rng, p.dtype(), p.shape())).toList();
    }

    @Test
    void restoredOptimizerTakesTheSameStepsBitForBit() {
        for (DType dt : DType.values()) {
            Linear a = new Linear(3, 4, new Rng(1), dt);
            Linear b = new Linear(3, 4, new Rng(1), dt);
            Adam adamA = new Adam(a.parameters(), 1e-2);
            Rng ga = new Rng(5);
            for (int i = 0; i < 7; i++) {
                adamA.step(grads(ga, a.parameters()));
            }
            // b catches up by copying a's weights and optimizer state, then both continue
            for (int k = 0; k < 2; k++) {
                Tensor src = a.parameters().get(k);
                Tensor dst = b.parameters().get(k);
                if (dt == DType.FLOAT32) {
                    System.arraycopy(src.rawFloats(), 0, dst.rawFloats(), 0, src.numel());
                } else {
                    System.arraycopy(src.rawDoubles(), 0, dst.rawDoubles(), 0, src.numel());
                }
            }
            Adam adamB = new Adam(b.parameters(), 1e-2);
            adamB.restore(adamA.state());
            assertThat(adamB.steps()).isEqualTo(7);
            Rng gb = Rng.of(ga.state());
            for (int i = 0; i < 5; i++) {
                adamA.step(grads(ga, a.parameters()));
                adamB.step(grads(gb, b.parameters()));
            }
            assertThat(b.weight().toDoubleArray()).isEqualTo(a.weight().toDoubleArray());
            assertThat(b.bias().toDoubleArray()).isEqualTo(a.bias().toDoubleArray());
        }
    }

    @Test
    void stateIsACopyAndRestoreChecksShapes() {
        Linear a = new Linear(2, 2, new Rng(1), DType.FLOAT64);
        Adam adam = new Adam(a.parameters(), 1e-3);
        adam.step(grads(new Rng(2), a.parameters()));
        Adam.State s = adam.state();
        double before = s.m().get(0).getFlat(0);
        s.m().get(0).rawDoubles()[0] = 42;
        assertThat(s.m().get(0).getFlat(0)).isEqualTo(before);
        Adam other = new Adam(new Linear(2, 3, new Rng(1), DType.FLOAT64).parameters(), 1e-3);
        assertThatThrownBy(() -> other.restore(s)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("parameter 0");
        List<Tensor> bad = s.v();
        bad.get(1).rawDoubles()[0] = -1;
        assertThatThrownBy(() -> adam.restore(new Adam.State(1, s.m(), bad)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative");
    }
}
