package org.flows4j.snf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.flows4j.energy.DoubleWell;
import org.flows4j.energy.Energy;
import org.flows4j.energy.GaussianMixtureEnergy;
import org.flows4j.stochastic.StochasticLayers;
import org.flows4j.stochastic.StochasticTransform;
import org.flows4j.tensor.Autograd;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The fused SNF training step against the autodiff path: same losses, same gradients, same random draws. */
class FusedSnfTest {
    /** Prints each gradient's error against the float64 reference and the float32 autodiff path's. */
    private static final boolean DEBUG = false;

    private record Case(String name, Energy target, int dim, SnfBuilder.Couplings couplings,
            SnfBuilder.Stochastic stochastic, boolean trainableStep, int[] hidden) {}

    private static List<Case> cases() {
        Energy dw = DoubleWell.paper(2);
        Energy gm3 = GaussianMixtureEnergy.gaussian(new double[] {1.0, -0.5, 0.3}, new double[] {0.5, 0.8, 1.2});
        List<Case> cs = new ArrayList<>();
        for (SnfBuilder.Couplings c : SnfBuilder.Couplings.values()) {
            cs.add(new Case("dw " + c + " flow", dw, 2, c, SnfBuilder.Stochastic.NONE, false, new int[] {64, 64}));
            cs.add(new Case("dw " + c + " mc", dw, 2, c, SnfBuilder.Stochastic.METROPOLIS, false, new int[] {64, 64}));
            cs.add(new Case("dw " + c + " adaptive mc", dw, 2, c, SnfBuilder.Stochastic.METROPOLIS, true,
                    new int[] {20, 12}));
            cs.add(new Case("3-d mixture " + c + " mc", gm3, 3, c, SnfBuilder.Stochastic.METROPOLIS, true,
                    new int[] {24, 8, 17}));
        }
        return cs;
    }

    private static List<Rng.State> states(BoltzmannGenerator bg, Rng rng) {
        List<Rng.State> s = new ArrayList<>();
        s.add(rng.state());
        for (StochasticTransform t : StochasticLayers.of(bg.transform())) {
            s.add(t.rng().state());
        }
        return s;
    }

    private static void restore(BoltzmannGenerator bg, Rng rng, List<Rng.State> s) {
        rng.restore(s.get(0));
        List<StochasticTransform> ts = StochasticLayers.of(bg.transform());
        for (int i = 0; i < ts.size(); i++) {
            ts.get(i).rng().restore(s.get(i + 1));
        }
    }

    @Test
    void fusedStepGivesTheAutodiffLossesAndGradients() {
        for (Case c : cases()) {
            Rng init = new Rng(21);
            BoltzmannGenerator bg = SnfBuilder.to(c.target()).dim(c.dim()).blocks(2).hidden(c.hidden())
                    .couplings(c.couplings()).spline(8, 2.5).stochastic(c.stochastic()).steps(5).stepSize(0.3)
                    .trainableStepSize(c.trainableStep()).build(init);
            Tensor data = Tensor.randn(init, DType.FLOAT32, 400, c.dim()).mul(1.4);
            // move the parameters off their initial values so every path (spline bins, tails) is exercised
            for (Tensor p : bg.parameters()) {
                float[] f = p.rawFloats();
                for (int i = 0; i < f.length; i++) {
                    f[i] += (float) (0.2 * init.nextGaussian());
                }
            }
            FusedSnf fused = FusedSnf.of(bg).orElseThrow();
            BoltzmannGenerator twin = SnfBuilder.to(c.target()).dim(c.dim()).blocks(2).hidden(c.hidden())
                    .couplings(c.couplings()).spline(8, 2.5).stochastic(c.stochastic()).steps(5).stepSize(0.3)
                    .trainableStepSize(c.trainableStep()).dtype(DType.FLOAT64).build(new Rng(21));
            for (int k = 0; k < bg.parameters().size(); k++) {
                double[] v = bg.parameters().get(k).toDoubleArray();
                System.arraycopy(v, 0, twin.parameters().get(k).rawDoubles(), 0, v.length);
            }
            Tensor data64 = data.to(DType.FLOAT64);
            for (double[] w : new double[][] {{1, 0}, {0.5, 0.5}, {0, 1}}) {
                Rng rng = new Rng(7);
                List<Rng.State> s0 = states(bg, rng);
                int b = 64;
                Tensor loss = null;
                double ml = Double.NaN;
                double kl = Double.NaN;
                List<Tensor> ref;
                try (Autograd.Scope ignored = Autograd.setGradEnabled(true)) {
                    if (w[0] > 0) {
                        Tensor j = bg.mlLoss(data.indexSelect(rng.randint(data.size(0), b)));
                        ml = j.item();
                        loss = j.mul(w[0]);
                    }
                    if (w[1] > 0) {
                        Tensor j = bg.klLoss(b, rng);
                        kl = j.item();
                        loss = loss == null ? j.mul(w[1]) : loss.add(j.mul(w[1]));
                    }
                    ref = Autograd.grad(loss, bg.parameters());
                }
                List<Rng.State> s1 = states(bg, rng);
                List<Tensor> ref64;
                {
                    Rng r64 = new Rng(7);
                    restore(twin, r64, s0);
                    Tensor l64 = null;
                    try (Autograd.Scope ignored = Autograd.setGradEnabled(true)) {
                        if (w[0] > 0) {
                            l64 = twin.mlLoss(data64.indexSelect(r64.randint(data.size(0), b))).mul(w[0]);
                        }
                        if (w[1] > 0) {
                            Tensor j = twin.klLoss(b, r64).mul(w[1]);
                            l64 = l64 == null ? j : l64.add(j);
                        }
                        ref64 = Autograd.grad(l64, twin.parameters());
                    }
                }
                restore(bg, rng, s0);
                FusedSnf.Losses got = fused.step(data, w[0], w[1], b, rng);
                assertThat(states(bg, rng)).as(c.name() + ": random draws").isEqualTo(s1);
                assertThat(got.loss()).as(c.name() + " loss").isCloseTo(loss.item(), within(2e-4 * (1 + Math.abs(loss.item()))));
                if (w[0] > 0) {
                    assertThat(got.ml()).as(c.name() + " ml").isCloseTo(ml, within(2e-4 * (1 + Math.abs(ml))));
                }
                if (w[1] > 0) {
                    assertThat(got.kl()).as(c.name() + " kl").isCloseTo(kl, within(2e-4 * (1 + Math.abs(kl))));
                }
                double global = 1e-6;
                for (Tensor t : ref) {
                    for (double v : t.toDoubleArray()) {
                        global = Math.max(global, Math.abs(v));
                    }
                }
                for (int k = 0; k < ref.size(); k++) {
                    double[] a = ref.get(k).toDoubleArray();
                    double[] f = fused.gradients().get(k).toDoubleArray();
                    double scale = 1e-6;
                    for (double v : a) {
                        scale = Math.max(scale, Math.abs(v));
                    }
                    double worst = 0;
                    double worst32 = 0;
                    double[] a64 = ref64.get(k).toDoubleArray();
                    for (int i = 0; i < a.length; i++) {
                        worst = Math.max(worst, Math.abs(f[i] - a64[i]) / scale);
                        worst32 = Math.max(worst32, Math.abs(a[i] - a64[i]) / scale);
                    }
                    if (DEBUG) {
                        System.out.printf("%s w=%.1f grad %d %s scale %.3g (global %.3g) fused-f64 %.2e f32-f64 %.2e%n",
                                c.name(), w[0], k, java.util.Arrays.toString(bg.parameters().get(k).shape()), scale,
                                global, worst, worst32);
                    }
                    for (int i = 0; i < a.length; i++) {
                        assertThat(f[i]).as(c.name() + " w=" + w[0] + " gradient " + k + "[" + i + "] of "
                                + java.util.Arrays.toString(bg.parameters().get(k).shape()))
                                .isCloseTo(a64[i], within(1e-3 * Math.max(scale, 1e-2 * global)));
                    }
                }
            }
        }
    }
}
