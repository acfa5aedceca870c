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
        step(grads, lr);
    }

    /** As {@link #step(List)} with learning rate {@code lr} for this update (a schedule's). */
    public void step(List<Tensor> grads, double lr) {
        if (!(lr >= 0) || !Double.isFinite(lr)) {
            throw new IllegalArgumentException("learning rate must be a finite number >= 0, got " + lr);
        }
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

    /**
     * Everything Adam carries from one step to the next: the step count and the first and second
     * moment estimates, one tensor per parameter (in parameter order, in the parameter's dtype, so
     * that a saved state restores bit for bit).
     */
    public record State(long step, List<Tensor> m, List<Tensor> v) {
        public State {
            if (step < 0) {
                throw new IllegalArgumentException("Adam step count must be >= 0, got " + step);
            }
            if (m.size() != v.size()) {
                throw new IllegalArgumentException("Adam state has " + m.size() + " first moments but " + v.size()
                        + " second moments");
            }
            m = m.stream().map(Tensor::copy).toList();
            v = v.stream().map(Tensor::copy).toList();
        }

        @Override
        public List<Tensor> m() {
            return m.stream().map(Tensor::copy).toList();
        }

        @Override
        public List<Tensor> v() {
            return v.stream().map(Tensor::copy).toList();
        }
    }

    /** A copy of the optimizer's state. */
    public State state() {
        return new State(t, moments(m), moments(v));
    }

    private List<Tensor> moments(Object[] arrays) {
        List<Tensor> out = new java.util.ArrayList<>();
        for (int k = 0; k < arrays.length; k++) {
            int[] shape = params.get(k).shape();
            out.add(arrays[k] instanceof float[] f ? Tensor.of(f, shape) : Tensor.of((double[]) arrays[k], shape));
        }
        return out;
    }

    /**
     * Continues from {@code state} (taken from an optimizer over parameters of the same shapes and
     * dtypes): the next {@link #step} is then the one the original optimizer would have taken.
     */
    public void restore(State state) {
        List<Tensor> sm = state.m();
        List<Tensor> sv = state.v();
        if (sm.size() != params.size()) {
            throw new IllegalArgumentException("Adam state is for " + sm.size() + " parameters, this optimizer has "
                    + params.size());
        }
        for (int k = 0; k < sm.size(); k++) {
            Tensor p = params.get(k);
            for (Tensor s : List.of(sm.get(k), sv.get(k))) {
                if (!java.util.Arrays.equals(s.shape(), p.shape()) || s.dtype() != p.dtype()) {
                    throw new IllegalArgumentException("Adam state of parameter " + k + " is " + s.dtype() + " "
                            + java.util.Arrays.toString(s.shape()) + ", the parameter is " + p.dtype() + " "
                            + java.util.Arrays.toString(p.shape()));
                }
            }
            if (!sm.get(k).allFinite() || !sv.get(k).allFinite() || hasNegative(sv.get(k))) {
                throw new IllegalArgumentException("Adam state of parameter " + k + " holds a non-finite or "
                        + "negative moment");
            }
        }
        for (int k = 0; k < sm.size(); k++) {
            copyInto(sm.get(k), m[k]);
            copyInto(sv.get(k), v[k]);
        }
        t = state.step();
    }

    private static boolean hasNegative(Tensor t) {
        for (int i = 0; i < t.numel(); i++) {
            if (t.getFlat(i) < 0) {
                return true;
            }
        }
        return false;
    }

    private static void copyInto(Tensor src, Object dst) {
        if (dst instanceof float[] f) {
            System.arraycopy(src.rawFloats(), 0, f, 0, f.length);
        } else {
            double[] d = (double[]) dst;
            System.arraycopy(src.rawDoubles(), 0, d, 0, d.length);
        }
    }

    public double learningRate() {
        return lr;
    }
}
