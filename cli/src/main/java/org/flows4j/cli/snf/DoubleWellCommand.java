package org.flows4j.cli.snf;

import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.flows4j.cli.UserError;
import org.flows4j.cli.plot.Plots;
import org.flows4j.energy.DoubleWell;
import org.flows4j.io.AtomicFiles;
import org.flows4j.snf.BoltzmannGenerator;
import org.flows4j.snf.DoubleWellBenchmark;
import org.flows4j.snf.DoubleWellBenchmark.Method;
import org.flows4j.snf.DoubleWellBenchmark.Settings;
import org.flows4j.snf.RandomWalkMetropolis;
import org.flows4j.snf.SnfTrainer;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code flows4j snf doublewell}: the paper's Table 1 for one method, trained and evaluated as the paper does. */
@Command(name = "doublewell", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Reproduce a row of Table 1 of the stochastic-normalizing-flows paper: the double well",
            "u(x) = x1^4 - 6 x1^2 - 0.5 x1 + x2^2/2 sampled by RealNVP or neural-spline flows, with or without",
            "Metropolis MC blocks; free energy along x1 with and without reweighting, bias and uncertainty.",
            "Defaults are the paper's: 3 blocks of 2 couplings (hidden 64, 64), 20 MC steps of 0.25 per block,",
            "Adam 5e-3, batch 128, 300 ML + 300 (0.5 ML + 0.5 KL) iterations, evaluation 20 x 100000 samples,",
            "30-bin profiles, 10 independent trainings."})
public final class DoubleWellCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--method", description = "rnvp, rnvp+mc, nsf or nsf+mc (default: ${DEFAULT-VALUE})")
    String method = "rnvp+mc";

    @Option(names = "--runs", description = "independent trainings (default: ${DEFAULT-VALUE})")
    int runs = 10;

    @Option(names = "--seed", description = "seed of data, initialisation, training and evaluation (default: ${DEFAULT-VALUE})")
    long seed = 0;

    @Option(names = "--ml-iterations", description = "iterations of maximum likelihood (default: ${DEFAULT-VALUE})")
    int mlIterations = 300;

    @Option(names = "--mix-iterations", description = "then iterations of 0.5 ML + 0.5 KL (default: ${DEFAULT-VALUE})")
    int mixIterations = 300;

    @Option(names = "--batch", description = "minibatch size and KL samples per step (default: ${DEFAULT-VALUE})")
    int batch = 128;

    @Option(names = "--lr", description = "Adam learning rate (default: ${DEFAULT-VALUE})")
    double lr = 5e-3;

    @Option(names = "--mc-steps", description = "Metropolis steps per stochastic block (default: ${DEFAULT-VALUE})")
    int mcSteps = 20;

    @Option(names = "--mc-step-size", description = "Metropolis proposal std (default: ${DEFAULT-VALUE})")
    double mcStepSize = 0.25;

    @Option(names = "--trainable-step-size", description = "train the MC step sizes too (the paper's adaptive MC)")
    boolean trainableStepSize;

    @Option(names = "--samples", description = "samples per evaluation repeat (default: ${DEFAULT-VALUE})")
    int samples = 100_000;

    @Option(names = "--repeats", description = "evaluation repeats (default: ${DEFAULT-VALUE})")
    int repeats = 20;

    @Option(names = "--bins", description = "histogram bins of the free-energy profile (default: ${DEFAULT-VALUE})")
    int bins = 30;

    @Option(names = "--threads", description = "runs trained in parallel (default: ${DEFAULT-VALUE}; results do not depend on it)")
    int threads = 1;

    @Option(names = "--out", paramLabel = "DIR", description = "output directory (default: runs/snf-doublewell-<method>-<timestamp>)")
    Path out;

    /** The paper's code re-run on this kind of machine (SNF.md): reweighted total and seconds per run. */
    private record Reference(double totalRw, double totalRwStd, int runs, double trainSeconds, double evalSeconds) {}

    private static Reference reference(Method m) {
        return switch (m) {
            case RNVP -> new Reference(1.02, 0.31, 10, 3.9, 11);
            case NSF -> new Reference(2.09, 0.24, 5, 16, 23);
            case RNVP_MC -> new Reference(0.43, 0.08, 10, 20, 13);
            case NSF_MC -> new Reference(0.49, 0.15, 5, 35, 31);
        };
    }

    /** One training and evaluation. */
    private record RunResult(int index, DoubleWellBenchmark.Evaluation eval, double trainSeconds, double evalSeconds,
            double trainCpu, double evalCpu, double finalMl, double finalKl, double[][] samples, String diverged) {}

    /** CPU seconds of the current thread (wall time is unreliable on a shared machine), or NaN. */
    private static double cpuSeconds() {
        java.lang.management.ThreadMXBean b = java.lang.management.ManagementFactory.getThreadMXBean();
        return b.isCurrentThreadCpuTimeSupported() ? b.getCurrentThreadCpuTime() / 1e9 : Double.NaN;
    }

    @Override
    public Integer call() throws Exception {
        Method m = parseMethod();
        Settings s = settings();
        validate();
        Path dir = prepare();
        PrintWriter w = spec.commandLine().getOut();
        long wall0 = System.nanoTime();

        w.printf(Locale.ROOT, "Double well, Table 1 of Wu, Koehler and Noe (2020): %s%s, %d run%s, seed %d%n", m.label(),
                trainableStepSize && m.stochastic() ? " with trainable MC step sizes" : "", runs, runs == 1 ? "" : "s", seed);
        Rng master = new Rng(seed);
        long t0 = System.nanoTime();
        RandomWalkMetropolis.Chain chain = DoubleWellBenchmark.exactData(s, master.split());
        double dataSeconds = (System.nanoTime() - t0) / 1e9;
        Tensor data = DoubleWellBenchmark.toTensor(chain.samples(), s.dtype());
        w.printf(Locale.ROOT, "Exact data: %d points, every %d-th state of a Metropolis chain (proposal std %.2g, "
                + "acceptance %.1f%%), %.2f s%n", s.dataSamples(), s.dataStride(), s.dataProposalStd(),
                100 * chain.acceptance(), dataSeconds);
        w.printf(Locale.ROOT, "Training: %d ML + %d mixed iterations, batch %d, lr %.3g; evaluation: %d x %d samples, %d bins%n%n",
                mlIterations, mixIterations, batch, lr, repeats, samples, bins);
        w.printf(Locale.ROOT, "%4s %7s %7s  %6s %6s %6s  %7s %7s %8s  %6s%n", "run", "train", "eval", "bias", "unc", "total",
                "bias_rw", "unc_rw", "total_rw", "ESS");
        w.flush();

        Rng[] runRngs = new Rng[runs];
        for (int r = 0; r < runs; r++) {
            runRngs[r] = master.split();
        }
        List<RunResult> results = new ArrayList<>();
        long work = (long) runs * (s.mlIterations() + s.mixIterations() + s.evalRepeats());
        ProgressBar bar = null;
        if (System.console() != null && System.getenv("FLOWS4J_NO_PROGRESS") == null) {
            bar = new ProgressBarBuilder().setTaskName(m.label()).setInitialMax(work).setStyle(ProgressBarStyle.ASCII)
                    .setUpdateIntervalMillis(250).continuousUpdate().build();
        }
        final ProgressBar progress = bar;
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, runs), r -> {
            Thread t = new Thread(r, "snf-run");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<RunResult>> futures = new ArrayList<>();
            for (int r = 0; r < runs; r++) {
                final int index = r;
                futures.add(pool.submit(() -> runOne(index, m, s, data, runRngs[index], progress)));
            }
            for (Future<RunResult> f : futures) {
                RunResult res;
                try {
                    res = f.get();
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    if (c instanceof RuntimeException re) {
                        throw re;
                    }
                    throw new IllegalStateException(c);
                }
                results.add(res);
                printRun(w, progress, res);
            }
        } finally {
            pool.shutdownNow();
            if (progress != null) {
                progress.close();
            }
        }

        List<RunResult> ok = results.stream().filter(r -> r.diverged() == null).toList();
        if (ok.isEmpty()) {
            w.println("every run diverged; no statistics");
            return 1;
        }
        Map<String, double[]> stats = new LinkedHashMap<>();
        stats.put("bias", DoubleWellBenchmark.meanStd(ok.stream().mapToDouble(r -> r.eval().bias()).toArray()));
        stats.put("unc", DoubleWellBenchmark.meanStd(ok.stream().mapToDouble(r -> r.eval().unc()).toArray()));
        stats.put("total", DoubleWellBenchmark.meanStd(ok.stream().mapToDouble(r -> r.eval().total()).toArray()));
        stats.put("bias_rw", DoubleWellBenchmark.meanStd(ok.stream().mapToDouble(r -> r.eval().biasRw()).toArray()));
        stats.put("unc_rw", DoubleWellBenchmark.meanStd(ok.stream().mapToDouble(r -> r.eval().uncRw()).toArray()));
        stats.put("total_rw", DoubleWellBenchmark.meanStd(ok.stream().mapToDouble(r -> r.eval().totalRw()).toArray()));
        double[] kish = DoubleWellBenchmark.meanStd(ok.stream().mapToDouble(r -> r.eval().kish()).toArray());
        double[] trainS = DoubleWellBenchmark.meanStd(ok.stream().mapToDouble(RunResult::trainSeconds).toArray());
        double[] evalS = DoubleWellBenchmark.meanStd(ok.stream().mapToDouble(RunResult::evalSeconds).toArray());
        double[] trainCpu = DoubleWellBenchmark.meanStd(ok.stream().mapToDouble(RunResult::trainCpu).toArray());
        double[] evalCpu = DoubleWellBenchmark.meanStd(ok.stream().mapToDouble(RunResult::evalCpu).toArray());
        double wall = (System.nanoTime() - wall0) / 1e9;

        boolean adaptive = trainableStepSize && m == Method.RNVP_MC;
        DoubleWellBenchmark.PaperRow p = adaptive ? DoubleWellBenchmark.ADAPTIVE_MC_PAPER : m.paper();
        Reference ref = reference(m);
        w.println();
        w.printf(Locale.ROOT, "Table 1, %s (mean +- std over %d run%s)%n", m.label(), ok.size(), ok.size() == 1 ? "" : "s");
        w.printf(Locale.ROOT, "%-10s %-14s %-14s %-14s| %-14s %-14s %-14s%n", "", "bias", "unc", "total", "bias_rw",
                "unc_rw", "total_rw");
        w.printf(Locale.ROOT, "%-10s %-14s %-14s %-14s| %-14s %-14s %-14s%n", adaptive ? "paper (a)" : "paper",
                pm(p.bias(), p.biasStd()), pm(p.unc(), p.uncStd()), Double.isNaN(p.total()) ? "-"
                        : String.format(Locale.ROOT, "%.1f +- %.1f", p.total(), p.totalStd()),
                pm(p.biasRw(), p.biasRwStd()), pm(p.uncRw(), p.uncRwStd()), pm(p.totalRw(), p.totalRwStd()));
        w.printf(Locale.ROOT, "%-10s %-14s %-14s %-14s| %-14s %-14s %-14s%n", "flows4j", pm(stats.get("bias")),
                pm(stats.get("unc")), pm(stats.get("total")), pm(stats.get("bias_rw")), pm(stats.get("unc_rw")),
                pm(stats.get("total_rw")));
        if (adaptive) {
            w.println("(a) the paper's RNVP + adaptive MC (trained step sizes; Suppl. Table S1).");
        } else {
            w.printf(Locale.ROOT, "The paper's code re-run on a machine like this one: total_rw %s (%d runs).%n",
                    pm(ref.totalRw(), ref.totalRwStd()), ref.runs());
        }
        double lo = p.totalRw() - 2 * p.totalRwStd();
        double hi = p.totalRw() + 2 * p.totalRwStd();
        double ours = stats.get("total_rw")[0];
        w.printf(Locale.ROOT, "Reweighted total %.2f is %s the paper's mean +- 2 std [%.2f, %.2f].%n", ours,
                ours >= lo && ours <= hi ? "within" : "outside", lo, hi);
        w.printf(Locale.ROOT, "Kish effective sample size: %.1f%% +- %.1f%% of the samples.%n", 100 * kish[0], 100 * kish[1]);
        if (ok.size() < results.size()) {
            w.printf(Locale.ROOT, "%d of %d runs diverged and are left out.%n", results.size() - ok.size(), results.size());
        }
        w.printf(Locale.ROOT, "Time per run: training %.1f s, evaluation %.1f s (CPU %.1f + %.1f s; the paper's code here: "
                + "%.1f + %.0f s); wall %.1f s with %d thread%s.%n", trainS[0], evalS[0], trainCpu[0], evalCpu[0],
                ref.trainSeconds(), ref.evalSeconds(), wall, Math.min(threads, runs), Math.min(threads, runs) == 1 ? "" : "s");

        RunResult first = ok.get(0);
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("method", m.label());
        metrics.put("runs", ok.size());
        metrics.put("runs_requested", runs);
        metrics.put("seed", seed);
        for (Map.Entry<String, double[]> e : stats.entrySet()) {
            metrics.put(e.getKey(), e.getValue());
        }
        metrics.put("kish_fraction", kish);
        Map<String, Object> paper = new LinkedHashMap<>();
        paper.put("bias", new double[] {p.bias(), p.biasStd()});
        paper.put("unc", new double[] {p.unc(), p.uncStd()});
        if (!Double.isNaN(p.total())) {
            paper.put("total", new double[] {p.total(), p.totalStd()});
        }
        paper.put("row", adaptive ? "RNVP + adaptive MC" : m.label());
        paper.put("bias_rw", new double[] {p.biasRw(), p.biasRwStd()});
        paper.put("unc_rw", new double[] {p.uncRw(), p.uncRwStd()});
        paper.put("total_rw", new double[] {p.totalRw(), p.totalRwStd()});
        if (!adaptive) {
            paper.put("total_rw_reference_code_rerun", new double[] {ref.totalRw(), ref.totalRwStd()});
        }
        metrics.put("paper", paper);
        List<Map<String, Object>> perRun = new ArrayList<>();
        for (RunResult r : results) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("run", r.index() + 1);
            if (r.diverged() != null) {
                e.put("diverged", r.diverged());
            } else {
                e.put("bias", r.eval().bias());
                e.put("unc", r.eval().unc());
                e.put("total", r.eval().total());
                e.put("bias_rw", r.eval().biasRw());
                e.put("unc_rw", r.eval().uncRw());
                e.put("total_rw", r.eval().totalRw());
                e.put("kish_fraction", r.eval().kish());
                e.put("final_ml", r.finalMl());
                e.put("final_kl", r.finalKl());
            }
            e.put("train_seconds", r.trainSeconds());
            e.put("eval_seconds", r.evalSeconds());
            e.put("train_cpu_seconds", r.trainCpu());
            e.put("eval_cpu_seconds", r.evalCpu());
            perRun.add(e);
        }
        metrics.put("per_run", perRun);
        Map<String, Object> seconds = new LinkedHashMap<>();
        seconds.put("data", dataSeconds);
        seconds.put("train_per_run", trainS);
        seconds.put("eval_per_run", evalS);
        seconds.put("train_cpu_per_run", trainCpu);
        seconds.put("eval_cpu_per_run", evalCpu);
        seconds.put("reference_code_train_eval_per_run", new double[] {ref.trainSeconds(), ref.evalSeconds()});
        seconds.put("wall", wall);
        seconds.put("threads", Math.min(threads, runs));
        metrics.put("seconds", seconds);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("blocks", s.blocks());
        config.put("hidden", s.hidden());
        config.put("mc_steps", s.mcSteps());
        config.put("mc_step_size", s.mcStepSize());
        config.put("trainable_step_size", s.trainableStepSize());
        config.put("spline_bins", s.splineBins());
        config.put("tail_bound", s.tailBound());
        config.put("ml_iterations", s.mlIterations());
        config.put("mix_iterations", s.mixIterations());
        config.put("batch", s.batchSize());
        config.put("lr", s.learningRate());
        config.put("data_points", s.dataSamples());
        config.put("data_stride", s.dataStride());
        config.put("data_proposal_std", s.dataProposalStd());
        config.put("eval_samples", s.evalSamples());
        config.put("eval_repeats", s.evalRepeats());
        config.put("profile_bins", s.profileBins());
        config.put("dtype", "float32");
        metrics.put("config", config);
        Map<String, Object> profile = new LinkedHashMap<>();
        profile.put("run", first.index() + 1);
        profile.put("x1", first.eval().centers());
        profile.put("exact", first.eval().exact());
        profile.put("unweighted_mean", finiteOrNull(first.eval().meanProfile(false)));
        profile.put("unweighted_std", finiteOrNull(first.eval().stdProfile(false)));
        profile.put("reweighted_mean", finiteOrNull(first.eval().meanProfile(true)));
        profile.put("reweighted_std", finiteOrNull(first.eval().stdProfile(true)));
        metrics.put("free_energy_profile", profile);

        try {
            AtomicFiles.writeString(dir.resolve("metrics.json"),
                    new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(metrics) + "\n");
            DoubleWell u = DoubleWellBenchmark.energy();
            double[] ex = new double[121];
            double[] ef = new double[121];
            double min = Double.POSITIVE_INFINITY;
            for (int i = 0; i < ex.length; i++) {
                ex[i] = -3 + 6.0 * i / (ex.length - 1);
                ef[i] = u.energy1d(ex[i]);
                min = Math.min(min, ef[i]);
            }
            for (int i = 0; i < ef.length; i++) {
                ef[i] -= min;
            }
            DoubleWellBenchmark.Evaluation e = first.eval();
            SnfPlots.freeEnergy(dir.resolve("free_energy.png"), ex, ef, e.centers(), e.meanProfile(false),
                    e.stdProfile(false), e.meanProfile(true), e.stdProfile(true), 2.0,
                    String.format(Locale.ROOT, "%s, run %d: free energy along x1 (mean +- 2 std, %d repeats)", m.label(),
                            first.index() + 1, s.evalRepeats()));
            Plots.scatterSideBySide(dir.resolve("samples.png"), chain.samples(), "exact (Metropolis), 10000 points",
                    first.samples(), m.label() + " samples, run " + (first.index() + 1));
        } catch (IOException ex) {
            throw new UserError("cannot write results to " + dir + ": " + ex.getMessage());
        }
        w.println("Wrote " + dir + " (metrics.json, free_energy.png, samples.png)");
        return 0;
    }

    private static Object finiteOrNull(double[] v) {
        Double[] out = new Double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Double.isFinite(v[i]) ? v[i] : null;
        }
        return out;
    }

    private RunResult runOne(int index, Method m, Settings s, Tensor data, Rng rng, ProgressBar progress) {
        BoltzmannGenerator bg = DoubleWellBenchmark.build(m, s, rng.split());
        Rng trainRng = rng.split();
        Rng evalRng = rng.split();
        Rng sampleRng = rng.split();
        long t0 = System.nanoTime();
        double c0 = cpuSeconds();
        SnfTrainer.Result tr;
        try {
            tr = DoubleWellBenchmark.train(bg, data, s, trainRng, step -> {
                if (progress != null) {
                    progress.step();
                }
            });
        } catch (SnfTrainer.DivergedException e) {
            return new RunResult(index, null, (System.nanoTime() - t0) / 1e9, 0, cpuSeconds() - c0, 0, Double.NaN,
                    Double.NaN, null, e.getMessage());
        }
        double trainSeconds = (System.nanoTime() - t0) / 1e9;
        double trainCpu = cpuSeconds() - c0;
        t0 = System.nanoTime();
        c0 = cpuSeconds();
        DoubleWellBenchmark.Evaluation e = DoubleWellBenchmark.evaluate(bg, s, evalRng, (r, n) -> {
            if (progress != null) {
                progress.step();
            }
        });
        double evalSeconds = (System.nanoTime() - t0) / 1e9;
        double evalCpu = cpuSeconds() - c0;
        double[][] pts = null;
        if (index == 0) {
            BoltzmannGenerator.SampleArrays a = bg.sampleArrays(10_000, 10_000, sampleRng);
            pts = new double[a.n()][];
            for (int i = 0; i < a.n(); i++) {
                pts[i] = new double[] {a.x()[2 * i], a.x()[2 * i + 1]};
            }
        }
        List<SnfTrainer.Step> steps = tr.steps();
        SnfTrainer.Step last = steps.get(steps.size() - 1);
        return new RunResult(index, e, trainSeconds, evalSeconds, trainCpu, evalCpu, last.ml(), last.kl(), pts, null);
    }

    private void printRun(PrintWriter w, ProgressBar bar, RunResult r) {
        String line;
        if (r.diverged() != null) {
            line = String.format(Locale.ROOT, "%4d diverged: %s", r.index() + 1, r.diverged());
        } else {
            DoubleWellBenchmark.Evaluation e = r.eval();
            line = String.format(Locale.ROOT, "%4d %6.1fs %6.1fs  %6.2f %6.2f %6.2f  %7.2f %7.2f %8.2f  %5.1f%%", r.index() + 1,
                    r.trainSeconds(), r.evalSeconds(), e.bias(), e.unc(), e.total(), e.biasRw(), e.uncRw(), e.totalRw(),
                    100 * e.kish());
        }
        if (bar != null) {
            System.err.print("\r\033[2K");
            System.err.flush();
        }
        w.println(line);
        w.flush();
    }

    private static String pm(double[] ms) {
        return pm(ms[0], ms[1]);
    }

    private static String pm(double mean, double std) {
        return String.format(Locale.ROOT, "%.2f +- %.2f", mean, std);
    }

    private Method parseMethod() {
        try {
            return Method.parse(method);
        } catch (IllegalArgumentException e) {
            throw new UserError("--method: " + e.getMessage());
        }
    }

    private void validate() {
        require(runs >= 1, "--runs must be >= 1, got " + runs);
        require(threads >= 1, "--threads must be >= 1, got " + threads);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new UserError(message);
        }
    }

    private Settings settings() {
        require(mlIterations >= 0, "--ml-iterations must be >= 0, got " + mlIterations);
        require(mixIterations >= 0, "--mix-iterations must be >= 0, got " + mixIterations);
        require(mlIterations + mixIterations >= 1, "training needs at least one iteration (--ml-iterations, --mix-iterations)");
        require(batch >= 1, "--batch must be >= 1, got " + batch);
        require(lr > 0 && Double.isFinite(lr), "--lr must be a positive number, got " + lr);
        require(mcSteps >= 1, "--mc-steps must be >= 1, got " + mcSteps);
        require(mcStepSize > 0 && Double.isFinite(mcStepSize), "--mc-step-size must be a positive number, got " + mcStepSize);
        require(samples >= 2, "--samples must be >= 2, got " + samples);
        require(repeats >= 2, "--repeats must be >= 2 (the uncertainty is a std over repeats), got " + repeats);
        require(bins >= 2, "--bins must be >= 2, got " + bins);
        Settings p = Settings.paper();
        return new Settings(p.blocks(), p.hidden(), mcSteps, mcStepSize, trainableStepSize, p.splineBins(), p.tailBound(),
                mlIterations, mixIterations, batch, lr, p.dataSamples(), p.dataStride(), p.dataProposalStd(), samples,
                repeats, bins, DType.FLOAT32);
    }

    private Path prepare() {
        Path dir = out != null ? out
                : Path.of("runs", "snf-doublewell-" + method.replace("+", "") + "-"
                        + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new UserError("cannot write to --out " + dir + ": it is a file, not a directory");
        }
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".write-check", ".tmp");
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            throw new UserError("cannot write to --out " + dir + ": " + (e instanceof java.nio.file.AccessDeniedException
                    ? "permission denied" : e.getClass().getSimpleName() + " " + e.getMessage()));
        }
        return dir;
    }
}
