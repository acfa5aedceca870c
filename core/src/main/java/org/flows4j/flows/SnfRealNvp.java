package org.flows4j.flows;

import java.util.ArrayList;
import java.util.List;
import org.flows4j.distributions.Distribution;
import org.flows4j.nn.Activation;
import org.flows4j.nn.Mlp;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.transforms.Coupling;
import org.flows4j.transforms.MlpConditioner;
import org.flows4j.transforms.ScaledTanhAffineTransformer;
import org.flows4j.transforms.Transform;

/**
 * Builds the RealNVP of the stochastic-normalizing-flows paper (Wu, Koehler and Noe 2020):
 * affine couplings with log-scale {@code exp(logAlpha) * tanh(s)} (a trainable alpha per layer,
 * log alpha initialised to -1; {@link #alphaPerDimension} for one per coordinate) and shift t from
 * one ReLU MLP, alternating masks (coupling, swap, coupling, swap, ...; the first layer keeps the
 * odd coordinates and transforms the even ones, as the reference code's mask
 * {@code arange(D) % 2}). Defaults: 6 coupling layers (3 blocks of two, as the double-well
 * benchmark), hidden width 64, 2 hidden layers, standard normal base, float32.
 */
public final class SnfRealNvp {
    private int dim = 2;
    private int layers = 6;
    private int hidden = 64;
    private int hiddenLayers = 2;
    private boolean alphaPerDimension = false;
    private int contextDim = 0;
    private Distribution base;
    private DType dtype = DType.FLOAT32;

    public static SnfRealNvp builder() {
        return new SnfRealNvp();
    }

    public SnfRealNvp dim(int dim) {
        this.dim = dim;
        return this;
    }

    public SnfRealNvp layers(int layers) {
        this.layers = layers;
        return this;
    }

    public SnfRealNvp hidden(int hidden) {
        this.hidden = hidden;
        return this;
    }

    public SnfRealNvp hiddenLayers(int hiddenLayers) {
        this.hiddenLayers = hiddenLayers;
        return this;
    }

    /** One alpha per coordinate instead of the paper's one per layer. */
    public SnfRealNvp alphaPerDimension(boolean perDimension) {
        this.alphaPerDimension = perDimension;
        return this;
    }

    public SnfRealNvp contextDim(int contextDim) {
        this.contextDim = contextDim;
        return this;
    }

    public SnfRealNvp base(Distribution base) {
        this.base = base;
        return this;
    }

    public SnfRealNvp dtype(DType dtype) {
        this.dtype = dtype;
        return this;
    }

    public Flow build(Rng rng) {
        FlowBuilderSupport.checkCommon(dim, 2, layers, hidden, hiddenLayers, contextDim, 0, "a RealNVP");
        List<Transform> parts = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            Mlp net = new Mlp(FlowBuilderSupport.mlpSizes(dim + contextDim, hidden, hiddenLayers, 2 * dim),
                    Activation.RELU, rng, dtype);
            ScaledTanhAffineTransformer tr = alphaPerDimension ? ScaledTanhAffineTransformer.perDimension(dim, dtype)
                    : ScaledTanhAffineTransformer.perLayer(dtype);
            parts.add(new Coupling(Coupling.alternatingMask(dim, l + 1), new MlpConditioner(net, contextDim), tr, dtype));
        }
        return FlowBuilderSupport.assemble(parts, dim, contextDim, 0, hidden, base, dtype, rng);
    }
}
