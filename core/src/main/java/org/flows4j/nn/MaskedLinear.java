package org.flows4j.nn;

import java.util.List;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;

/**
 * A dense layer whose weight is multiplied by a fixed 0/1 mask: {@code y = x (W * M)^T + b}, with
 * W and M of shape [out, in] (PyTorch's layout). The building block of MADE (Germain et al. 2015).
 * Masked-out weights get zero gradient and never influence the output. Initialised as
 * {@link Linear}: W and b uniform in +-1/sqrt(in).
 */
public final class MaskedLinear implements Module {
    private final Tensor weight;
    private final Tensor bias;
    private final Tensor mask;

    /** @param mask [out][in] entries 0 or 1 */
    public MaskedLinear(double[][] mask, Rng rng, DType dtype) {
        int out = mask.length;
        int in = out == 0 ? 0 : mask[0].length;
        if (in < 1 || out < 1) {
            throw new IllegalArgumentException("MaskedLinear needs in >= 1 and out >= 1, got in=" + in + ", out=" + out);
        }
        double[] flat = new double[out * in];
        for (int o = 0; o < out; o++) {
            if (mask[o].length != in) {
                throw new IllegalArgumentException("mask rows have different lengths");
            }
            for (int i = 0; i < in; i++) {
                double m = mask[o][i];
                if (m != 0 && m != 1) {
                    throw new IllegalArgumentException("mask entries must be 0 or 1, got " + m);
                }
                flat[o * in + i] = m;
            }
        }
        double bound = 1.0 / Math.sqrt(in);
        this.weight = Tensor.uniform(rng, dtype, -bound, bound, out, in).requireGrad();
        this.bias = Tensor.uniform(rng, dtype, -bound, bound, out).requireGrad();
        this.mask = Tensor.of(dtype, flat, out, in);
    }

    public Tensor forward(Tensor x) {
        return Tensor.mm(x, weight.mul(mask), false, true).add(bias);
    }

    /** The raw (unmasked) weight [out, in]; only entries where the mask is 1 matter. */
    public Tensor weight() {
        return weight;
    }

    public Tensor bias() {
        return bias;
    }

    /** The fixed mask [out, in] (no gradient). */
    public Tensor mask() {
        return mask;
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
