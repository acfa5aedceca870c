package org.flows4j.transforms;

import java.util.List;
import org.flows4j.tensor.Tensor;

/**
 * The inverse of a transform: forward and inverse swapped (log-dets follow). Wrapping a masked
 * autoregressive transform gives an inverse autoregressive flow (IAF, Kingma et al. 2016):
 * sampling in one pass, density evaluation in D passes.
 */
public final class Inverse implements Transform {
    private final Transform inner;

    public Inverse(Transform inner) {
        this.inner = java.util.Objects.requireNonNull(inner, "inner");
    }

    /** The inverse of {@code t}, unwrapping a double inverse. */
    public static Transform of(Transform t) {
        return t instanceof Inverse inv ? inv.inner : new Inverse(t);
    }

    public Transform inner() {
        return inner;
    }

    @Override
    public int dim() {
        return inner.dim();
    }

    @Override
    public Result forward(Tensor x, Tensor context) {
        return inner.inverse(x, context);
    }

    @Override
    public Result inverse(Tensor y, Tensor context) {
        return inner.forward(y, context);
    }

    @Override
    public List<Tensor> parameters() {
        return inner.parameters();
    }
}
