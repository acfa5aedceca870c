package org.flows4j.transforms;

import org.flows4j.tensor.Tensor;

/**
 * y = x + t, one parameter (the shift t) per coordinate: the volume-preserving coupling of NICE
 * (Dinh et al. 2015). log|f'| = 0.
 */
public final class AdditiveTransformer implements ElementwiseTransformer {

    @Override
    public int paramsPerDim() {
        return 1;
    }

    @Override
    public Output forward(Tensor x, Tensor params) {
        Tensor t = ElementwiseTransformer.param(params, 0, x.size(1));
        return new Output(x.add(t), Tensor.zerosLike(x));
    }

    @Override
    public Output inverse(Tensor y, Tensor params) {
        Tensor t = ElementwiseTransformer.param(params, 0, y.size(1));
        return new Output(y.sub(t), Tensor.zerosLike(y));
    }
}
