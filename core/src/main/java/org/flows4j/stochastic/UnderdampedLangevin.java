package org.flows4j.stochastic;

import java.util.List;
import org.flows4j.energy.Energy;
import org.flows4j.tensor.Autograd;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;

/**
 * Underdamped Langevin dynamics as a stochastic flow layer on the augmented space (q, v) (the
 * paper's LangevinFlow; Suppl. Sec. 5): the layer acts on rows [q | v] of width 2 D, with positions
 * q in R^D under the force -grad u(q), velocities v, mass m, friction gamma and kT = 1. One step
 * (time step dt, noises w1, w2 ~ N(0, I)):
 * <pre>
 *   vh = v + dt/(2m) (F(q) - gamma m v + sqrt(4 gamma m / dt) w1)
 *   q' = q + dt vh
 *   v' = (vh + dt/(2m) (F(q') + sqrt(4 gamma m / dt) w2)) / (1 + gamma dt / 2)
 * </pre>
 * The backward move (q', -v') -> (q, -v) of the same integrator needs the noises
 * w1~ = w2 - sqrt(gamma m dt) v' and w2~ = w1 - sqrt(gamma m dt) v, so
 * dS = (|w1|^2 + |w2|^2 - |w1~|^2 - |w2~|^2) / 2 per step. The stationary density is (up to the
 * discretisation error) exp(-u(q) - m |v|^2 / 2); {@link #augmentedEnergy} builds that energy, the
 * target (and prior) energy to use in path weights.
 */
public final class UnderdampedLangevin extends KernelLayer {
    private final Energy energy;
    private final int positionDim;
    private final int steps;
    private final double dt;
    private final double mass;
    private final double gamma;
    private final boolean differentiateForce;

    private UnderdampedLangevin(Builder b, Rng rng) {
        super(rng);
        this.energy = b.energy;
        this.positionDim = b.positionDim > 0 ? b.positionDim : b.energy.dim();
        if (positionDim < 1) {
            throw new IllegalArgumentException("the energy has no fixed dimension: give the layer one with positionDim()");
        }
        if (b.steps < 1) {
            throw new IllegalArgumentException("number of Langevin steps must be >= 1, got " + b.steps);
        }
        for (double v : new double[] {b.dt, b.mass, b.gamma}) {
            if (!(v > 0) || !Double.isFinite(v)) {
                throw new IllegalArgumentException("time step, mass and friction must be positive numbers, got dt="
                        + b.dt + ", mass=" + b.mass + ", gamma=" + b.gamma);
            }
        }
        this.steps = b.steps;
        this.dt = b.dt;
        this.mass = b.mass;
        this.gamma = b.gamma;
        this.differentiateForce = b.differentiateForce;
    }

    /** A builder for a layer with positional energy {@code energy}. Defaults: 1 step, dt 0.01, m 1, gamma 1. */
    public static Builder builder(Energy energy) {
        return new Builder(energy);
    }

    /** Settings of an {@link UnderdampedLangevin} layer. */
    public static final class Builder {
        private final Energy energy;
        private int positionDim = -1;
        private int steps = 1;
        private double dt = 0.01;
        private double mass = 1.0;
        private double gamma = 1.0;
        private boolean differentiateForce;

        private Builder(Energy energy) {
            this.energy = java.util.Objects.requireNonNull(energy, "energy");
        }

        /** D, the dimension of the positions (the layer acts on 2 D). */
        public Builder positionDim(int d) {
            this.positionDim = d;
            return this;
        }

        public Builder steps(int steps) {
            this.steps = steps;
            return this;
        }

        public Builder stepSize(double dt) {
            this.dt = dt;
            return this;
        }

        public Builder mass(double mass) {
            this.mass = mass;
            return this;
        }

        public Builder friction(double gamma) {
            this.gamma = gamma;
            return this;
        }

        public Builder differentiateForce(boolean differentiate) {
            this.differentiateForce = differentiate;
            return this;
        }

        public UnderdampedLangevin build(Rng rng) {
            return new UnderdampedLangevin(this, rng);
        }
    }

    /** u(q) + m |v|^2 / 2 on rows [q | v]: the stationary energy of the layer (kT = 1). */
    public static Energy augmentedEnergy(Energy positional, int positionDim, double mass) {
        if (positional.dim() >= 0 && positional.dim() != positionDim) {
            throw new IllegalArgumentException("energy dimension " + positional.dim() + " differs from " + positionDim);
        }
        return new AugmentedEnergy(positional, positionDim, mass);
    }

    private record AugmentedEnergy(Energy positional, int d, double mass) implements Energy {
        @Override
        public int dim() {
            return 2 * d;
        }

        @Override
        public Tensor energy(Tensor x) {
            checkInput(x);
            return positional.energy(x.slice(1, 0, d)).add(x.slice(1, d, 2 * d).square().sum(1, false).mul(0.5 * mass));
        }

        @Override
        public Tensor gradient(Tensor x) {
            checkInput(x);
            try (Autograd.Scope ignored = Autograd.noGrad()) {
                return Tensor.concat(1, positional.gradient(x.slice(1, 0, d)), x.detach().slice(1, d, 2 * d).mul(mass));
            }
        }

        @Override
        public Tensor gradient(Tensor x, boolean createGraph) {
            if (!createGraph) {
                return gradient(x);
            }
            checkInput(x);
            return Tensor.concat(1, positional.gradient(x.slice(1, 0, d), true), x.slice(1, d, 2 * d).mul(mass));
        }

        @Override
        public List<Tensor> parameters() {
            return positional.parameters();
        }
    }

    public Energy energy() {
        return energy;
    }

    /** 2 D: positions and velocities. */
    @Override
    public int dim() {
        return 2 * positionDim;
    }

    public int positionDim() {
        return positionDim;
    }

    @Override
    public int steps() {
        return steps;
    }

    public double stepSize() {
        return dt;
    }

    public double mass() {
        return mass;
    }

    public double friction() {
        return gamma;
    }

    private Tensor force(Tensor q) {
        return energy.force(q, differentiateForce);
    }

    @Override
    Result run(Tensor x, List<Tensor> states) {
        int d = positionDim;
        if (x.rank() != 2 || x.size(1) != 2 * d) {
            throw new IllegalArgumentException("expected [positions | velocities] of shape [batch, " + 2 * d + "], got "
                    + java.util.Arrays.toString(x.shape()));
        }
        DType dtype = x.dtype();
        int n = x.size(0);
        double gm = gamma * mass;
        double fac1 = Math.sqrt(4.0 * gm / dt);
        double fac2 = Math.sqrt(gm * dt);
        double half = dt / (2.0 * mass);
        double damp = 1.0 / (1.0 + gamma * dt / 2.0);
        Tensor q = x.slice(1, 0, d);
        Tensor v = x.slice(1, d, 2 * d);
        Tensor f = force(q);
        Tensor dS = Tensor.zeros(dtype, n);
        if (states != null) {
            states.add(x);
        }
        for (int s = 0; s < steps; s++) {
            Tensor w1 = Tensor.randn(rng(), dtype, n, d);
            Tensor w2 = Tensor.randn(rng(), dtype, n, d);
            Tensor vh = v.add(f.sub(v.mul(gm)).add(w1.mul(fac1)).mul(half));
            Tensor q2 = q.add(vh.mul(dt));
            Tensor f2 = force(q2);
            Tensor v2 = vh.add(f2.add(w2.mul(fac1)).mul(half)).mul(damp);
            Tensor w1b = w2.sub(v2.mul(fac2));
            Tensor w2b = w1.sub(v.mul(fac2));
            Tensor fwd = w1.square().add(w2.square()).sum(1, false);
            Tensor bwd = w1b.square().add(w2b.square()).sum(1, false);
            dS = dS.add(fwd.sub(bwd).mul(0.5));
            q = q2;
            v = v2;
            f = f2;
            if (states != null) {
                states.add(Tensor.concat(1, q, v));
            }
        }
        return new Result(Tensor.concat(1, q, v), dS);
    }

    @Override
    public String toString() {
        return "UnderdampedLangevin(steps=" + steps + ", dt=" + dt + ", m=" + mass + ", gamma=" + gamma + ", " + energy + ")";
    }
}
