package org.flows4j.flows;

import java.util.ArrayList;
import java.util.List;
import org.flows4j.distributions.Distribution;
import org.flows4j.nn.Activation;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.transforms.AffineTransformer;
import org.flows4j.transforms.ElementwiseTransformer;
import org.flows4j.transforms.Inverse;
import org.flows4j.transforms.MadeConditioner;
import org.flows4j.transforms.MaskedAutoregressive;
import org.flows4j.transforms.Permutation;
import org.flows4j.transforms.RationalQuadraticSpline;
import org.flows4j.transforms.Transform;

/**
 * Builds masked autoregressive flows: MAF (Papamakarios et al. 2017; affine transformer, the default)
 * and MAF-NSF (NSF-RQ-AR, Durkan et al. 2019; rational-quadratic spline transformer, see
 * {@link #nsf()}), with a reversal of the coordinates between layers; {@link #inverse(boolean)}
 * turns every layer into its inverse (IAF: one-pass sampling, D-pass density).
 *
 * <p>Defaults: 5 layers, hidden width 64, 2 hidden layers, ReLU, reverse permutations, affine
 * log-scale {@code tanh(raw)} (bounded, so far-away inputs stay finite); for splines 8 bins, tail
 * bound 3, minimums 1e-3; standard normal base, float32.
 */
public final class Maf {
    /** The elementwise map of each layer. */
    public enum Kind { AFFINE, SPLINE }

    /** The fixed permutation between layers. */
    public enum Order { REVERSE, RANDOM }

    private int dim = 2;
    private int layers = 5;
    private int hidden = 64;
    private int hiddenLayers = 2;
    private Activation activation = Activation.RELU;
    private Kind kind = Kind.AFFINE;
    private AffineTransformer.Scale affineScale = AffineTransformer.Scale.TANH;
    private int bins = RationalQuadraticSpline.DEFAULT_BINS;
    private double tailBound = RationalQuadraticSpline.DEFAULT_TAIL_BOUND;
    private Order order = Order.REVERSE;
    private boolean inverse = false;
    private int contextDim = 0;
    private int embeddingDim = 0;
    private Distribution base;
    private DType dtype = DType.FLOAT32;

    /** An affine MAF builder. */
    public static Maf builder() {
        return new Maf();
    }

    /** A spline MAF (MAF-NSF) builder. */
    public static Maf nsf() {
        return new Maf().kind(Kind.SPLINE);
    }

    public Maf dim(int dim) {
        this.dim = dim;
        return this;
    }

    /** Number of autoregressive layers (default 5). */
    public Maf layers(int layers) {
        this.layers = layers;
        return this;
    }

    /** Hidden width of each MADE network (default 64). */
    public Maf hidden(int hidden) {
        this.hidden = hidden;
        return this;
    }

    /** Hidden layers of each MADE network (default 2). */
    public Maf hiddenLayers(int hiddenLayers) {
        this.hiddenLayers = hiddenLayers;
        return this;
    }

    public Maf activation(Activation activation) {
        this.activation = activation;
        return this;
    }

    public Maf kind(Kind kind) {
        this.kind = kind;
        return this;
    }

    /** How the affine transformer bounds its log-scale (default TANH). */
    public Maf affineScale(AffineTransformer.Scale scale) {
        this.affineScale = scale;
        return this;
    }

    /** Spline bins (default 8; spline kind only). */
    public Maf bins(int bins) {
        this.bins = bins;
        return this;
    }

    /** Spline tail bound B (default 3; spline kind only). */
    public Maf tailBound(double tailBound) {
        this.tailBound = tailBound;
        return this;
    }

    public Maf order(Order order) {
        this.order = order;
        return this;
    }

    /** Inverse autoregressive layers (IAF) instead of MAF ones (default false). */
    public Maf inverse(boolean inverse) {
        this.inverse = inverse;
        return this;
    }

    /** Width c of the context [batch, c] (default 0: unconditional). */
    public Maf contextDim(int contextDim) {
        this.contextDim = contextDim;
        return this;
    }

    /** Passes the context through a trainable embedding MLP (c, hidden, width; ReLU) first (default 0: none). */
    public Maf contextEmbedding(int width) {
        this.embeddingDim = width;
        return this;
    }

    /** Base distribution (default: standard normal). */
    public Maf base(Distribution base) {
        this.base = base;
        return this;
    }

    public Maf dtype(DType dtype) {
        this.dtype = dtype;
        return this;
    }

    public Flow build(Rng rng) {
        FlowBuilderSupport.checkCommon(dim, 1, layers, hidden, hiddenLayers, contextDim, embeddingDim,
                "a masked autoregressive flow");
        ElementwiseTransformer transformer = kind == Kind.AFFINE ? new AffineTransformer(affineScale)
                : new RationalQuadraticSpline(bins, tailBound);
        int ctx = FlowBuilderSupport.layerContextDim(contextDim, embeddingDim);
        List<Transform> parts = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            MadeConditioner made = new MadeConditioner(dim, ctx, FlowBuilderSupport.hiddenSizes(hidden, hiddenLayers),
                    transformer.paramsPerDim(), activation, rng, dtype);
            Transform layer = new MaskedAutoregressive(made, transformer);
            parts.add(inverse ? new Inverse(layer) : layer);
            if (l + 1 < layers && dim > 1) {
                parts.add(order == Order.REVERSE ? Permutation.reverse(dim) : Permutation.random(dim, rng));
            }
        }
        return FlowBuilderSupport.assemble(parts, dim, contextDim, embeddingDim, hidden, base, dtype, rng);
    }
}
