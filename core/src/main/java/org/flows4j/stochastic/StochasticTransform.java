package org.flows4j.stochastic;

import java.util.List;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;
import org.flows4j.transforms.Transform;

/**
 * A stochastic flow layer (Wu, Koehler and Noe 2020): an ordinary {@link Transform} whose output
 * is drawn from a transition density q(y -> y') rather than computed. In place of log|det J| its
 * {@link Transform.Result} carries dS = log q_backward(y' -> y) - log q_forward(y -> y'), the log
 * ratio of backward to forward transition densities along the path it took, so that summing the
 * log-dets of a flow gives the path weight log w = -u_X(x) + u_Z(z) + sum_t dS_t exactly as for a
 * deterministic flow. Both directions ({@link #forward}, data to base, and {@link #inverse}, base
 * to data) run the same kernel.
 *
 * <p>Randomness: every layer draws from its own {@link Rng}, given at construction; a run is
 * reproducible from the seeds of those generators. {@link #setRng} replaces it (for instance to
 * evaluate a trained model from a fixed seed; {@link StochasticLayers#reseed} does it for every
 * stochastic layer of a flow). Context tensors are accepted and ignored.
 */
public interface StochasticTransform extends Transform {
    /** The generator this layer draws from. */
    Rng rng();

    /** Makes this layer draw from {@code rng} from now on. */
    void setRng(Rng rng);

    /** Number of elementary steps (MC moves or integration steps) per application. */
    int steps();

    /**
     * Runs the kernel once (as {@link #forward} does, drawing from the same generator) without
     * recording gradients, and returns every intermediate state: states.get(0) is x, the last is
     * the output; for tests and pictures.
     */
    Trajectory trajectory(Tensor x);

    /** The states y_0 = x, y_1, ..., y_steps of one application, and its dS. */
    record Trajectory(List<Tensor> states, Tensor dS) {}
}
