package org.flows4j.transforms;

import org.flows4j.nn.Module;
import org.flows4j.tensor.Tensor;

/** The network of a coupling layer: from the conditioning input (and context) to transformer parameters. */
public interface Conditioner extends Module {
    /** input [batch, D] (already masked), context [batch, c] or null; returns [batch, P * D]. */
    Tensor apply(Tensor input, Tensor context);

    /** Width of the context this conditioner expects (0 for none). */
    int contextDim();
}
