package org.flows4j.distributions;

import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;

/** The standard normal N(0, I) on R^dim. */
public record StandardNormal(int dim) implements Distribution {
    private static final double LOG_2PI = Math.log(2 * Math.PI);

    public StandardNormal {
        if (dim < 1) {
            throw new IllegalArgumentException("dimension must be >= 1, got " + dim);
        }
    }

    @Override
    public Tensor logProb(Tensor x) {
        checkShape(x, dim);
        return x.square().sum(1, false).mul(-0.5).sub(0.5 * dim * LOG_2PI);
    }

    @Override
    public Tensor sample(int n, Rng rng, DType dtype) {
        return Tensor.randn(rng, dtype, n, dim);
    }

    static void checkShape(Tensor x, int dim) {
        if (x.rank() != 2 || x.size(1) != dim) {
            throw new IllegalArgumentException("expected points of shape [batch, " + dim + "], got "
                    + java.util.Arrays.toString(x.shape()));
        }
    }
}
