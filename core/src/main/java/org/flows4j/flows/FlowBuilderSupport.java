package org.flows4j.flows;

import java.util.List;
import org.flows4j.distributions.Distribution;
import org.flows4j.distributions.StandardNormal;
import org.flows4j.nn.Activation;
import org.flows4j.nn.Mlp;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.transforms.Composite;
import org.flows4j.transforms.EmbeddedContext;
import org.flows4j.transforms.Transform;

/** Checks and pieces shared by the flow builders. */
final class FlowBuilderSupport {
    private FlowBuilderSupport() {}

    static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    static void checkCommon(int dim, int minDim, int layers, int hidden, int hiddenLayers, int contextDim,
            int embeddingDim, String name) {
        check(dim >= minDim, name + " needs dimension >= " + minDim + ", got " + dim);
        check(layers >= 1, "number of layers must be >= 1, got " + layers);
        check(hidden >= 1, "hidden width must be >= 1, got " + hidden);
        check(hiddenLayers >= 0, "number of hidden layers must be >= 0, got " + hiddenLayers);
        check(contextDim >= 0, "context dimension must be >= 0, got " + contextDim);
        check(embeddingDim >= 0, "context embedding width must be >= 0, got " + embeddingDim);
        check(embeddingDim == 0 || contextDim > 0, "a context embedding needs a context (contextDim > 0)");
    }

    static int[] hiddenSizes(int hidden, int hiddenLayers) {
        int[] h = new int[hiddenLayers];
        java.util.Arrays.fill(h, hidden);
        return h;
    }

    /** in, hidden x hiddenLayers, out. */
    static int[] mlpSizes(int in, int hidden, int hiddenLayers, int out) {
        int[] sizes = new int[hiddenLayers + 2];
        sizes[0] = in;
        for (int h = 1; h <= hiddenLayers; h++) {
            sizes[h] = hidden;
        }
        sizes[hiddenLayers + 1] = out;
        return sizes;
    }

    /** The context width the layers see: the embedding's output if there is one. */
    static int layerContextDim(int contextDim, int embeddingDim) {
        return embeddingDim > 0 ? embeddingDim : contextDim;
    }

    /** Composes the parts, wraps them in a context embedding if asked, and adds the base. */
    static Flow assemble(List<Transform> parts, int dim, int contextDim, int embeddingDim, int hidden,
            Distribution base, DType dtype, Rng rng) {
        Transform t = new Composite(parts);
        if (embeddingDim > 0) {
            Mlp net = new Mlp(new int[] {contextDim, hidden, embeddingDim}, Activation.RELU, rng, dtype);
            t = new EmbeddedContext(t, net);
        }
        Distribution b = base != null ? base : new StandardNormal(dim);
        return new Flow(b, t, dtype);
    }
}
