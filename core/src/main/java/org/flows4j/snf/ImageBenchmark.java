package org.flows4j.snf;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.flows4j.energy.ImageEnergy;
import org.flows4j.nn.Adam;
import org.flows4j.stochastic.MetropolisMC;
import org.flows4j.stochastic.StochasticLayers;
import org.flows4j.tensor.Autograd;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;

/**
 * The 2-D image benchmark of the stochastic-normalizing-flows paper (Fig. 3; SNF.md, Benchmark 2):
 * flows trained by maximum likelihood on exact samples of an image density, pure Metropolis from
 * the prior, and the KL divergence of 500000 samples' histogram from the exact density, as the
 * reference code does them.
 *
 * <p>Model layout (the reference's image notebook): for block i of n, coupling (second half |
 * first), coupling (first | second), and for stochastic flows Metropolis moves on
 * u_lambda, lambda = i / (n - 1), after every block but the last, then on the target; no moves on
 * the prior first. "Depth" counts blocks of two couplings, as the paper's text does; its plots count
 * coupling layers (twice the depth).
 */
public final class ImageBenchmark {
    private ImageBenchmark() {}

    /** Coupling-layer counts at which the paper's Fig. 3d gives the dog's KL. */
    public static final int[] PAPER_LAYERS = {2, 4, 6, 8, 12, 16};
    /** Metropolis step counts at which the paper's Fig. 3e gives pure Metropolis's KL (dog). */
    public static final int[] PAPER_MC_STEPS = {20, 50, 100, 200, 500, 1000};
    private static final double[] PAPER_MC_KL = {1.0, 0.68, 0.43, 0.24, 0.10, 0.055};

    /** The flows and samplers of Fig. 3. */
    public enum Method {
        RNVP("rnvp", false, false, new double[] {0.41, 0.26, 0.20, 0.17, 0.18, 0.17}, 0.167, 0.012, 25),
        RNVP_MC("rnvp+mc", false, true, new double[] {0.23, 0.15, 0.12, 0.09, 0.10, 0.11}, 0.096, 0.003, 59),
        NSF("nsf", true, false, new double[] {0.11, 0.09, 0.08, 0.08, 0.11, 0.09}, 0.087, 0.009, 70),
        NSF_MC("nsf+mc", true, true, new double[] {0.05, 0.05, 0.05, 0.05, 0.05, 0.075}, 0.058, 0.002, 114),
        /** Metropolis moves on the target from prior samples, no flow. */
        MC("mc", false, true, null, Double.NaN, Double.NaN, Double.NaN);

        private final String label;
        private final boolean spline;
        private final boolean stochastic;
        private final double[] paperByLayers;
        private final double rerunKl;
        private final double rerunKlStd;
        private final double rerunTrainSeconds;

        Method(String label, boolean spline, boolean stochastic, double[] paperByLayers, double rerunKl, double rerunKlStd,
                double rerunTrainSeconds) {
            this.label = label;
            this.spline = spline;
            this.stochastic = stochastic;
            this.paperByLayers = paperByLayers;
            this.rerunKl = rerunKl;
            this.rerunKlStd = rerunKlStd;
            this.rerunTrainSeconds = rerunTrainSeconds;
        }

        public String label() {
            return label;
        }

        public boolean spline() {
            return spline;
        }

        public boolean stochastic() {
            return stochastic;
        }

        /** True for the trained flows (all but pure Metropolis). */
        public boolean trained() {
            return this != MC;
        }

        /**
         * The dog's KL in the paper's Fig. 3d at this many coupling layers (as read off the
         * reference's plot; SNF.md), or NaN where it gives none.
         */
        public double paperKl(int couplingLayers) {
            if (paperByLayers == null) {
                return Double.NaN;
            }
            for (int i = 0; i < PAPER_LAYERS.length; i++) {
                if (PAPER_LAYERS[i] == couplingLayers) {
                    return paperByLayers[i];
                }
            }
            return Double.NaN;
        }

        /** The paper's code re-run on a machine like this one, dog at depth 5: KL mean, std (3 seeds). */
        public double[] rerunKl() {
            return new double[] {rerunKl, rerunKlStd};
        }

        /** The paper's code re-run here: seconds of training at depth 5 on one thread. */
        public double rerunTrainSeconds() {
            return rerunTrainSeconds;
        }

        public static Method parse(String label) {
            for (Method m : values()) {
                if (m.label.equalsIgnoreCase(label.trim())) {
                    return m;
                }
            }
            throw new IllegalArgumentException("unknown method '" + label + "' (expected rnvp, nsf, rnvp+mc, nsf+mc or mc)");
        }
    }

    /** Pure Metropolis's KL for the dog at {@code steps} moves in the paper's Fig. 3e, or NaN. */
    public static double paperMetropolisKl(int steps) {
        for (int i = 0; i < PAPER_MC_STEPS.length; i++) {
            if (PAPER_MC_STEPS[i] == steps) {
                return PAPER_MC_KL[i];
            }
        }
        return Double.NaN;
    }

    /** The reference's 500000-sample evaluation time on this machine without gradients (seconds, range). */
    public static final double[] RERUN_EVAL_SECONDS_NO_GRAD = {7.5, 21};
    /** ... and as its notebook runs it (keeping the autograd graph). */
    public static final double[] RERUN_EVAL_SECONDS_NOTEBOOK = {29, 68};

    /** Everything the benchmark fixes. */
    public record Settings(int blocks, int[] hidden, int mcSteps, double mcStepSize, int splineBins, double tailBound,
            int iterations, int batchSize, double learningRate, int dataSamples, int evalSamples, int bins) {
        public Settings {
            hidden = hidden.clone();
            check(blocks >= 1, "depth must be >= 1");
            check(hidden.length >= 1 && java.util.Arrays.stream(hidden).allMatch(h -> h >= 1), "hidden sizes must be >= 1");
            check(mcSteps >= 0, "MC steps must be >= 0");
            check(mcStepSize > 0 && Double.isFinite(mcStepSize), "MC step size must be a positive number");
            check(splineBins >= 2, "spline bins must be >= 2");
            check(tailBound > 0 && Double.isFinite(tailBound), "tail bound must be a positive number");
            check(iterations >= 0, "iterations must be >= 0");
            check(batchSize >= 1, "batch size must be >= 1");
            check(learningRate > 0 && Double.isFinite(learningRate), "learning rate must be a positive number");
            check(dataSamples >= 1, "data samples must be >= 1");
            check(evalSamples >= 1, "evaluation samples must be >= 1");
            check(bins >= 2, "histogram bins must be >= 2");
        }

        private static void check(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }

        @Override
        public int[] hidden() {
            return hidden.clone();
        }

        /**
         * The paper's: depth 5, hidden [64, 64, 64], 10 MC steps of 0.1 per stochastic block, 20
         * spline bins with the given tail bound (3.5 for the dog), Adam 1e-3, batch 250, 2000
         * iterations, 50000 data points, 500000 evaluation samples, 50 x 50 bins.
         */
        public static Settings paper(double tailBound) {
            return new Settings(5, new int[] {64, 64, 64}, 10, 0.1, 20, tailBound, 2000, 250, 1e-3, 50_000, 500_000, 50);
        }

        public Settings withBlocks(int b) {
            return new Settings(b, hidden, mcSteps, mcStepSize, splineBins, tailBound, iterations, batchSize, learningRate,
                    dataSamples, evalSamples, bins);
        }

        public Settings withMcSteps(int s) {
            return new Settings(blocks, hidden, s, mcStepSize, splineBins, tailBound, iterations, batchSize, learningRate,
                    dataSamples, evalSamples, bins);
        }

        public Settings withTraining(int iters, int batch, double lr) {
            return new Settings(blocks, hidden, mcSteps, mcStepSize, splineBins, tailBound, iters, batch, lr, dataSamples,
                    evalSamples, bins);
        }

        public Settings withSamples(int data, int eval) {
            return new Settings(blocks, hidden, mcSteps, mcStepSize, splineBins, tailBound, iterations, batchSize,
                    learningRate, data, eval, bins);
        }

        public Settings withHidden(int... h) {
            return new Settings(blocks, h, mcSteps, mcStepSize, splineBins, tailBound, iterations, batchSize, learningRate,
                    dataSamples, evalSamples, bins);
        }

        public Settings withBins(int b) {
            return new Settings(blocks, hidden, mcSteps, mcStepSize, splineBins, tailBound, iterations, batchSize,
                    learningRate, dataSamples, evalSamples, b);
        }

        /** Metropolis moves per sample: steps per block times blocks (pure Metropolis: the steps). */
        public int totalMcSteps(Method m) {
            if (m == Method.MC) {
                return mcSteps;
            }
            return m.stochastic() ? mcSteps * blocks : 0;
        }
    }

    /** The flow of {@code method} (not {@link Method#MC}) towards {@code target}. */
    public static BoltzmannGenerator build(Method method, Settings s, ImageEnergy target, Rng rng) {
        if (!method.trained()) {
            throw new IllegalArgumentException("pure Metropolis has no flow to build");
        }
        boolean mc = method.stochastic() && s.mcSteps() > 0;
        return SnfBuilder.to(target).dim(2).blocks(s.blocks()).hidden(s.hidden())
                .couplings(method.spline() ? SnfBuilder.Couplings.SPLINE : SnfBuilder.Couplings.AFFINE)
                .spline(s.splineBins(), s.tailBound())
                .stochastic(mc ? SnfBuilder.Stochastic.METROPOLIS : SnfBuilder.Stochastic.NONE)
                .steps(Math.max(1, s.mcSteps())).stepSize(s.mcStepSize()).priorBlock(false).dtype(DType.FLOAT32)
                .build(rng);
    }

    /** Exact training data: {@code n} points, row-major [n * 2] float32. */
    public static float[] exactData(ImageEnergy target, int n, Rng rng) {
        double[] d = ImageSampler.of(target).sample(n, rng);
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    /** Training progress: iteration index (from 0), its loss. */
    @FunctionalInterface
    public interface Listener {
        void onIteration(int iteration, double loss);
    }

    /** Losses per iteration, seconds, and whether the fused kernels ran. */
    public record Training(double[] losses, double seconds, boolean fused) {}

    /**
     * Maximum likelihood, as the reference: Adam, each iteration a batch drawn with replacement
     * from the data; the fused kernels when they support the model (unless {@code generic}).
     *
     * @throws SnfTrainer.DivergedException if a loss stops being finite
     */
    public static Training train(BoltzmannGenerator bg, float[] data, Settings s, Rng rng, boolean generic,
            Listener listener) {
        int n = data.length / 2;
        Optional<PointwiseSnf> fused = generic ? Optional.empty() : PointwiseSnf.of(bg);
        long t0 = System.nanoTime();
        double[] losses = new double[s.iterations()];
        if (fused.isPresent()) {
            PointwiseSnf.Trainer tr = fused.get().newTrainer();
            Adam adam = new Adam(bg.parameters(), s.learningRate());
            float[] batch = new float[2 * s.batchSize()];
            for (int it = 0; it < s.iterations(); it++) {
                int[] idx = rng.randint(n, s.batchSize());
                for (int i = 0; i < idx.length; i++) {
                    batch[2 * i] = data[2 * idx[i]];
                    batch[2 * i + 1] = data[2 * idx[i] + 1];
                }
                double loss = tr.step(batch, s.batchSize());
                if (!Double.isFinite(loss)) {
                    throw new SnfTrainer.DivergedException("training diverged at step " + it + " (loss " + loss
                            + "); try a smaller learning rate");
                }
                adam.step(tr.gradients());
                losses[it] = loss;
                if (listener != null) {
                    listener.onIteration(it, loss);
                }
            }
            return new Training(losses, (System.nanoTime() - t0) / 1e9, true);
        }
        double[] dd = new double[data.length];
        for (int i = 0; i < dd.length; i++) {
            dd[i] = data[i];
        }
        Tensor dataT = Tensor.of(DType.FLOAT32, dd, n, 2);
        SnfTrainer.Result r = SnfTrainer.train(bg, dataT,
                new SnfTrainer.Config(List.of(SnfTrainer.Phase.ml(s.iterations())), s.batchSize(), s.learningRate()), rng,
                step -> {
                    losses[step.step()] = step.loss();
                    if (listener != null) {
                        listener.onIteration(step.step(), step.loss());
                    }
                });
        return new Training(losses, r.seconds(), false);
    }

    /**
     * {@code n} samples of a trained flow without gradients, row-major [n * 2]: on one thread the
     * generator's own evaluation path ({@link BoltzmannGenerator#sampleArrays}: one-input networks
     * in their piecewise-linear form, vectorised splines and Metropolis), on more the chunked
     * {@link PointwiseSnf} sampler (chunk c draws from the c-th generator split from {@code rng}, so
     * its result does not depend on the number of threads; the two paths draw different numbers).
     */
    public static float[] sample(BoltzmannGenerator bg, int n, Rng rng, int threads) {
        if (threads > 1) {
            Optional<PointwiseSnf> fused = PointwiseSnf.of(bg);
            if (fused.isPresent()) {
                return fused.get().sample(n, rng, threads).x();
            }
        }
        StochasticLayers.reseed(bg.transform(), rng.split());
        BoltzmannGenerator.SampleArrays a = bg.sampleArrays(n, Math.min(n, 100_000), rng);
        float[] out = new float[a.x().length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) a.x()[i];
        }
        return out;
    }

    /**
     * {@code n} samples of pure Metropolis: prior draws moved {@code steps} times on the target (on
     * one thread by a {@link MetropolisMC} layer, on more by the chunked sampler).
     */
    public static float[] sampleMetropolis(ImageEnergy target, int steps, double stepSize, int n, Rng rng, int threads) {
        if (threads > 1 || steps == 0) {
            return PointwiseSnf.metropolis(target, steps, stepSize).sample(n, rng, threads).x();
        }
        MetropolisMC mc = MetropolisMC.builder(target).dim(2).steps(steps).stepSize(stepSize).dtype(DType.FLOAT32)
                .build(rng.split());
        float[] out = new float[2 * n];
        int chunk = 100_000;
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            for (int s = 0; s < n; s += chunk) {
                int m = Math.min(chunk, n - s);
                Tensor z = Tensor.randn(rng, DType.FLOAT32, m, 2);
                float[] y = mc.forward(z, null).y().toFloatArray();
                System.arraycopy(y, 0, out, 2 * s, 2 * m);
            }
        }
        return out;
    }

    /**
     * The KL of samples against the exact density (the reference's way, and at bin centres), the
     * histogram and the reference grid.
     */
    public record Evaluation(double kl, double klAtCentres, double[][] histogram, double[][] reference, double[] box,
            double insideFraction) {}

    /** The paper's KL of these samples (row-major [n * 2]) over the target's box with {@code bins} per axis. */
    public static Evaluation evaluate(ImageEnergy target, float[] samples, int bins) {
        double[] box = target.box();
        int n = samples.length / 2;
        double[][] h = HistogramKl.histogram(samples, n, box, bins);
        double[][] p = HistogramKl.reference(target, box, bins);
        double[][] pc = HistogramKl.referenceAtCentres(target, box, bins);
        double inside = 0;
        for (double[] row : h) {
            for (double v : row) {
                inside += v;
            }
        }
        if (inside == 0) {
            return new Evaluation(Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, h, p, box, 0);
        }
        return new Evaluation(HistogramKl.kl(p, h), HistogramKl.kl(pc, h), h, p, box, inside / n);
    }

    /** The coupling-layer counts of the paper's depth sweep as depths (blocks of two). */
    public static List<Integer> paperDepths() {
        List<Integer> d = new ArrayList<>();
        for (int l : PAPER_LAYERS) {
            d.add(l / 2);
        }
        return d;
    }
}
