package org.flows4j.distributions;

import java.util.List;
import org.flows4j.nn.Module;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;

/** A distribution over R^dim with a log-density and a sampler, batched over rows. */
public interface Distribution extends Module {
    int dim();

    /** Log-density of each row of x [batch, dim], shape [batch]. */
    Tensor logProb(Tensor x);

    /** n independent draws, shape [n, dim]. */
    Tensor sample(int n, Rng rng, DType dtype);

    @Override
    default List<Tensor> parameters() {
        return List.of();
    }
}
