package org.flows4j.sbi;

import org.flows4j.tensor.Rng;

/**
 * A stochastic simulator x ~ p(x | theta). Implementations must be thread-safe (no mutable state
 * shared between calls) so that {@link Simulations} can run them on all cores. A simulation that
 * fails may write NaN or infinity into x; such rows are dropped and counted.
 */
public interface Simulator {
    int thetaDim();

    int xDim();

    /** Simulates one x for theta into {@code x} (length xDim), drawing noise from {@code rng}. */
    void simulate(double[] theta, Rng rng, double[] x);

    /** What a simulator does for one theta (see {@link #simulate}). */
    @FunctionalInterface
    interface Body {
        void simulate(double[] theta, Rng rng, double[] x);
    }

    /** A simulator of the given dimensions running {@code body}, which must keep no shared mutable state. */
    static Simulator of(int thetaDim, int xDim, Body body) {
        java.util.Objects.requireNonNull(body, "body");
        if (thetaDim < 1 || xDim < 1) {
            throw new IllegalArgumentException("simulator dimensions must be positive, got " + thetaDim + " and " + xDim);
        }
        return new Simulator() {
            @Override
            public int thetaDim() {
                return thetaDim;
            }

            @Override
            public int xDim() {
                return xDim;
            }

            @Override
            public void simulate(double[] theta, Rng rng, double[] x) {
                body.simulate(theta, rng, x);
            }
        };
    }
}
