package org.flows4j.transforms;

import java.util.List;
import org.flows4j.nn.Mlp;
import org.flows4j.tensor.Tensor;

/** An MLP on [input, context] (context concatenated when present). */
public final class MlpConditioner implements Conditioner {
    private final Mlp net;
    private final int contextDim;

    public MlpConditioner(Mlp net, int contextDim) {
        if (contextDim < 0) {
            throw new IllegalArgumentException("context dimension must be >= 0");
        }
        this.net = net;
        this.contextDim = contextDim;
    }

    public Mlp net() {
        return net;
    }

    @Override
    public int contextDim() {
        return contextDim;
    }

    @Override
    public Tensor apply(Tensor input, Tensor context) {
        if (contextDim == 0) {
            if (context != null) {
                throw new IllegalArgumentException("this layer takes no context");
            }
            return net.forward(input);
        }
        if (context == null || context.rank() != 2 || context.size(1) != contextDim
                || context.size(0) != input.size(0)) {
            throw new IllegalArgumentException("this layer needs a context of shape [" + input.size(0) + ", "
                    + contextDim + "]");
        }
        return net.forward(Tensor.concat(1, input, context));
    }

    @Override
    public List<Tensor> parameters() {
        return net.parameters();
    }
}
