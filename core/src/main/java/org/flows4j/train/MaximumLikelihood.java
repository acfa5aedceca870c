package org.flows4j.train;

import java.util.List;
import org.flows4j.flows.Flow;
import org.flows4j.nn.Adam;
import org.flows4j.tensor.Autograd;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;

/**
 * Fits a flow to data by maximum likelihood: Adam on the mean negative log-likelihood of random
 * minibatches (drawn with replacement, as the seed's torch.randint does).
 */
public final class MaximumLikelihood {
    private MaximumLikelihood() {}

    /** Called after every optimisation step with the step index (from 0) and the batch NLL before the update. */
    @FunctionalInterface
    public interface Listener {
        void onStep(int step, double loss);
    }

    /** What a training run produced. */
    public record Result(double[] lossHistory, double seconds) {
        public double stepsPerSecond() {
            return lossHistory.length / seconds;
        }
    }

    /** Thrown when the loss stops being a finite number. */
    public static final class DivergedException extends RuntimeException {
        public DivergedException(String message) {
            super(message);
        }
    }

    /** Training settings, validated on build. */
    public record Config(int steps, int batchSize, double learningRate) {
        public Config {
            if (steps < 1) {
                throw new IllegalArgumentException("steps must be >= 1, got " + steps);
            }
            if (batchSize < 1) {
                throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
            }
            if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
                throw new IllegalArgumentException("learning rate must be a positive number, got " + learningRate);
            }
        }
    }

    /**
     * Runs {@code config.steps()} Adam steps on {@code data} [n, dim]. The seed counts steps 0..N
     * inclusive; callers who want its table pass N + 1.
     */
    public static Result train(Flow flow, Tensor data, Config config, Rng rng, Listener listener) {
        if (data.rank() != 2 || data.size(1) != flow.dim()) {
            throw new IllegalArgumentException("data must be [n, " + flow.dim() + "], got "
                    + java.util.Arrays.toString(data.shape()));
        }
        List<Tensor> params = flow.parameters();
        Adam adam = new Adam(params, config.learningRate());
        LossGradient lossGradient = LossGradient.forFlow(flow);
        double[] history = new double[config.steps()];
        int n = data.size(0);
        long t0 = System.nanoTime();
        for (int step = 0; step < config.steps(); step++) {
            Tensor batch = data.indexSelect(rng.randint(n, config.batchSize()));
            LossGradient.Value v = lossGradient.compute(batch);
            double value = v.loss();
            if (!Double.isFinite(value)) {
                throw new DivergedException("training diverged at step " + step + " (loss " + value
                        + "); try a smaller learning rate");
            }
            adam.step(v.gradients());
            history[step] = value;
            if (listener != null) {
                listener.onStep(step, value);
            }
        }
        return new Result(history, (System.nanoTime() - t0) / 1e9);
    }

    /** Mean negative log-likelihood of all rows, evaluated in chunks without building a graph. */
    public static double nll(Flow flow, Tensor data) {
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            int n = data.size(0);
            int chunk = 8192;
            double total = 0;
            for (int s = 0; s < n; s += chunk) {
                Tensor part = data.slice(0, s, Math.min(n, s + chunk));
                total += flow.logProb(part).sum().item();
            }
            return -total / n;
        }
    }
}
