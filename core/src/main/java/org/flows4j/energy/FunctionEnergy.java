package org.flows4j.energy;

import java.util.function.Function;
import org.flows4j.tensor.Autograd;
import org.flows4j.tensor.Tensor;

/** An energy from a tensor function, optionally with an analytic gradient (also a tensor function). */
class FunctionEnergy implements Energy {
    private final int dim;
    private final Function<Tensor, Tensor> u;
    private final Function<Tensor, Tensor> grad;

    FunctionEnergy(int dim, Function<Tensor, Tensor> u, Function<Tensor, Tensor> grad) {
        if (dim < 1 && dim != -1) {
            throw new IllegalArgumentException("dimension must be >= 1 (or -1 for any), got " + dim);
        }
        this.dim = dim;
        this.u = java.util.Objects.requireNonNull(u, "energy function");
        this.grad = grad;
    }

    @Override
    public int dim() {
        return dim;
    }

    @Override
    public Tensor energy(Tensor x) {
        checkInput(x);
        return u.apply(x);
    }

    @Override
    public Tensor gradient(Tensor x) {
        if (grad == null) {
            return Energy.super.gradient(x);
        }
        checkInput(x);
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            return grad.apply(x.detach());
        }
    }

    @Override
    public Tensor gradient(Tensor x, boolean createGraph) {
        if (grad == null) {
            return Energy.super.gradient(x, createGraph);
        }
        if (!createGraph) {
            return gradient(x);
        }
        checkInput(x);
        return grad.apply(x);
    }
}
