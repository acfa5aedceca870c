package org.flows4j.stochastic;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.flows4j.tensor.Autograd;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;

/**
 * What the Metropolis and Langevin layers share: their generator, and both directions running the
 * one kernel, {@link #run}, which also records the trajectory for {@link #trajectory}.
 */
abstract class KernelLayer implements StochasticTransform {
    private Rng rng;

    KernelLayer(Rng rng) {
        this.rng = Objects.requireNonNull(rng, "rng");
    }

    @Override
    public final Rng rng() {
        return rng;
    }

    @Override
    public final void setRng(Rng rng) {
        this.rng = Objects.requireNonNull(rng, "rng");
    }

    @Override
    public final Result forward(Tensor x, Tensor context) {
        return run(x, null);
    }

    @Override
    public final Result inverse(Tensor y, Tensor context) {
        return run(y, null);
    }

    @Override
    public final Trajectory trajectory(Tensor x) {
        List<Tensor> states = new ArrayList<>();
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            Result r = run(x.detach(), states);
            return new Trajectory(List.copyOf(states), r.logAbsDet());
        }
    }

    /** One application of the kernel from x; when {@code states} is not null, every state is added to it. */
    abstract Result run(Tensor x, List<Tensor> states);
}
