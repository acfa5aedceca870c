package org.flows4j.distributions;

import java.util.List;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;

/**
 * A normal distribution with diagonal covariance and trainable mean and log standard deviations:
 * {@code N(loc, diag(exp(logScale)^2))}. Starts as N(0, I). Samples are reparameterised
 * ({@code loc + exp(logScale) * eps}), so gradients flow from samples to the parameters.
 */
public final class DiagonalNormal implements Distribution {
    private static final double LOG_2PI = Math.log(2 * Math.PI);

    private final Tensor loc;
    private final Tensor logScale;

    /** N(0, I), trainable. */
    public DiagonalNormal(int dim, DType dtype) {
        this(Tensor.zeros(dtype, checkDim(dim)), Tensor.zeros(dtype, dim));
    }

    /** N(loc, diag(exp(logScale)^2)), trainable; the tensors are copied. */
    public DiagonalNormal(Tensor loc, Tensor logScale) {
        if (loc.rank() != 1 || logScale.rank() != 1 || loc.size(0) != logScale.size(0)
                || loc.dtype() != logScale.dtype()) {
            throw new IllegalArgumentException("loc and logScale must be vectors of the same length and dtype");
        }
        checkDim(loc.size(0));
        this.loc = loc.copy().requireGrad();
        this.logScale = logScale.copy().requireGrad();
    }

    private static int checkDim(int dim) {
        if (dim < 1) {
            throw new IllegalArgumentException("dimension must be >= 1, got " + dim);
        }
        return dim;
    }

    public Tensor loc() {
        return loc;
    }

    public Tensor logScale() {
        return logScale;
    }

    @Override
    public int dim() {
        return loc.size(0);
    }

    @Override
    public Tensor logProb(Tensor x) {
        StandardNormal.checkShape(x, dim());
        Tensor z = x.sub(loc).mul(logScale.neg().exp());
        return z.square().sum(1, false).mul(-0.5).sub(logScale.sum()).sub(0.5 * dim() * LOG_2PI);
    }

    @Override
    public Tensor sample(int n, Rng rng, DType dtype) {
        Tensor eps = Tensor.randn(rng, loc.dtype(), n, dim());
        return eps.mul(logScale.exp()).add(loc).to(dtype);
    }

    @Override
    public List<Tensor> parameters() {
        return List.of(loc, logScale);
    }
}
