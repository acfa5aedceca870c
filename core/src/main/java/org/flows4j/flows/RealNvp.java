package org.flows4j.flows;

import java.util.ArrayList;
import java.util.List;
import org.flows4j.distributions.StandardNormal;
import org.flows4j.nn.Activation;
import org.flows4j.nn.Mlp;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.transforms.AffineTransformer;
import org.flows4j.transforms.Composite;
import org.flows4j.transforms.Coupling;
import org.flows4j.transforms.MlpConditioner;
import org.flows4j.transforms.Transform;

/** Builds the classic RealNVP of the seed: affine couplings with alternating masks and a standard normal base. */
public final class RealNvp {
    private int dim = 2;
    private int layers = 6;
    private int hidden = 64;
    private int hiddenLayers = 2;
    private int contextDim = 0;
    private DType dtype = DType.FLOAT32;

    public static RealNvp builder() {
        return new RealNvp();
    }

    public RealNvp dim(int dim) {
        this.dim = dim;
        return this;
    }

    /** Number of coupling layers (the seed: 6). */
    public RealNvp layers(int layers) {
        this.layers = layers;
        return this;
    }

    /** Width of the conditioner's hidden layers (the seed: 64). */
    public RealNvp hidden(int hidden) {
        this.hidden = hidden;
        return this;
    }

    /** Number of hidden layers of each conditioner (the seed: 2). */
    public RealNvp hiddenLayers(int hiddenLayers) {
        this.hiddenLayers = hiddenLayers;
        return this;
    }

    public RealNvp contextDim(int contextDim) {
        this.contextDim = contextDim;
        return this;
    }

    public RealNvp dtype(DType dtype) {
        this.dtype = dtype;
        return this;
    }

    public Flow build(Rng rng) {
        if (dim < 2) {
            throw new IllegalArgumentException("RealNVP needs dimension >= 2, got " + dim);
        }
        if (layers < 1) {
            throw new IllegalArgumentException("number of layers must be >= 1, got " + layers);
        }
        if (hidden < 1) {
            throw new IllegalArgumentException("hidden width must be >= 1, got " + hidden);
        }
        if (hiddenLayers < 0) {
            throw new IllegalArgumentException("number of hidden layers must be >= 0, got " + hiddenLayers);
        }
        List<Transform> parts = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            int[] sizes = new int[hiddenLayers + 2];
            sizes[0] = dim + contextDim;
            for (int h = 1; h <= hiddenLayers; h++) {
                sizes[h] = hidden;
            }
            sizes[hiddenLayers + 1] = 2 * dim;
            Mlp net = new Mlp(sizes, Activation.RELU, rng, dtype);
            parts.add(new Coupling(Coupling.alternatingMask(dim, l), new MlpConditioner(net, contextDim),
                    AffineTransformer.tanhScaled(), dtype));
        }
        return new Flow(new StandardNormal(dim), new Composite(parts), dtype);
    }
}
