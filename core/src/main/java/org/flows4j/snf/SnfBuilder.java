package org.flows4j.snf;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.flows4j.distributions.StandardNormal;
import org.flows4j.energy.Energy;
import org.flows4j.energy.InterpolatedEnergy;
import org.flows4j.flows.Flow;
import org.flows4j.stochastic.MetropolisMC;
import org.flows4j.stochastic.OverdampedLangevin;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.transforms.Composite;
import org.flows4j.transforms.Transform;

/**
 * Builds a stochastic normalizing flow (or, without stochastic blocks, a plain Boltzmann
 * generator) from a standard normal prior to any target energy, in the paper's layout (sampling
 * direction): [stochastic block on the prior]; for block i of n: coupling (second half | first),
 * coupling (first half | second), [stochastic block at lambda = i / (n - 1) unless i is the last];
 * [stochastic block on the target]. Stochastic blocks sample the interpolated energy
 * u_lambda = (1 - lambda) |x|^2/2 + lambda u_target with Metropolis MC or overdamped Langevin.
 *
 * <pre>{@code
 * BoltzmannGenerator bg = SnfBuilder.to(myEnergy).dim(4).blocks(3).hidden(64, 64)
 *         .stochastic(SnfBuilder.Stochastic.METROPOLIS).steps(20).stepSize(0.25).build(new Rng(0));
 * }</pre>
 */
public final class SnfBuilder {
    /** The coupling layers' elementwise maps. */
    public enum Couplings {
        /** The paper's RealNVP: affine, log-scale exp(log_alpha) tanh(s), separate scale and shift nets. */
        AFFINE,
        /** Rational-quadratic splines with linear tails (neural spline flows). */
        SPLINE
    }

    /** The stochastic blocks. */
    public enum Stochastic { NONE, METROPOLIS, LANGEVIN }

    private final Energy target;
    private int dim;
    private int blocks = 3;
    private int[] hidden = {64, 64};
    private Couplings couplings = Couplings.AFFINE;
    private int splineBins = 20;
    private double tailBound = 3.0;
    private Stochastic stochastic = Stochastic.NONE;
    private int steps = 20;
    private double stepSize = 0.25;
    private boolean trainableStepSize;
    private boolean differentiateForce;
    private boolean priorBlock = true;
    private DType dtype = DType.FLOAT32;

    private SnfBuilder(Energy target) {
        this.target = java.util.Objects.requireNonNull(target, "target");
        this.dim = target.dim();
    }

    /** A builder for a generator of exp(-target). */
    public static SnfBuilder to(Energy target) {
        return new SnfBuilder(target);
    }

    /** Dimension (needed when the target works in any dimension). */
    public SnfBuilder dim(int dim) {
        this.dim = dim;
        return this;
    }

    /** Number of blocks of two couplings (default 3). */
    public SnfBuilder blocks(int blocks) {
        this.blocks = blocks;
        return this;
    }

    /** Hidden layer widths of every coupling network (default 64, 64). */
    public SnfBuilder hidden(int... hidden) {
        this.hidden = hidden.clone();
        return this;
    }

    public SnfBuilder couplings(Couplings couplings) {
        this.couplings = couplings;
        return this;
    }

    /** Spline bins and tail bound (defaults 20 and 3, the paper's double-well NSF). */
    public SnfBuilder spline(int bins, double tailBound) {
        this.splineBins = bins;
        this.tailBound = tailBound;
        return this;
    }

    public SnfBuilder stochastic(Stochastic stochastic) {
        this.stochastic = stochastic;
        return this;
    }

    /** MC steps or Langevin steps per stochastic block (default 20). */
    public SnfBuilder steps(int steps) {
        this.steps = steps;
        return this;
    }

    /** MC proposal std or Langevin time step (default 0.25). */
    public SnfBuilder stepSize(double stepSize) {
        this.stepSize = stepSize;
        return this;
    }

    public SnfBuilder trainableStepSize(boolean trainable) {
        this.trainableStepSize = trainable;
        return this;
    }

    /** Langevin blocks differentiate through their forces (gradients of gradients). */
    public SnfBuilder differentiateForce(boolean differentiate) {
        this.differentiateForce = differentiate;
        return this;
    }

    /** Whether a stochastic block on the prior comes first (default true, as the paper). */
    public SnfBuilder priorBlock(boolean priorBlock) {
        this.priorBlock = priorBlock;
        return this;
    }

    public SnfBuilder dtype(DType dtype) {
        this.dtype = dtype;
        return this;
    }

    /** The lambdas of the stochastic blocks, in sampling order. */
    public double[] lambdas() {
        if (stochastic == Stochastic.NONE) {
            return new double[0];
        }
        List<Double> l = new ArrayList<>();
        if (priorBlock) {
            l.add(0.0);
        }
        for (int i = 0; i < blocks; i++) {
            l.add(i < blocks - 1 ? (double) i / (blocks - 1) : 1.0);
        }
        return l.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /**
     * Builds the generator: the coupling networks are initialised from {@code rng} in order, then
     * every stochastic block gets a generator split from it.
     */
    public BoltzmannGenerator build(Rng rng) {
        if (dim < 2) {
            throw new IllegalArgumentException("a coupling flow needs dimension >= 2 (set dim() for an energy of any "
                    + "dimension), got " + dim);
        }
        if (target.dim() >= 0 && target.dim() != dim) {
            throw new IllegalArgumentException("dimension " + dim + " differs from the target's " + target.dim());
        }
        if (blocks < 1) {
            throw new IllegalArgumentException("blocks must be >= 1, got " + blocks);
        }
        Energy prior = Energy.standardNormal(dim);
        List<Transform> sampling = new ArrayList<>();
        List<Integer> at = new ArrayList<>();
        double[] lambdas = lambdas();
        if (stochastic != Stochastic.NONE && priorBlock) {
            at.add(0);
        }
        for (int i = 0; i < blocks; i++) {
            for (boolean second : new boolean[] {true, false}) {
                sampling.add(couplings == Couplings.SPLINE
                        ? SplitCoupling.spline(dim, second, hidden, splineBins, tailBound, rng, dtype)
                        : SplitCoupling.paperAffine(dim, second, hidden, rng, dtype));
            }
            if (stochastic != Stochastic.NONE) {
                at.add(sampling.size());
            }
        }
        List<Transform> all = new ArrayList<>();
        int k = 0;
        for (int pos = 0; pos <= sampling.size(); pos++) {
            while (k < at.size() && at.get(k) == pos) {
                all.add(stochasticBlock(new InterpolatedEnergy(prior, target, lambdas[k]), rng.split()));
                k++;
            }
            if (pos < sampling.size()) {
                all.add(sampling.get(pos));
            }
        }
        Collections.reverse(all); // flows4j order: data -> base
        Flow flow = new Flow(new StandardNormal(dim), new Composite(all), dtype);
        return new BoltzmannGenerator(flow, prior, target);
    }

    private Transform stochasticBlock(Energy u, Rng rng) {
        return switch (stochastic) {
            case METROPOLIS -> MetropolisMC.builder(u).dim(dim).steps(steps).stepSize(stepSize)
                    .trainableStepSize(trainableStepSize).dtype(dtype).build(rng);
            case LANGEVIN -> OverdampedLangevin.builder(u).dim(dim).steps(steps).stepSize(stepSize)
                    .trainableStepSize(trainableStepSize).differentiateForce(differentiateForce).dtype(dtype).build(rng);
            case NONE -> throw new IllegalStateException("no stochastic blocks");
        };
    }
}
