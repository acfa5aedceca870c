package org.flows4j.transforms;

import org.flows4j.tensor.Tensor;

/**
 * A monotone map applied to each coordinate separately, with parameters per coordinate that a
 * conditioner (a coupling network, an autoregressive network) supplies. For D coordinates and P
 * parameters per coordinate, {@code params} is [batch, P * D] and parameter p of coordinate i sits
 * in column {@code p * D + i} (so the first D columns are everyone's first parameter: PyTorch's
 * {@code chunk} layout).
 */
public interface ElementwiseTransformer {
    int paramsPerDim();

    /** y = f(x) and log|f'(x)| per element, both [batch, D]. */
    Output forward(Tensor x, Tensor params);

    /** x = f^-1(y) and log|(f^-1)'(y)| per element, both [batch, D]. */
    Output inverse(Tensor y, Tensor params);

    /** Outputs and elementwise log|derivative|. */
    record Output(Tensor y, Tensor logAbsDerivative) {}

    /** Columns of parameter p for all D coordinates. */
    static Tensor param(Tensor params, int p, int dim) {
        return params.slice(1, p * dim, (p + 1) * dim);
    }
}
