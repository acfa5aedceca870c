package org.flows4j.sbi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.flows4j.flows.Flow;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;
import org.flows4j.transforms.Transform;
import org.junit.jupiter.api.Test;

class SbiNsfTest {
    /** Randomises every parameter so the test does not ride on near-identity initial values. */
    static void perturb(Flow f, Rng rng) {
        for (Tensor p : f.parameters()) {
            float[] v = p.rawFloats();
            for (int i = 0; i < v.length; i++) {
                v[i] += (float) (0.3 * rng.nextGaussian());
            }
        }
    }

    @Test
    void inverseUndoesForwardWithOppositeLogDeterminant() {
        Rng rng = new Rng(5);
        Flow f = SbiNsf.build(3, 2, 5, 10, 3.0, 16, 2, rng);
        perturb(f, rng);
        int n = 64;
        float[] xs = new float[n * 3];
        float[] cs = new float[n * 2];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = (float) (2 * rng.nextGaussian());
        }
        for (int i = 0; i < cs.length; i++) {
            cs[i] = (float) rng.nextGaussian();
        }
        Tensor x = Tensor.of(xs, n, 3);
        Tensor c = Tensor.of(cs, n, 2);
        Transform t = f.transform();
        Transform.Result fw = t.forward(x, c);
        Transform.Result bw = t.inverse(fw.y(), c);
        for (int i = 0; i < n * 3; i++) {
            assertThat(bw.y().getFlat(i)).isCloseTo(xs[i], within(2e-3));
        }
        for (int i = 0; i < n; i++) {
            assertThat(fw.logAbsDet().getFlat(i) + bw.logAbsDet().getFlat(i)).isCloseTo(0, within(2e-3));
        }
    }

    @Test
    void contextGatesChangeTheDensityAndEveryLayerIsTrainable() {
        Rng rng = new Rng(6);
        Flow f = SbiNsf.build(2, 3, 5, 10, 3.0, 50, 2, rng);
        // 5 couplings of (initial, 2 x (gate, first, second), last) = 8 linear layers, plus 5 LU layers of 4
        assertThat(f.parameters()).hasSize(5 * (8 * 2 + 4));
        perturb(f, rng);
        Tensor x = Tensor.of(new float[] {0.3f, -0.2f}, 1, 2);
        double a = f.logProb(x, Tensor.of(new float[] {0, 0, 0}, 1, 3)).getFlat(0);
        double b = f.logProb(x, Tensor.of(new float[] {1, -1, 2}, 1, 3)).getFlat(0);
        assertThat(Double.isFinite(a) && Double.isFinite(b)).isTrue();
        assertThat(a).isNotEqualTo(b);
    }
}
