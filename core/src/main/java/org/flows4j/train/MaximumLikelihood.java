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

    /**
     * What a training run produced: the losses of all steps (those before a resume included), the
     * seconds this call took and how many steps it ran.
     */
    public record Result(double[] lossHistory, double seconds, int stepsRun) {
        public Result(double[] lossHistory, double seconds) {
            this(lossHistory, seconds, lossHistory.length);
        }

        public double stepsPerSecond() {
            return stepsRun / seconds;
        }
    }

    /** Receives the training state every so many steps (e.g. to write a checkpoint). */
    @FunctionalInterface
    public interface CheckpointSink {
        void save(TrainingState state) throws java.io.IOException;
    }

    /** Hand the state to {@code sink} after every {@code every} steps. */
    public record Checkpointing(int every, CheckpointSink sink) {
        public Checkpointing {
            if (every < 1) {
                throw new IllegalArgumentException("checkpoint interval must be >= 1 step, got " + every);
            }
            java.util.Objects.requireNonNull(sink, "sink");
        }
    }

    /** Thrown when a checkpoint cannot be written; training stops (the previous checkpoint is intact). */
    public static final class CheckpointException extends RuntimeException {
        public CheckpointException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Thrown when the loss stops being a finite number. */
    public static final class DivergedException extends RuntimeException {
        public DivergedException(String message) {
            super(message);
        }
    }

    /** Training settings, validated on build. */
    public record Config(int steps, int batchSize, double learningRate, LearningRateSchedule schedule) {
        /** A constant learning rate (the seed's). */
        public Config(int steps, int batchSize, double learningRate) {
            this(steps, batchSize, learningRate, LearningRateSchedule.CONSTANT);
        }

        public Config {
            java.util.Objects.requireNonNull(schedule, "schedule");
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
        return train(flow, data, config, rng, listener, null, null);
    }

    /** Where each step's minibatch rows come from: {@code out.length} row indices in [0, n). */
    @FunctionalInterface
    public interface BatchIndices {
        void draw(int n, int[] out);
    }

    /**
     * As {@link #train(Flow, Tensor, Config, Rng, Listener)} with the minibatch rows from
     * {@code batches} (for example {@link org.flows4j.data.TorchGenerator#randint}, to train on
     * the batches a PyTorch run draws); no checkpoints (they record an {@link Rng}'s state).
     */
    public static Result train(Flow flow, Tensor data, Config config, BatchIndices batches, Listener listener) {
        return run(flow, data, config, batches, null, listener, null, null);
    }

    /**
     * As {@link #train(Flow, Tensor, Config, Rng, Listener)}, optionally continuing from a saved
     * state and handing out states as it goes.
     *
     * <p>To resume, give the flow the weights it had when {@code resume} was taken and the same
     * data and config: Adam's moments and the minibatch generator ({@code rng}) are put back
     * into that state, the loop continues at step {@code resume.step()}, and the run ends with
     * exactly the weights and loss history of one that never stopped.
     *
     * @param resume state to continue from, or null to start afresh
     * @param checkpointing where states go and how often, or null for none
     */
    public static Result train(Flow flow, Tensor data, Config config, Rng rng, Listener listener,
            TrainingState resume, Checkpointing checkpointing) {
        return run(flow, data, config, rng::randint, rng, listener, resume, checkpointing);
    }

    /** The loop; {@code rng} is the generator behind {@code batches} when it is one (for resuming and checkpoints). */
    private static Result run(Flow flow, Tensor data, Config config, BatchIndices batches, Rng rng, Listener listener,
            TrainingState resume, Checkpointing checkpointing) {
        if (data.rank() != 2 || data.size(1) != flow.dim()) {
            throw new IllegalArgumentException("data must be [n, " + flow.dim() + "], got "
                    + java.util.Arrays.toString(data.shape()));
        }
        List<Tensor> params = flow.parameters();
        Adam adam = new Adam(params, config.learningRate());
        double[] history = new double[config.steps()];
        int start = 0;
        if (resume != null) {
            if (resume.step() > config.steps()) {
                throw new IllegalArgumentException("cannot resume at step " + resume.step() + " a run of "
                        + config.steps() + " steps");
            }
            adam.restore(resume.optimizer());
            rng.restore(resume.rng());
            start = resume.step();
            System.arraycopy(resume.lossHistory(), 0, history, 0, start);
        }
        LossGradient lossGradient = LossGradient.forFlow(flow);
        int n = data.size(0);
        long t0 = System.nanoTime();
        // the minibatch lives in one buffer refilled every step: a step allocates nothing here
        int dim = data.size(1);
        int[] idx = new int[config.batchSize()];
        Tensor batch = Tensor.zeros(data.dtype(), config.batchSize(), dim);
        for (int step = start; step < config.steps(); step++) {
            batches.draw(n, idx);
            gatherRows(data, idx, dim, batch);
            LossGradient.Value v = lossGradient.compute(batch);
            double value = v.loss();
            if (!Double.isFinite(value)) {
                throw new DivergedException("training diverged at step " + step + " (loss " + value
                        + "); try a smaller learning rate");
            }
            adam.step(v.gradients(), config.learningRate() * config.schedule().factor(step, config.steps()));
            history[step] = value;
            if (listener != null) {
                listener.onStep(step, value);
            }
            if (checkpointing != null && (step + 1) % checkpointing.every() == 0) {
                TrainingState state = new TrainingState(step + 1, java.util.Arrays.copyOf(history, step + 1),
                        adam.state(), rng.state());
                try {
                    checkpointing.sink().save(state);
                } catch (java.io.IOException e) {
                    throw new CheckpointException("cannot write the checkpoint after step " + (step + 1) + ": "
                            + e.getMessage(), e);
                }
            }
        }
        return new Result(history, (System.nanoTime() - t0) / 1e9, config.steps() - start);
    }

    /** dst[i] = src[idx[i]] row by row, into dst's own storage. */
    private static void gatherRows(Tensor src, int[] idx, int dim, Tensor dst) {
        if (src.rawFloats() != null) {
            float[] s = src.rawFloats();
            float[] d = dst.rawFloats();
            for (int i = 0; i < idx.length; i++) {
                System.arraycopy(s, idx[i] * dim, d, i * dim, dim);
            }
        } else {
            double[] s = src.rawDoubles();
            double[] d = dst.rawDoubles();
            for (int i = 0; i < idx.length; i++) {
                System.arraycopy(s, idx[i] * dim, d, i * dim, dim);
            }
        }
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
