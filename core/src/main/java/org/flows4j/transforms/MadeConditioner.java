package org.flows4j.transforms;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.flows4j.nn.Activation;
import org.flows4j.nn.MaskedLinear;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;

/**
 * MADE (Germain et al. 2015): an MLP made autoregressive by 0/1 masks on its weights. Input
 * coordinate i has degree i + 1; each hidden unit gets a degree and sees only units of degree
 * {@code <=} its own; output column {@code p * D + i} (parameter p of coordinate i, the chunk layout
 * of {@link ElementwiseTransformer}) has degree i + 1 and sees only hidden units of strictly smaller
 * degree. So the parameters of coordinate i depend on coordinates {@code < i} only.
 *
 * <p>A context [batch, c] is concatenated to the input with degree 0: it reaches every hidden unit
 * and, through them, every output. Hidden degrees cycle through 1..D-1 without a context and through
 * 0..D-1 with one, so that even coordinate 0's parameters depend on the context (degree-0 units see
 * the context only). For D = 1 without context the network's output is a learned constant.
 */
public final class MadeConditioner implements Conditioner {
    private final int dim;
    private final int contextDim;
    private final int paramsPerDim;
    private final List<MaskedLinear> layers;
    private final Activation activation;

    /**
     * @param hidden widths of the hidden layers (may be empty: a single masked linear map)
     * @param paramsPerDim parameters per coordinate (the transformer's {@code paramsPerDim()})
     */
    public MadeConditioner(int dim, int contextDim, int[] hidden, int paramsPerDim, Activation activation, Rng rng,
            DType dtype) {
        if (dim < 1) {
            throw new IllegalArgumentException("dimension must be >= 1, got " + dim);
        }
        if (contextDim < 0) {
            throw new IllegalArgumentException("context dimension must be >= 0, got " + contextDim);
        }
        if (paramsPerDim < 1) {
            throw new IllegalArgumentException("parameters per coordinate must be >= 1, got " + paramsPerDim);
        }
        for (int h : hidden) {
            if (h < 1) {
                throw new IllegalArgumentException("hidden widths must be >= 1, got " + Arrays.toString(hidden));
            }
        }
        this.dim = dim;
        this.contextDim = contextDim;
        this.paramsPerDim = paramsPerDim;
        this.activation = activation;
        int[] prev = inputDegrees(dim, contextDim);
        List<MaskedLinear> ls = new ArrayList<>();
        for (int h : hidden) {
            int[] deg = hiddenDegrees(h, dim, contextDim > 0);
            double[][] mask = new double[h][prev.length];
            for (int o = 0; o < h; o++) {
                for (int i = 0; i < prev.length; i++) {
                    mask[o][i] = deg[o] >= prev[i] ? 1 : 0;
                }
            }
            ls.add(new MaskedLinear(mask, rng, dtype));
            prev = deg;
        }
        int out = paramsPerDim * dim;
        double[][] mask = new double[out][prev.length];
        for (int o = 0; o < out; o++) {
            int deg = o % dim + 1;
            for (int i = 0; i < prev.length; i++) {
                mask[o][i] = deg > prev[i] ? 1 : 0;
            }
        }
        ls.add(new MaskedLinear(mask, rng, dtype));
        this.layers = List.copyOf(ls);
    }

    static int[] inputDegrees(int dim, int contextDim) {
        int[] deg = new int[dim + contextDim];
        for (int i = 0; i < dim; i++) {
            deg[i] = i + 1;
        }
        return deg; // context entries stay 0
    }

    static int[] hiddenDegrees(int width, int dim, boolean withContext) {
        int[] deg = new int[width];
        for (int k = 0; k < width; k++) {
            if (withContext) {
                deg[k] = k % dim;
            } else {
                deg[k] = dim == 1 ? 0 : k % (dim - 1) + 1;
            }
        }
        return deg;
    }

    public int dim() {
        return dim;
    }

    public int paramsPerDim() {
        return paramsPerDim;
    }

    /** The masked layers, input first (hidden widths are their output sizes). */
    public List<MaskedLinear> layers() {
        return layers;
    }

    public Activation activation() {
        return activation;
    }

    @Override
    public int contextDim() {
        return contextDim;
    }

    @Override
    public Tensor apply(Tensor input, Tensor context) {
        if (input.rank() != 2 || input.size(1) != dim) {
            throw new IllegalArgumentException("expected points of shape [batch, " + dim + "], got "
                    + Arrays.toString(input.shape()));
        }
        Tensor h = input;
        if (contextDim == 0) {
            if (context != null) {
                throw new IllegalArgumentException("this layer takes no context");
            }
        } else {
            if (context == null || context.rank() != 2 || context.size(1) != contextDim
                    || context.size(0) != input.size(0)) {
                throw new IllegalArgumentException("this layer needs a context of shape [" + input.size(0) + ", "
                        + contextDim + "]");
            }
            h = Tensor.concat(1, input, context);
        }
        for (int i = 0; i < layers.size(); i++) {
            h = layers.get(i).forward(h);
            if (i + 1 < layers.size()) {
                h = activation.apply(h);
            }
        }
        return h;
    }

    @Override
    public List<Tensor> parameters() {
        List<Tensor> ps = new ArrayList<>();
        for (MaskedLinear l : layers) {
            ps.addAll(l.parameters());
        }
        return ps;
    }
}
