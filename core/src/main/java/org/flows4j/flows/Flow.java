package org.flows4j.flows;

import java.util.ArrayList;
import java.util.List;
import org.flows4j.distributions.Distribution;
import org.flows4j.nn.Module;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;
import org.flows4j.transforms.Transform;

/**
 * A normalizing flow: a base distribution and a transform whose forward direction maps data to
 * the base. log p(x) = log p_base(T(x)) + log|det dT/dx|; samples are T^-1(z) with z from the base.
 */
public final class Flow implements Module {
    private final Distribution base;
    private final Transform transform;
    private final DType dtype;

    public Flow(Distribution base, Transform transform, DType dtype) {
        if (base.dim() != transform.dim()) {
            throw new IllegalArgumentException("base has dimension " + base.dim() + " but the transform acts on "
                    + transform.dim());
        }
        this.base = base;
        this.transform = transform;
        this.dtype = dtype;
    }

    public Distribution base() {
        return base;
    }

    public Transform transform() {
        return transform;
    }

    public DType dtype() {
        return dtype;
    }

    public int dim() {
        return base.dim();
    }

    /** Log-density of each row of x [batch, dim]; context [batch, c] or null. */
    public Tensor logProb(Tensor x, Tensor context) {
        Transform.Result r = transform.forward(x, context);
        return base.logProb(r.y()).add(r.logAbsDet());
    }

    public Tensor logProb(Tensor x) {
        return logProb(x, null);
    }

    /** n samples [n, dim]. With a context, n must equal its number of rows. */
    public Tensor sample(int n, Rng rng, Tensor context) {
        return sampleWithLogProb(n, rng, context).samples();
    }

    public Tensor sample(int n, Rng rng) {
        return sample(n, rng, null);
    }

    /** Samples and their log-densities, from one pass through the inverse. */
    public Samples sampleWithLogProb(int n, Rng rng, Tensor context) {
        if (n < 1) {
            throw new IllegalArgumentException("number of samples must be >= 1, got " + n);
        }
        if (context != null && context.size(0) != n) {
            throw new IllegalArgumentException("context has " + context.size(0) + " rows for " + n + " samples");
        }
        Tensor z = base.sample(n, rng, dtype);
        Tensor logPz = base.logProb(z);
        Transform.Result r = transform.inverse(z, context);
        return new Samples(r.y(), logPz.sub(r.logAbsDet()));
    }

    public Samples sampleWithLogProb(int n, Rng rng) {
        return sampleWithLogProb(n, rng, null);
    }

    @Override
    public List<Tensor> parameters() {
        List<Tensor> ps = new ArrayList<>(base.parameters());
        ps.addAll(transform.parameters());
        return ps;
    }

    /** Samples [n, dim] and their log-densities [n]. */
    public record Samples(Tensor samples, Tensor logProb) {}
}
