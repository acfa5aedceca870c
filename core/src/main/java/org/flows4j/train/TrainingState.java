package org.flows4j.train;

import org.flows4j.nn.Adam;
import org.flows4j.tensor.Rng;

/**
 * Where a training run stands after {@code step} updates: with the flow's weights, everything
 * needed to continue it exactly as if it had never stopped.
 *
 * @param step number of updates done
 * @param lossHistory the batch losses of those updates ({@code step} values)
 * @param optimizer Adam's step count and moments
 * @param rng the state of the minibatch generator
 */
public record TrainingState(int step, double[] lossHistory, Adam.State optimizer, Rng.State rng) {
    public TrainingState {
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, got " + step);
        }
        if (lossHistory.length != step) {
            throw new IllegalArgumentException("a state after " + step + " steps needs " + step + " losses, got "
                    + lossHistory.length);
        }
        if (optimizer.step() != step) {
            throw new IllegalArgumentException("optimizer has taken " + optimizer.step() + " steps, the run " + step);
        }
        lossHistory = lossHistory.clone();
    }

    @Override
    public double[] lossHistory() {
        return lossHistory.clone();
    }
}
