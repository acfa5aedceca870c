package org.flows4j.fused;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.flows4j.distributions.StandardNormal;
import org.flows4j.flows.Flow;
import org.flows4j.nn.Activation;
import org.flows4j.nn.Linear;
import org.flows4j.nn.Mlp;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Tensor;
import org.flows4j.transforms.AffineTransformer;
import org.flows4j.transforms.Composite;
import org.flows4j.transforms.Coupling;
import org.flows4j.transforms.MlpConditioner;
import org.flows4j.transforms.Transform;

/**
 * The structure of a float32 flow made of affine coupling layers with MLP conditioners over a
 * standard normal base (the RealNVP family), read from a {@link Flow} so that fused kernels can
 * run it. Holds views of the flow's own parameter tensors: training updates are seen at once.
 */
final class CouplingStack {
    /** One coupling layer: its mask and the conditioner's linear layers. */
    static final class Layer {
        final float[] keep;
        final Tensor[] weights;
        final Tensor[] biases;
        final int[] widths;
        final Activation activation;
        final boolean tanhScale;
        /** Number of transformed coordinates; compact index of each coordinate (-1 if kept). */
        final int transformed;
        final int[] compactIndex;
        /**
         * The network outputs the layer uses (log-scale then shift of each transformed
         * coordinate): the kernels compute only these, in this order.
         */
        final int[] usedOutputs;
        /** Widths as the kernels run them: the last is usedOutputs.length. */
        final int[] fusedWidths;

        Layer(float[] keep, Tensor[] weights, Tensor[] biases, Activation activation, boolean tanhScale) {
            this.keep = keep;
            this.weights = weights;
            this.biases = biases;
            this.activation = activation;
            this.tanhScale = tanhScale;
            this.widths = new int[weights.length + 1];
            widths[0] = weights[0].size(1);
            for (int k = 0; k < weights.length; k++) {
                widths[k + 1] = weights[k].size(0);
            }
            int d = keep.length;
            compactIndex = new int[d];
            int t = 0;
            for (int j = 0; j < d; j++) {
                compactIndex[j] = keep[j] != 0 ? -1 : t++;
            }
            transformed = t;
            usedOutputs = new int[2 * t];
            for (int j = 0; j < d; j++) {
                if (compactIndex[j] >= 0) {
                    usedOutputs[compactIndex[j]] = j;
                    usedOutputs[t + compactIndex[j]] = d + j;
                }
            }
            fusedWidths = widths.clone();
            fusedWidths[weights.length] = 2 * t;
        }

        int linears() {
            return weights.length;
        }
    }

    final int dim;
    final List<Layer> layers;
    final List<Tensor> parameters;

    private CouplingStack(int dim, List<Layer> layers, List<Tensor> parameters) {
        this.dim = dim;
        this.layers = layers;
        this.parameters = parameters;
    }

    /** The stack, if this flow is one the fused kernels support. */
    static Optional<CouplingStack> of(Flow flow) {
        if (flow.dtype() != DType.FLOAT32 || !(flow.base() instanceof StandardNormal)) {
            return Optional.empty();
        }
        List<Transform> parts = flow.transform() instanceof Composite c ? c.parts() : List.of(flow.transform());
        List<Layer> layers = new ArrayList<>();
        for (Transform t : parts) {
            if (!(t instanceof Coupling cp) || !(cp.conditioner() instanceof MlpConditioner mc) || mc.contextDim() != 0
                    || !(cp.transformer() instanceof AffineTransformer at)) {
                return Optional.empty();
            }
            Mlp net = mc.net();
            if (net.activation() != Activation.RELU && net.activation() != Activation.TANH) {
                return Optional.empty();
            }
            int d = cp.dim();
            if (net.in() != d || net.out() != 2 * d) {
                return Optional.empty();
            }
            List<Linear> ls = net.layers();
            Tensor[] w = new Tensor[ls.size()];
            Tensor[] b = new Tensor[ls.size()];
            for (int k = 0; k < ls.size(); k++) {
                w[k] = ls.get(k).weight();
                b[k] = ls.get(k).bias();
                if (w[k].rawFloats() == null || b[k].rawFloats() == null) {
                    return Optional.empty();
                }
            }
            double[] mask = cp.mask();
            float[] keep = new float[d];
            for (int i = 0; i < d; i++) {
                keep[i] = (float) mask[i];
            }
            layers.add(new Layer(keep, w, b, net.activation(), at.scale() == AffineTransformer.Scale.TANH));
        }
        return Optional.of(new CouplingStack(flow.dim(), List.copyOf(layers), flow.parameters()));
    }

    int maxWidth() {
        int w = 2 * dim;
        for (Layer l : layers) {
            for (int x : l.widths) {
                w = Math.max(w, x);
            }
        }
        return w;
    }
}
