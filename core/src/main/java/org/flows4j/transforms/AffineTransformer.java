package org.flows4j.transforms;

import org.flows4j.tensor.Tensor;

/**
 * y = x * exp(s) + t, with parameters (raw s, t). The log-scale is bounded as RealNVP
 * implementations commonly bound it: s = tanh(raw s) (the seed's choice), or unbounded.
 */
public final class AffineTransformer implements ElementwiseTransformer {
    /** How the raw scale parameter becomes the log-scale s. */
    public enum Scale {
        /** s = tanh(raw): |s| < 1, the seed's choice. */
        TANH,
        /** s = raw. */
        IDENTITY
    }

    private final Scale scale;

    public AffineTransformer(Scale scale) {
        this.scale = scale;
    }

    /** The seed's transformer: tanh-bounded log-scale. */
    public static AffineTransformer tanhScaled() {
        return new AffineTransformer(Scale.TANH);
    }

    public Scale scale() {
        return scale;
    }

    @Override
    public int paramsPerDim() {
        return 2;
    }

    private Tensor logScale(Tensor params, int dim) {
        Tensor raw = ElementwiseTransformer.param(params, 0, dim);
        return scale == Scale.TANH ? raw.tanh() : raw;
    }

    @Override
    public Output forward(Tensor x, Tensor params) {
        int dim = x.size(1);
        Tensor s = logScale(params, dim);
        Tensor t = ElementwiseTransformer.param(params, 1, dim);
        return new Output(x.mul(s.exp()).add(t), s);
    }

    @Override
    public Output inverse(Tensor y, Tensor params) {
        int dim = y.size(1);
        Tensor s = logScale(params, dim);
        Tensor t = ElementwiseTransformer.param(params, 1, dim);
        return new Output(y.sub(t).mul(s.neg().exp()), s.neg());
    }
}
