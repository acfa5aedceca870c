package org.flows4j.nn;

import java.util.List;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;

/**
 * A dense layer y = x W^T + b with W of shape [out, in] (PyTorch's layout), initialised as
 * PyTorch's nn.Linear is: W and b uniform in +-1/sqrt(in).
 */
public final class Linear implements Module {
    private final Tensor weight;
    private final Tensor bias;

    public Linear(int in, int out, Rng rng, DType dtype) {
        if (in < 1 || out < 1) {
            throw new IllegalArgumentException("Linear needs in >= 1 and out >= 1, got in=" + in + ", out=" + out);
        }
        double bound = 1.0 / Math.sqrt(in);
        this.weight = Tensor.uniform(rng, dtype, -bound, bound, out, in).requireGrad();
        this.bias = Tensor.uniform(rng, dtype, -bound, bound, out).requireGrad();
    }

    /** A layer holding the given tensors (copied into fresh trainable leaves). */
    public Linear(Tensor weight, Tensor bias) {
        if (weight.rank() != 2 || bias.rank() != 1 || bias.size(0) != weight.size(0)
                || weight.dtype() != bias.dtype()) {
            throw new IllegalArgumentException("Linear needs weight [out, in] and bias [out]");
        }
        this.weight = weight.copy().requireGrad();
        this.bias = bias.copy().requireGrad();
    }

    public Tensor forward(Tensor x) {
        return Tensor.mm(x, weight, false, true).add(bias);
    }

    public Tensor weight() {
        return weight;
    }

    public Tensor bias() {
        return bias;
    }

    public int in() {
        return weight.size(1);
    }

    public int out() {
        return weight.size(0);
    }

    @Override
    public List<Tensor> parameters() {
        return List.of(weight, bias);
    }
}
