package org.flows4j.nn;

import java.util.List;
import org.flows4j.tensor.Tensor;

/** Anything with trainable parameters. Parameters are leaf tensors that require gradients. */
public interface Module {
    /** The trainable parameters, in a fixed order (the order optimizers and files use). */
    List<Tensor> parameters();

    /** Total number of trainable scalars. */
    default long parameterCount() {
        long n = 0;
        for (Tensor p : parameters()) {
            n += p.numel();
        }
        return n;
    }
}
