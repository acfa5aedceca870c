package org.flows4j.stochastic;

import java.util.List;
import org.flows4j.energy.Energy;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;

/**
 * Overdamped Langevin (Brownian) dynamics as a stochastic flow layer (the paper's BrownianFlow),
 * Euler-Maruyama with step eps and force F = -grad u:
 * y' = y + eps F(y) + sqrt(2 eps) w, w ~ N(0, I). The backward move y' -> y needs the noise
 * w~ = (y - y' - eps F(y')) / sqrt(2 eps), so dS = (|w|^2 - |w~|^2) / 2 per step (eq. 19-20).
 * No accept/reject step: the layer samples exp(-u) only up to a discretisation error of order
 * eps, which the path weights correct.
 *
 * <p>Gradients: by default as the paper's code, through the positions and the backward noise with
 * the forces taken as constants; {@link Builder#differentiateForce} also differentiates through
 * the forces (gradients of gradients, {@link Energy#gradient(Tensor, boolean)} with createGraph).
 * A trainable step size gets its gradient through the moves and dS.
 */
public final class OverdampedLangevin extends KernelLayer {
    private final Energy energy;
    private final int dim;
    private final int steps;
    private final StepSize stepSize;
    private final boolean differentiateForce;

    private OverdampedLangevin(Builder b, Rng rng) {
        super(rng);
        this.energy = b.energy;
        this.dim = b.dim > 0 ? b.dim : b.energy.dim();
        if (dim < 1) {
            throw new IllegalArgumentException("the energy has no fixed dimension: give the layer one with dim()");
        }
        if (b.energy.dim() >= 0 && b.energy.dim() != dim) {
            throw new IllegalArgumentException("layer dimension " + dim + " differs from the energy's " + b.energy.dim());
        }
        if (b.steps < 1) {
            throw new IllegalArgumentException("number of Langevin steps must be >= 1, got " + b.steps);
        }
        this.steps = b.steps;
        this.stepSize = new StepSize(b.stepSize, b.trainable, b.dtype, "Langevin step size");
        this.differentiateForce = b.differentiateForce;
    }

    /** A builder for a Langevin layer sampling exp(-energy). Defaults: 1 step, eps 0.01. */
    public static Builder builder(Energy energy) {
        return new Builder(energy);
    }

    /** Settings of an {@link OverdampedLangevin} layer. */
    public static final class Builder {
        private final Energy energy;
        private int dim = -1;
        private int steps = 1;
        private double stepSize = 0.01;
        private boolean trainable;
        private boolean differentiateForce;
        private DType dtype = DType.FLOAT32;

        private Builder(Energy energy) {
            this.energy = java.util.Objects.requireNonNull(energy, "energy");
        }

        public Builder dim(int dim) {
            this.dim = dim;
            return this;
        }

        public Builder steps(int steps) {
            this.steps = steps;
            return this;
        }

        /** The time step eps (the noise has variance 2 eps). */
        public Builder stepSize(double stepSize) {
            this.stepSize = stepSize;
            return this;
        }

        public Builder trainableStepSize(boolean trainable) {
            this.trainable = trainable;
            return this;
        }

        /** Back-propagate through the forces too (an extension of the paper's code). */
        public Builder differentiateForce(boolean differentiate) {
            this.differentiateForce = differentiate;
            return this;
        }

        public Builder dtype(DType dtype) {
            this.dtype = dtype;
            return this;
        }

        public OverdampedLangevin build(Rng rng) {
            return new OverdampedLangevin(this, rng);
        }
    }

    public Energy energy() {
        return energy;
    }

    @Override
    public int dim() {
        return dim;
    }

    @Override
    public int steps() {
        return steps;
    }

    public double stepSize() {
        return stepSize.value();
    }

    public boolean differentiatesForce() {
        return differentiateForce;
    }

    @Override
    public List<Tensor> parameters() {
        return stepSize.trainable() ? List.of(stepSize.parameter()) : List.of();
    }

    private Tensor force(Tensor y) {
        return energy.force(y, differentiateForce);
    }

    @Override
    Result run(Tensor x, List<Tensor> states) {
        if (x.rank() != 2 || x.size(1) != dim) {
            throw new IllegalArgumentException("expected points of shape [batch, " + dim + "], got "
                    + java.util.Arrays.toString(x.shape()));
        }
        DType dt = x.dtype();
        int n = x.size(0);
        Tensor eps;
        Tensor noiseScale;
        if (stepSize.trainable()) {
            eps = stepSize.tensor(dt);
            noiseScale = eps.mul(2.0).sqrt();
        } else {
            eps = Tensor.full(dt, stepSize.value(), 1);
            noiseScale = Tensor.full(dt, Math.sqrt(2 * stepSize.value()), 1);
        }
        Tensor y = x;
        Tensor f = force(y);
        Tensor dS = Tensor.zeros(dt, n);
        if (states != null) {
            states.add(y);
        }
        for (int s = 0; s < steps; s++) {
            Tensor w = Tensor.randn(rng(), dt, n, dim);
            Tensor next = y.add(f.mul(eps)).add(w.mul(noiseScale));
            Tensor fNext = force(next);
            Tensor wBack = y.sub(next).sub(fNext.mul(eps)).div(noiseScale);
            dS = dS.add(w.square().sum(1, false).sub(wBack.square().sum(1, false)).mul(0.5));
            y = next;
            f = fNext;
            if (states != null) {
                states.add(y);
            }
        }
        return new Result(y, dS);
    }

    @Override
    public String toString() {
        return "OverdampedLangevin(steps=" + steps + ", eps=" + stepSize() + (differentiateForce ? ", through forces" : "")
                + ", " + energy + ")";
    }
}
