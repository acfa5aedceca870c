package org.flows4j.stochastic;

import java.util.ArrayList;
import java.util.List;
import org.flows4j.energy.Energy;
import org.flows4j.energy.InterpolatedEnergy;
import org.flows4j.tensor.Rng;
import org.flows4j.transforms.Composite;
import org.flows4j.transforms.Transform;

/** Helpers for flows with stochastic layers. */
public final class StochasticLayers {
    private StochasticLayers() {}

    /** The stochastic layers of a transform, in order (looking inside composites). */
    public static List<StochasticTransform> of(Transform t) {
        List<StochasticTransform> out = new ArrayList<>();
        collect(t, out);
        return out;
    }

    private static void collect(Transform t, List<StochasticTransform> out) {
        if (t instanceof StochasticTransform s) {
            out.add(s);
        } else if (t instanceof Composite c) {
            for (Transform p : c.parts()) {
                collect(p, out);
            }
        }
    }

    /** Gives every stochastic layer of {@code t} a generator split from {@code rng}, in order. */
    public static void reseed(Transform t, Rng rng) {
        for (StochasticTransform s : of(t)) {
            s.setRng(rng.split());
        }
    }

    /** True if {@code t} contains a stochastic layer. */
    public static boolean isStochastic(Transform t) {
        return !of(t).isEmpty();
    }

    /**
     * The paper's linear annealing schedule lambda_t = t / T for t = 0..T (T + 1 values): block t of
     * T + 1 stochastic blocks samples u_lambda = (1 - lambda_t) u_prior + lambda_t u_target.
     */
    public static double[] linearSchedule(int lastIndex) {
        if (lastIndex < 0) {
            throw new IllegalArgumentException("schedule length must be >= 0, got " + lastIndex);
        }
        double[] l = new double[lastIndex + 1];
        for (int t = 0; t <= lastIndex; t++) {
            l[t] = lastIndex == 0 ? 1.0 : (double) t / lastIndex;
        }
        return l;
    }

    /** u_lambda = (1 - lambda) u_prior + lambda u_target. */
    public static Energy interpolated(Energy prior, Energy target, double lambda) {
        return new InterpolatedEnergy(prior, target, lambda);
    }
}
