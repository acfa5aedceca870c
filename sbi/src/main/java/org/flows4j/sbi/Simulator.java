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
}
