package org.flows4j.transforms;

import java.util.List;
import org.flows4j.nn.Module;
import org.flows4j.tensor.Tensor;

/**
 * An invertible map of R^dim, optionally conditioned on a context. {@link #forward} goes from data
 * to the base space (the normalizing direction, the one density evaluation uses); {@link #inverse}
 * from base to data (the one sampling uses). Both return the outputs and log|det J| of the map
 * they applied, one value per row.
 */
public interface Transform extends Module {
    /** Number of coordinates this transform acts on. */
    int dim();

    /** x [batch, dim] to y [batch, dim]; context is [batch, c] or null. */
    Result forward(Tensor x, Tensor context);

    /** The inverse of {@link #forward}; its log-det is log|det d(inverse)/dy|. */
    Result inverse(Tensor y, Tensor context);

    default Result forward(Tensor x) {
        return forward(x, null);
    }

    default Result inverse(Tensor y) {
        return inverse(y, null);
    }

    @Override
    default List<Tensor> parameters() {
        return List.of();
    }

    /** Outputs and log|det J| per row (shape [batch]). */
    record Result(Tensor y, Tensor logAbsDet) {}
}
