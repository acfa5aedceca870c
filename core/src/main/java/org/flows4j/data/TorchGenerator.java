package org.flows4j.data;

import java.util.List;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Tensor;

/**
 * PyTorch's CPU random generator after {@code torch.manual_seed(seed)} (an MT19937 seeded as
 * numpy's integer seeds are, see {@link NumpyRandomState}), for the draws the seed notebook
 * makes with it: {@code nn.Linear}'s default initialisation and {@code torch.randint}. With it a
 * flows4j run starts from the notebook's initial weights and trains on its minibatches, so the two
 * runs can be compared step for step (they agree to float rounding until rounding differences
 * grow, after a hundred or so steps). Bit for bit against torch 1.13 (tested on a recorded run).
 *
 * <p>Not thread-safe.
 */
public final class TorchGenerator {
    private final NumpyRandomState mt;

    /** As {@code torch.manual_seed(seed)}, seed in [0, 2<sup>32</sup>). */
    public TorchGenerator(long seed) {
        if (seed < 0 || seed > 0xffffffffL) {
            throw new IllegalArgumentException("a PyTorch-compatible seed must be in [0, 2^32), got " + seed);
        }
        mt = new NumpyRandomState(seed);
    }

    /**
     * One element of {@code tensor.uniform_(from, to)} on a float32 tensor: 24 random bits as a
     * number in [0, 1), scaled in double precision, rounded to float.
     */
    public float uniform(float from, float to) {
        double x = (mt.nextInt32Bits() & 0xFFFFFF) * 0x1p-24;
        return (float) (x * ((double) to - from) + from);
    }

    /** {@code torch.randint(0, bound, (out.length,))}: the 32-bit output modulo bound, in order. */
    public void randint(int bound, int[] out) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive, got " + bound);
        }
        for (int i = 0; i < out.length; i++) {
            out[i] = (int) (mt.nextUint32() % bound);
        }
    }

    /**
     * {@code nn.Linear.reset_parameters()}: the weight [out, in] (row-major)
     * from kaiming_uniform_(a = sqrt 5), then the bias from uniform(+-1/sqrt(in)), with the bounds
     * computed as PyTorch computes them in double precision.
     */
    public void initLinear(Tensor weight, Tensor bias) {
        if (weight.rank() != 2 || bias.rank() != 1 || bias.size(0) != weight.size(0)) {
            throw new IllegalArgumentException("expected a weight [out, in] and a bias [out], got "
                    + java.util.Arrays.toString(weight.shape()) + " and " + java.util.Arrays.toString(bias.shape()));
        }
        int fanIn = weight.size(1);
        double a = Math.sqrt(5.0);
        double gain = Math.sqrt(2.0 / (1 + a * a));
        double bound = Math.sqrt(3.0) * (gain / Math.sqrt(fanIn));
        fill(weight, bound);
        fill(bias, 1 / Math.sqrt(fanIn));
    }

    /**
     * Initialises parameters laid out as consecutive (weight [out, in], bias [out]) pairs of
     * Linear layers in module order, as constructing the same modules in PyTorch would.
     */
    public void initLinears(List<Tensor> parameters) {
        if (parameters.size() % 2 != 0) {
            throw new IllegalArgumentException("expected (weight, bias) pairs, got " + parameters.size() + " tensors");
        }
        for (int k = 0; k < parameters.size(); k += 2) {
            initLinear(parameters.get(k), parameters.get(k + 1));
        }
    }

    /** Float32 draws as the module is built; a float64 tensor gets them exactly (the seed's model cast with .double()). */
    private void fill(Tensor t, double bound) {
        float from = (float) -bound;
        float to = (float) bound;
        int n = t.numel();
        float[] f = t.dtype() == DType.FLOAT32 ? t.rawFloats() : null;
        double[] d = t.dtype() == DType.FLOAT64 ? t.rawDoubles() : null;
        if (f == null && d == null) {
            throw new IllegalArgumentException("expected a float32 or float64 tensor with its own storage");
        }
        for (int i = 0; i < n; i++) {
            float v = uniform(from, to);
            if (f != null) {
                f[i] = v;
            } else {
                d[i] = v;
            }
        }
    }
}
