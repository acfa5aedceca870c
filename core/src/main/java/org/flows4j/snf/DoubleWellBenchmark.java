package org.flows4j.snf;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.flows4j.energy.DoubleWell;
import org.flows4j.stochastic.StochasticLayers;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;

/**
 * The double-well benchmark of the stochastic-normalizing-flows paper (Fig. 1, Fig. 4, Table 1):
 * the models, the exact data, the training protocol and the evaluation, as the reference code does
 * them (SNF.md, Benchmark 1).
 */
public final class DoubleWellBenchmark {
    private DoubleWellBenchmark() {}

    /** The four flows of Table 1. */
    public enum Method {
        RNVP("rnvp", false, false, new PaperRow(1.37, 0.55, 0.42, 0.09, 0.26, 0.21, 1.11, 0.39, 1.15, 0.41, 1.5, 0.5)),
        RNVP_MC("rnvp+mc", false, true, new PaperRow(1.48, 0.19, 0.26, 0.06, 0.15, 0.08, 0.61, 0.10, 0.63, 0.11, 1.5, 0.2)),
        NSF("nsf", true, false, new PaperRow(0.82, 0.36, 0.98, 0.16, 0.61, 0.24, 2.15, 0.44, 2.24, 0.47, 1.3, 0.3)),
        NSF_MC("nsf+mc", true, true, new PaperRow(0.44, 0.34, 0.45, 0.13, 0.08, 0.07, 0.59, 0.16, 0.60, 0.16, 0.7, 0.2));

        private final String label;
        private final boolean spline;
        private final boolean stochastic;
        private final PaperRow paper;

        Method(String label, boolean spline, boolean stochastic, PaperRow paper) {
            this.label = label;
            this.spline = spline;
            this.stochastic = stochastic;
            this.paper = paper;
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

        /** The paper's Table 1 row (mean and std over 10 trainings). */
        public PaperRow paper() {
            return paper;
        }

        /** The method called {@code label} ("rnvp", "rnvp+mc", "nsf", "nsf+mc"), case-insensitive. */
        public static Method parse(String label) {
            for (Method m : values()) {
                if (m.label.equalsIgnoreCase(label.trim())) {
                    return m;
                }
            }
            throw new IllegalArgumentException("unknown method '" + label + "' (expected rnvp, rnvp+mc, nsf or nsf+mc)");
        }
    }

    /**
     * The paper's RNVP with adaptive MC (step sizes trained too; Suppl. Table S1, as SNF.md lists
     * it): no unweighted total is given (NaN).
     */
    public static final PaperRow ADAPTIVE_MC_PAPER = new PaperRow(0.94, 0.19, 0.22, 0.02, 0.05, 0.05, 0.41, 0.04, 0.42,
            0.05, Double.NaN, Double.NaN);

    /**
     * A row of Table 1: mean and std over 10 trainings of bias, uncertainty, their reweighted
     * versions, the reweighted sqrt(bias^2 + unc^2) (two decimals, from the reference) and the
     * unweighted one (one decimal, as printed in the paper).
     */
    public record PaperRow(double bias, double biasStd, double unc, double uncStd, double biasRw, double biasRwStd,
            double uncRw, double uncRwStd, double totalRw, double totalRwStd, double total, double totalStd) {}

    /** Everything the benchmark fixes; {@link #paper()} gives the paper's values. */
    public record Settings(int blocks, int[] hidden, int mcSteps, double mcStepSize, boolean trainableStepSize,
            int splineBins, double tailBound, int mlIterations, int mixIterations, int batchSize, double learningRate,
            int dataSamples, int dataStride, double dataProposalStd, int evalSamples, int evalRepeats, int profileBins,
            DType dtype) {
        public Settings {
            hidden = hidden.clone();
            check(blocks >= 1, "blocks must be >= 1");
            check(hidden.length >= 1 && java.util.Arrays.stream(hidden).allMatch(h -> h >= 1), "hidden sizes must be >= 1");
            check(mcSteps >= 1, "MC steps must be >= 1");
            check(mcStepSize > 0 && Double.isFinite(mcStepSize), "MC step size must be a positive number");
            check(splineBins >= 2, "spline bins must be >= 2");
            check(tailBound > 0 && Double.isFinite(tailBound), "tail bound must be a positive number");
            check(mlIterations >= 0 && mixIterations >= 0 && mlIterations + mixIterations >= 1,
                    "training needs at least one iteration");
            check(batchSize >= 1, "batch size must be >= 1");
            check(learningRate > 0 && Double.isFinite(learningRate), "learning rate must be a positive number");
            check(dataSamples >= 1 && dataStride >= 1, "data samples and stride must be >= 1");
            check(dataProposalStd > 0 && Double.isFinite(dataProposalStd), "data proposal std must be positive");
            check(evalSamples >= 2 && evalRepeats >= 1, "evaluation needs >= 2 samples and >= 1 repeat");
            check(profileBins >= 2, "profile bins must be >= 2");
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
         * The paper's: 3 blocks of 2 couplings, hidden [64, 64], 20 MC steps of size 0.25 per
         * stochastic block, 20 spline bins with tail bound 3, Adam 5e-3 with batch 128 for 300 ML
         * then 300 mixed iterations; data 10000 points kept every 10th step of a Metropolis chain
         * with proposal std 1.5; evaluation 20 x 100000 samples, 30-bin profiles; float32.
         */
        public static Settings paper() {
            return new Settings(3, new int[] {64, 64}, 20, 0.25, false, 20, 3.0, 300, 300, 128, 5e-3, 10_000, 10, 1.5,
                    100_000, 20, 30, DType.FLOAT32);
        }

        public Settings withTraining(int ml, int mix) {
            return new Settings(blocks, hidden, mcSteps, mcStepSize, trainableStepSize, splineBins, tailBound, ml, mix,
                    batchSize, learningRate, dataSamples, dataStride, dataProposalStd, evalSamples, evalRepeats, profileBins,
                    dtype);
        }

        public Settings withEvaluation(int samples, int repeats) {
            return new Settings(blocks, hidden, mcSteps, mcStepSize, trainableStepSize, splineBins, tailBound, mlIterations,
                    mixIterations, batchSize, learningRate, dataSamples, dataStride, dataProposalStd, samples, repeats,
                    profileBins, dtype);
        }

        public Settings withMc(int steps, double stepSize, boolean trainable) {
            return new Settings(blocks, hidden, steps, stepSize, trainable, splineBins, tailBound, mlIterations,
                    mixIterations, batchSize, learningRate, dataSamples, dataStride, dataProposalStd, evalSamples,
                    evalRepeats, profileBins, dtype);
        }

        public Settings withDType(DType d) {
            return new Settings(blocks, hidden, mcSteps, mcStepSize, trainableStepSize, splineBins, tailBound, mlIterations,
                    mixIterations, batchSize, learningRate, dataSamples, dataStride, dataProposalStd, evalSamples,
                    evalRepeats, profileBins, d);
        }
    }

    /** The paper's 2-d double well. */
    public static DoubleWell energy() {
        return DoubleWell.paper(2);
    }

    /**
     * The model of {@code method}, in the reference code's layer order (sampling direction):
     * [MC on the prior]; for block i: coupling (second half | first), coupling (first | second),
     * [MC at lambda = i / (blocks - 1) unless i is the last block]; [MC on the target]. Stochastic
     * layers draw from generators split from {@code rng} after the networks are initialised.
     */
    public static BoltzmannGenerator build(Method method, Settings s, Rng rng) {
        return SnfBuilder.to(energy()).dim(2).blocks(s.blocks()).hidden(s.hidden())
                .couplings(method.spline() ? SnfBuilder.Couplings.SPLINE : SnfBuilder.Couplings.AFFINE)
                .spline(s.splineBins(), s.tailBound())
                .stochastic(method.stochastic() ? SnfBuilder.Stochastic.METROPOLIS : SnfBuilder.Stochastic.NONE)
                .steps(s.mcSteps()).stepSize(s.mcStepSize()).trainableStepSize(s.trainableStepSize()).priorBlock(true)
                .dtype(s.dtype()).build(rng);
    }

    /** The exact data: one Metropolis chain from (-2, 0) with proposal std 1.5, every 10th of 100000 states. */
    public static RandomWalkMetropolis.Chain exactData(Settings s, Rng rng) {
        DoubleWell u = energy();
        return RandomWalkMetropolis.run(u::energy, new double[] {-2, 0}, s.dataProposalStd(), s.dataSamples(),
                s.dataStride(), rng);
    }

    /** Rows as a [n, 2] tensor. */
    public static Tensor toTensor(double[][] rows, DType dtype) {
        int d = rows[0].length;
        double[] flat = new double[rows.length * d];
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(rows[r], 0, flat, r * d, d);
        }
        return Tensor.of(dtype, flat, rows.length, d);
    }

    /** The paper's protocol: {@code mlIterations} of ML, then {@code mixIterations} of 0.5 ML + 0.5 KL. */
    public static SnfTrainer.Result train(BoltzmannGenerator bg, Tensor data, Settings s, Rng rng,
            SnfTrainer.Listener listener) {
        List<SnfTrainer.Phase> phases = new ArrayList<>();
        if (s.mlIterations() > 0) {
            phases.add(SnfTrainer.Phase.ml(s.mlIterations()));
        }
        if (s.mixIterations() > 0) {
            phases.add(new SnfTrainer.Phase(s.mixIterations(), 0.5, 0.5));
        }
        return SnfTrainer.train(bg, data, new SnfTrainer.Config(phases, s.batchSize(), s.learningRate()), rng, listener);
    }

    /**
     * Free-energy profiles along x1 of one model and the paper's errors.
     *
     * @param centers bin centres of the last repeat (the reference compares at those)
     * @param profiles unweighted -log h per repeat, each shifted by the mean of its finite bins
     * @param weightedProfiles the same with importance weights exp(log w - mean log w)
     * @param exact u(x1, 0) at the centres minus its minimum
     * @param kish mean Kish effective sample size fraction over repeats
     */
    public record Evaluation(double[] centers, List<double[]> profiles, List<double[]> weightedProfiles, double[] exact,
            double bias, double unc, double biasRw, double uncRw, double kish) {
        public double total() {
            return Math.hypot(bias, unc);
        }

        public double totalRw() {
            return Math.hypot(biasRw, uncRw);
        }

        /** Mean profile over repeats, shifted so its minimum is zero (the reference's plot and bias). */
        public double[] meanProfile(boolean weighted) {
            return shiftedMean(weighted ? weightedProfiles : profiles);
        }

        /** Standard deviation over repeats per bin. */
        public double[] stdProfile(boolean weighted) {
            List<double[]> ps = weighted ? weightedProfiles : profiles;
            int b = centers.length;
            double[] out = new double[b];
            for (int j = 0; j < b; j++) {
                out[j] = std(ps, j);
            }
            return out;
        }
    }

    /** Progress of an evaluation: repeat index (from 0) out of all. */
    @FunctionalInterface
    public interface EvaluationListener {
        void onRepeat(int repeat, int repeats);
    }

    /**
     * The reference's evaluation (analysis.sample_energy and the notebook's bias_uncertainty): for
     * each repeat, {@code evalSamples} paths; 30-bin histograms of x1 over [min, max] of that
     * repeat's samples, unweighted and weighted by exp(log w - mean log w) rounded to float32 as the
     * reference computes them (weights below 1.4e-45 vanish, so a bin holding only such samples is
     * empty and left out instead of getting a huge finite F that would shift the whole profile; a
     * weight above the float32 range, which would make the reference's repeat NaN, is kept at the
     * float32 maximum instead); F = -log(density),
     * shifted by its mean over finite bins. Then, at the last repeat's bin centres, with the
     * target u(x1, 0) - min and the mean profile over repeats minus its minimum:
     * bias = |mean over bins with -2.25 < x1 < 2.25 of (target - mean profile)|, uncertainty =
     * mean over those bins of the std across repeats; reweighted likewise. Stochastic layers are
     * reseeded from {@code rng} first, so an evaluation is reproducible.
     */
    public static Evaluation evaluate(BoltzmannGenerator bg, Settings s, Rng rng, EvaluationListener listener) {
        StochasticLayers.reseed(bg.transform(), rng.split());
        List<double[]> profiles = new ArrayList<>();
        List<double[]> weighted = new ArrayList<>();
        double[] centers = null;
        double kish = 0;
        for (int r = 0; r < s.evalRepeats(); r++) {
            BoltzmannGenerator.SampleArrays a = bg.sampleArrays(s.evalSamples(), s.evalSamples(), rng);
            double[] x1 = a.column(0);
            double[] logW = a.logWeights().clone();
            double mean = 0;
            for (double v : logW) {
                mean += v;
            }
            mean /= logW.length;
            double[] w = new double[logW.length];
            for (int i = 0; i < logW.length; i++) {
                logW[i] -= mean;
                w[i] = (float) Math.exp(logW[i]);
            }
            FreeEnergyProfile f = FreeEnergyProfile.auto(x1, null, s.profileBins()).centered();
            FreeEnergyProfile fw = FreeEnergyProfile.autoWeights(x1, finite(w), s.profileBins()).centered();
            profiles.add(f.energies());
            weighted.add(fw.energies());
            centers = f.centers();
            kish += ImportanceWeights.kishFraction(logW);
            if (listener != null) {
                listener.onRepeat(r, s.evalRepeats());
            }
        }
        kish /= s.evalRepeats();
        DoubleWell u = energy();
        int b = centers.length;
        double[] exact = new double[b];
        double min = Double.POSITIVE_INFINITY;
        for (int j = 0; j < b; j++) {
            exact[j] = u.energy(new double[] {centers[j], 0});
            min = Math.min(min, exact[j]);
        }
        for (int j = 0; j < b; j++) {
            exact[j] -= min;
        }
        double[] mean = shiftedMean(profiles);
        double[] meanW = shiftedMean(weighted);
        boolean[] inside = new boolean[b];
        for (int j = 0; j < b; j++) {
            inside[j] = centers[j] > -2.25 && centers[j] < 2.25;
        }
        // The reference selects the bins for both uncertainties with the reweighted finite mask.
        boolean[] rwMask = new boolean[b];
        for (int j = 0; j < b; j++) {
            rwMask[j] = inside[j] && Double.isFinite(exact[j] - meanW[j]);
        }
        double bias = absMeanDifference(exact, mean, inside);
        double biasRw = absMeanDifference(exact, meanW, inside);
        double unc = meanStd(profiles, rwMask);
        double uncRw = meanStd(weighted, rwMask);
        return new Evaluation(centers, List.copyOf(profiles), List.copyOf(weighted), exact, bias, unc, biasRw, uncRw, kish);
    }

    /** Weights that overflowed float32 (log w more than 88.7 above the mean) kept at the float32 maximum. */
    private static double[] finite(double[] w) {
        for (int i = 0; i < w.length; i++) {
            if (!(w[i] <= Float.MAX_VALUE)) {
                w[i] = Float.MAX_VALUE;
            }
        }
        return w;
    }

    private static double[] shiftedMean(List<double[]> ps) {
        int b = ps.get(0).length;
        double[] m = new double[b];
        for (double[] p : ps) {
            for (int j = 0; j < b; j++) {
                m[j] += p[j];
            }
        }
        double min = Double.POSITIVE_INFINITY;
        for (int j = 0; j < b; j++) {
            m[j] /= ps.size();
            if (m[j] < min) {
                min = m[j];
            }
        }
        for (int j = 0; j < b; j++) {
            m[j] -= min;
        }
        return m;
    }

    private static double absMeanDifference(double[] exact, double[] mean, boolean[] inside) {
        double s = 0;
        int n = 0;
        for (int j = 0; j < exact.length; j++) {
            double d = exact[j] - mean[j];
            if (inside[j] && Double.isFinite(d)) {
                s += d;
                n++;
            }
        }
        return n == 0 ? Double.NaN : Math.abs(s / n);
    }

    private static double std(List<double[]> ps, int j) {
        double m = 0;
        for (double[] p : ps) {
            m += p[j];
        }
        m /= ps.size();
        double v = 0;
        for (double[] p : ps) {
            v += (p[j] - m) * (p[j] - m);
        }
        return Math.sqrt(v / ps.size());
    }

    /** Mean over the selected bins of the (population) std across repeats; bins with a non-finite entry are skipped. */
    private static double meanStd(List<double[]> ps, boolean[] mask) {
        double s = 0;
        int n = 0;
        for (int j = 0; j < mask.length; j++) {
            if (!mask[j]) {
                continue;
            }
            double sd = std(ps, j);
            if (Double.isFinite(sd)) {
                s += sd;
                n++;
            }
        }
        return n == 0 ? Double.NaN : s / n;
    }

    /** Mean and population std (numpy's default) of values. */
    public static double[] meanStd(double[] values) {
        double m = 0;
        for (double v : values) {
            m += v;
        }
        m /= values.length;
        double var = 0;
        for (double v : values) {
            var += (v - m) * (v - m);
        }
        return new double[] {m, Math.sqrt(var / values.length)};
    }

    /** "1.23 +- 0.45". */
    public static String pm(double mean, double std) {
        return String.format(Locale.ROOT, "%.2f +- %.2f", mean, std);
    }
}
