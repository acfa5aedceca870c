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
    /** First and second moments, in the parameter's own precision (float32 as PyTorch keeps them). */
    private final Object[] m;
    private final Object[] v;
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
        this.m = new Object[this.params.size()];
        this.v = new Object[this.params.size()];
        for (int i = 0; i < this.params.size(); i++) {
            Tensor p = this.params.get(i);
            boolean f32 = p.rawFloats() != null;
            m[i] = f32 ? new float[p.numel()] : new double[p.numel()];
            v[i] = f32 ? new float[p.numel()] : new double[p.numel()];
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
            if (p.rawFloats() != null) {
                float[] gf = g.rawFloats() != null ? g.rawFloats() : g.toFloatArray();
                updateFloat(p.rawFloats(), gf, (float[]) m[k], (float[]) v[k], (float) stepSize, (float) bc2Sqrt);
            } else {
                updateDouble(p.rawDoubles(), g.rawDoubles() != null ? g.rawDoubles() : g.toDoubleArray(), (double[]) m[k], (double[]) v[k], stepSize, bc2Sqrt);
            }
        }
    }

    /** One float32 update; a flat loop the JIT vectorises. */
    private void updateFloat(float[] p, float[] g, float[] mk, float[] vk, float stepSize, float bc2Sqrt) {
        float b1 = (float) beta1;
        float b2 = (float) beta2;
        float c1 = (float) (1 - beta1);
        float c2 = (float) (1 - beta2);
        float e = (float) eps;
        for (int i = 0; i < p.length; i++) {
            float gi = g[i];
            float mi = b1 * mk[i] + c1 * gi;
            float vi = b2 * vk[i] + c2 * gi * gi;
            mk[i] = mi;
            vk[i] = vi;
            p[i] -= stepSize * mi / ((float) Math.sqrt(vi) / bc2Sqrt + e);
        }
    }

    private void updateDouble(double[] p, double[] g, double[] mk, double[] vk, double stepSize, double bc2Sqrt) {
        for (int i = 0; i < p.length; i++) {
            double gi = g[i];
            mk[i] = beta1 * mk[i] + (1 - beta1) * gi;
            vk[i] = beta2 * vk[i] + (1 - beta2) * gi * gi;
            p[i] -= stepSize * mk[i] / (Math.sqrt(vk[i]) / bc2Sqrt + eps);
        }
    }

    public long steps() {
        return t;
    }

    public double learningRate() {
        return lr;
    }
}
