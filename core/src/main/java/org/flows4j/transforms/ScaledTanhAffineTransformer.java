package org.flows4j.transforms;

import java.util.List;
import org.flows4j.nn.Module;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Tensor;

/**
 * The affine coupling transformer of the stochastic-normalizing-flows paper (Wu, Koehler and Noe
 * 2020): {@code y = x * exp(s) + t} with log-scale {@code s = exp(logAlpha) * tanh(raw s)}, where
 * {@code logAlpha} is trainable (initialised to -1, as in the paper). Parameters per coordinate
 * (from the conditioner): raw s, t, in the chunk layout.
 *
 * <p>The paper uses one scalar alpha per layer ({@link #perLayer}); {@link #perDimension} gives one
 * alpha per coordinate instead. Coupling layers include {@link #parameters()} in theirs.
 */
public final class ScaledTanhAffineTransformer implements ElementwiseTransformer, Module {
    /** The paper's initial log(alpha). */
    public static final double INITIAL_LOG_ALPHA = -1.0;

    private final Tensor logAlpha;

    private ScaledTanhAffineTransformer(int size, double initialLogAlpha, DType dtype) {
        this.logAlpha = Tensor.full(dtype, initialLogAlpha, size).requireGrad();
    }

    /** One trainable alpha for the whole layer (the paper's definition), log alpha = -1 initially. */
    public static ScaledTanhAffineTransformer perLayer(DType dtype) {
        return new ScaledTanhAffineTransformer(1, INITIAL_LOG_ALPHA, dtype);
    }

    /** One trainable alpha per coordinate, log alpha = -1 initially. */
    public static ScaledTanhAffineTransformer perDimension(int dim, DType dtype) {
        if (dim < 1) {
            throw new IllegalArgumentException("dimension must be >= 1, got " + dim);
        }
        return new ScaledTanhAffineTransformer(dim, INITIAL_LOG_ALPHA, dtype);
    }

    public Tensor logAlpha() {
        return logAlpha;
    }

    @Override
    public int paramsPerDim() {
        return 2;
    }

    private Tensor logScale(Tensor params, int dim) {
        if (logAlpha.numel() != 1 && logAlpha.numel() != dim) {
            throw new IllegalArgumentException("this transformer has " + logAlpha.numel() + " alphas for " + dim
                    + " coordinates");
        }
        return ElementwiseTransformer.param(params, 0, dim).tanh().mul(logAlpha.exp());
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

    @Override
    public List<Tensor> parameters() {
        return List.of(logAlpha);
    }
}
