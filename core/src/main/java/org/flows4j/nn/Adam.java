package org.flows4j.nn;

import java.util.List;
import org.flows4j.tensor.Tensor;

/**
 * Adam (Kingma and Ba) with PyTorch's defaults and update formula: betas (0.9, 0.999),
 * eps 1e-8, no weight decay; p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps).
 * Parameters are updated in place.
 */
public final class Adam {
    private final List<Tensor> params;
    private final double lr;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double[][] m;
    private final double[][] v;
    private long t;

    public Adam(List<Tensor> params, double lr) {
        this(params, lr, 0.9, 0.999, 1e-8);
    }

    public Adam(List<Tensor> params, double lr, double beta1, double beta2, double eps) {
        if (!(lr > 0) || !Double.isFinite(lr)) {
            throw new IllegalArgumentException("learning rate must be a positive number, got " + lr);
        }
        if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("Adam betas must be in [0, 1), got " + beta1 + ", " + beta2);
        }
        if (!(eps > 0)) {
            throw new IllegalArgumentException("Adam eps must be positive, got " + eps);
        }
        this.params = List.copyOf(params);
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.m = new double[this.params.size()][];
        this.v = new double[this.params.size()][];
        for (int i = 0; i < this.params.size(); i++) {
            m[i] = new double[this.params.get(i).numel()];
            v[i] = new double[this.params.get(i).numel()];
        }
    }

    /** Applies one update given the gradients, in the order of the parameters. */
    public void step(List<Tensor> grads) {
        if (grads.size() != params.size()) {
            throw new IllegalArgumentException(grads.size() + " gradients for " + params.size() + " parameters");
        }
        t++;
        double bc1 = 1 - Math.pow(beta1, t);
        double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, t));
        double stepSize = lr / bc1;
        for (int k = 0; k < params.size(); k++) {
            Tensor p = params.get(k);
            Tensor g = grads.get(k);
            if (g.numel() != p.numel()) {
                throw new IllegalArgumentException("gradient " + k + " has " + g.numel() + " elements, parameter has "
                        + p.numel());
            }
            double[] mk = m[k];
            double[] vk = v[k];
            float[] pf = p.rawFloats();
            double[] pd = p.rawDoubles();
            float[] gf = g.rawFloats();
            double[] gd = g.rawDoubles();
            for (int i = 0; i < mk.length; i++) {
                double gi = gf != null ? gf[i] : gd[i];
                mk[i] = beta1 * mk[i] + (1 - beta1) * gi;
                vk[i] = beta2 * vk[i] + (1 - beta2) * gi * gi;
                double upd = stepSize * mk[i] / (Math.sqrt(vk[i]) / bc2Sqrt + eps);
                if (pf != null) {
                    pf[i] -= (float) upd;
                } else {
                    pd[i] -= upd;
                }
            }
        }
    }

    public long steps() {
        return t;
    }

    public double learningRate() {
        return lr;
    }
}
