package org.flows4j.transforms;

import java.util.Arrays;
import java.util.List;
import org.flows4j.tensor.Tensor;

/**
 * A masked autoregressive transform (MAF, Papamakarios et al. 2017): {@code z_i = f(x_i;
 * made(x_{<i}, context))} with any elementwise transformer f. The forward direction (data to base,
 * density evaluation) takes one network pass; the inverse (sampling) takes D passes, coordinate by
 * coordinate. Wrap in {@link Inverse} for an inverse autoregressive flow (IAF), which swaps the
 * costs.
 */
public final class MaskedAutoregressive implements Transform {
    private final MadeConditioner made;
    private final ElementwiseTransformer transformer;

    public MaskedAutoregressive(MadeConditioner made, ElementwiseTransformer transformer) {
        if (made.paramsPerDim() != transformer.paramsPerDim()) {
            throw new IllegalArgumentException("the MADE network gives " + made.paramsPerDim()
                    + " parameters per coordinate but the transformer needs " + transformer.paramsPerDim());
        }
        this.made = made;
        this.transformer = transformer;
    }

    public MadeConditioner conditioner() {
        return made;
    }

    public ElementwiseTransformer transformer() {
        return transformer;
    }

    @Override
    public int dim() {
        return made.dim();
    }

    private void check(Tensor x) {
        if (x.rank() != 2 || x.size(1) != dim()) {
            throw new IllegalArgumentException("expected points of shape [batch, " + dim() + "], got "
                    + Arrays.toString(x.shape()));
        }
    }

    @Override
    public Result forward(Tensor x, Tensor context) {
        check(x);
        ElementwiseTransformer.Output out = transformer.forward(x, made.apply(x, context));
        return new Result(out.y(), out.logAbsDerivative().sum(1, false));
    }

    @Override
    public Result inverse(Tensor z, Tensor context) {
        check(z);
        // After pass k, coordinates 0..k-1 of x are exact (they only depend on earlier ones).
        Tensor x = Tensor.zerosLike(z);
        ElementwiseTransformer.Output out = null;
        for (int pass = 0; pass < dim(); pass++) {
            out = transformer.inverse(z, made.apply(x, context));
            x = out.y();
        }
        return new Result(x, out.logAbsDerivative().sum(1, false));
    }

    @Override
    public List<Tensor> parameters() {
        List<Tensor> ps = new java.util.ArrayList<>(made.parameters());
        if (transformer instanceof org.flows4j.nn.Module m) {
            ps.addAll(m.parameters());
        }
        return ps;
    }
}
