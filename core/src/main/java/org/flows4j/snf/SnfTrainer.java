package org.flows4j.snf;

import java.util.ArrayList;
import java.util.List;
import org.flows4j.nn.Adam;
import org.flows4j.tensor.Autograd;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;

/**
 * Trains a {@link BoltzmannGenerator} (with or without stochastic layers) with Adam on any mix of
 * the two path losses, in phases: loss = (w_ml J_ML + w_kl J_KL) / (w_ml + w_kl), J_ML on a
 * minibatch of data drawn with replacement, J_KL on as many fresh prior samples. One optimizer
 * runs through all phases (its moments carry over), as the paper's double-well protocol does with
 * 300 iterations of ML and 300 of 0.5 ML + 0.5 KL.
 */
public final class SnfTrainer {
    private SnfTrainer() {}

    /**
     * Whether supported generators train with {@link FusedSnf} (the same losses and gradients as
     * the autodiff path to float32 rounding; {@code -Dflows4j.fused=false} switches it off).
     */
    private static final boolean FUSED = !"false".equalsIgnoreCase(System.getProperty("flows4j.fused"));

    /** {@code iterations} steps with the given loss weights (each >= 0, not both 0). */
    public record Phase(int iterations, double mlWeight, double klWeight) {
        public Phase {
            if (iterations < 0) {
                throw new IllegalArgumentException("iterations must be >= 0, got " + iterations);
            }
            if (!(mlWeight >= 0) || !(klWeight >= 0) || !(mlWeight + klWeight > 0) || !Double.isFinite(mlWeight + klWeight)) {
                throw new IllegalArgumentException("loss weights must be >= 0 and not both 0, got ML " + mlWeight + ", KL "
                        + klWeight);
            }
        }

        public static Phase ml(int iterations) {
            return new Phase(iterations, 1, 0);
        }

        public static Phase kl(int iterations) {
            return new Phase(iterations, 0, 1);
        }
    }

    /** Phases, minibatch size (data rows and prior samples per step) and Adam learning rate. */
    public record Config(List<Phase> phases, int batchSize, double learningRate) {
        public Config {
            phases = List.copyOf(phases);
            if (phases.isEmpty()) {
                throw new IllegalArgumentException("training needs at least one phase");
            }
            if (batchSize < 1) {
                throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
            }
            if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
                throw new IllegalArgumentException("learning rate must be a positive number, got " + learningRate);
            }
        }

        public int totalIterations() {
            int s = 0;
            for (Phase p : phases) {
                s += p.iterations();
            }
            return s;
        }
    }

    /** One step: index (from 0 over all phases), phase index, the mixed loss and its parts (NaN when not computed). */
    public record Step(int step, int phase, double loss, double ml, double kl) {}

    @FunctionalInterface
    public interface Listener {
        void onStep(Step step);
    }

    /** Every step's record and the seconds taken. */
    public record Result(List<Step> steps, double seconds) {
        public double[] losses() {
            return steps.stream().mapToDouble(Step::loss).toArray();
        }
    }

    /** Thrown when a loss stops being a finite number. */
    public static final class DivergedException extends RuntimeException {
        public DivergedException(String message) {
            super(message);
        }
    }

    /**
     * Runs the phases.
     *
     * @param data [n, dim] samples of the target, needed when a phase has an ML weight (else may be null)
     * @param rng draws minibatch indices and prior samples (stochastic layers use their own generators)
     */
    public static Result train(BoltzmannGenerator bg, Tensor data, Config config, Rng rng, Listener listener) {
        boolean needsData = config.phases().stream().anyMatch(p -> p.mlWeight() > 0 && p.iterations() > 0);
        if (needsData && (data == null || data.rank() != 2 || data.size(1) != bg.dim() || data.size(0) < 1)) {
            throw new IllegalArgumentException("ML training needs data of shape [n, " + bg.dim() + "]");
        }
        List<Tensor> params = bg.parameters();
        Adam adam = new Adam(params, config.learningRate());
        java.util.Optional<FusedSnf> fused = FUSED ? FusedSnf.of(bg) : java.util.Optional.empty();
        List<Step> steps = new ArrayList<>();
        long t0 = System.nanoTime();
        int step = 0;
        try (Autograd.Scope ignored = Autograd.setGradEnabled(true)) {
            for (int ph = 0; ph < config.phases().size(); ph++) {
                Phase phase = config.phases().get(ph);
                double total = phase.mlWeight() + phase.klWeight();
                for (int it = 0; it < phase.iterations(); it++) {
                    if (fused.isPresent()) {
                        FusedSnf f = fused.get();
                        FusedSnf.Losses l = f.step(data, phase.mlWeight(), phase.klWeight(), config.batchSize(), rng);
                        if (!Double.isFinite(l.loss())) {
                            throw new DivergedException("training diverged at step " + step + " (loss " + l.loss()
                                    + "); try a smaller learning rate");
                        }
                        adam.step(f.gradients());
                        Step s = new Step(step, ph, l.loss(), l.ml(), l.kl());
                        steps.add(s);
                        if (listener != null) {
                            listener.onStep(s);
                        }
                        step++;
                        continue;
                    }
                    Tensor loss = null;
                    double ml = Double.NaN;
                    double kl = Double.NaN;
                    if (phase.mlWeight() > 0) {
                        Tensor batch = data.indexSelect(rng.randint(data.size(0), config.batchSize()));
                        Tensor j = bg.mlLoss(batch);
                        ml = j.item();
                        loss = j.mul(phase.mlWeight() / total);
                    }
                    if (phase.klWeight() > 0) {
                        Tensor j = bg.klLoss(config.batchSize(), rng);
                        kl = j.item();
                        Tensor part = j.mul(phase.klWeight() / total);
                        loss = loss == null ? part : loss.add(part);
                    }
                    double value = loss.item();
                    if (!Double.isFinite(value)) {
                        throw new DivergedException("training diverged at step " + step + " (loss " + value
                                + "); try a smaller learning rate");
                    }
                    adam.step(Autograd.grad(loss, params));
                    Step s = new Step(step, ph, value, ml, kl);
                    steps.add(s);
                    if (listener != null) {
                        listener.onStep(s);
                    }
                    step++;
                }
            }
        }
        return new Result(List.copyOf(steps), (System.nanoTime() - t0) / 1e9);
    }
}
