package org.flows4j.energy;

import java.util.List;
import org.flows4j.tensor.Autograd;
import org.flows4j.tensor.Tensor;

/** Gradients of energies by autodiff. */
final class Forces {
    private Forces() {}

    /** du/dx on a detached copy of x (recording on just for this), returned without a graph. */
    static Tensor autodiffGradient(Energy e, Tensor x) {
        e.checkInput(x);
        try (Autograd.Scope ignored = Autograd.setGradEnabled(true)) {
            Tensor leaf = x.detach().copy().requireGrad();
            Tensor u = e.energy(leaf);
            if (!u.requiresGrad()) {
                return Tensor.zerosLike(x);
            }
            return Autograd.grad(u.sum(), List.of(leaf)).get(0).detach();
        }
    }

    /**
     * du/dx, differentiable with respect to x and the energy's parameters, without differentiating
     * through the graph x came from (that would re-run the whole upstream backward pass at every
     * force evaluation). With x_l a fresh leaf holding x's values, g(x_l) = du/dx_l is taken with a
     * recorded graph, H (one row of the per-sample Hessian per coordinate, second derivatives by
     * autodiff) without, and the result is g(x_l) + H (x - stopgrad(x)): its value is g, its
     * derivative with respect to x is H and with respect to parameters that of g. Exact for first
     * derivatives; per-row energies make H block-diagonal, so D extra backward passes suffice.
     */
    static Tensor differentiableAutodiffGradient(Energy e, Tensor x) {
        e.checkInput(x);
        if (!Autograd.isGradEnabled()) {
            return autodiffGradient(e, x);
        }
        boolean params = !e.parameters().isEmpty();
        if (!x.requiresGrad() && !params) {
            return autodiffGradient(e, x);
        }
        Tensor leaf = x.detach().copy().requireGrad();
        Tensor u = e.energy(leaf);
        if (!u.requiresGrad()) {
            return Tensor.zerosLike(x);
        }
        Tensor g = Autograd.grad(u.sum(), List.of(leaf), null, true).get(0);
        if (!x.requiresGrad()) {
            return g;
        }
        int d = x.size(1);
        Tensor delta = x.sub(x.detach());
        Tensor[] cols = new Tensor[d];
        for (int j = 0; j < d; j++) {
            Tensor gj = g.slice(1, j, j + 1).sum();
            Tensor hj = gj.requiresGrad() ? Autograd.grad(gj, List.of(leaf), null, false).get(0) : Tensor.zerosLike(x);
            cols[j] = hj.mul(delta).sum(1, true);
        }
        return g.add(d == 1 ? cols[0] : Tensor.concat(1, cols));
    }
}
