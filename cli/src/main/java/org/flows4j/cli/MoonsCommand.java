package org.flows4j.cli;

import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.flows4j.cli.plot.Plots;
import org.flows4j.data.Moons;
import org.flows4j.data.MoonsEntropy;
import org.flows4j.data.Standardization;
import org.flows4j.flows.Flow;
import org.flows4j.fused.FusedCouplingFlow;
import org.flows4j.flows.RealNvp;
import org.flows4j.io.AtomicFiles;
import org.flows4j.tensor.Autograd;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;
import org.flows4j.train.MaximumLikelihood;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The seed's job: a RealNVP learns the two-moons density; report, metrics and pictures. */
@Command(name = "moons", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Fit the seed's RealNVP to two moons by maximum likelihood and report how well it did.",
            "Defaults are the seed's: 6 coupling layers, hidden 64, 2000 steps, batch 256, Adam lr 1e-3,",
            "2000 points with noise 0.05 (sklearn's make_moons, random_state 0), standardised."})
public final class MoonsCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--layers", description = "coupling layers (default: ${DEFAULT-VALUE})")
    int layers = 6;

    @Option(names = "--hidden", description = "hidden width of each coupling network (default: ${DEFAULT-VALUE})")
    int hidden = 64;

    @Option(names = "--steps", description = "training steps; the table counts 0..steps as the seed does (default: ${DEFAULT-VALUE})")
    int steps = 2000;

    @Option(names = "--batch", description = "minibatch size (default: ${DEFAULT-VALUE})")
    int batch = 256;

    @Option(names = "--lr", description = "Adam learning rate (default: ${DEFAULT-VALUE})")
    double lr = 1e-3;

    @Option(names = "--points", description = "training points (default: ${DEFAULT-VALUE})")
    int points = 2000;

    @Option(names = "--test-points", description = "held-out points with fresh noise (default: ${DEFAULT-VALUE})")
    int testPoints = 2000;

    @Option(names = "--noise", description = "standard deviation of the moons' Gaussian noise (default: ${DEFAULT-VALUE})")
    double noise = 0.05;

    @Option(names = "--data-seed", description = "make_moons random_state of the training data; held-out data uses the next one (default: ${DEFAULT-VALUE})")
    long dataSeed = 0;

    @Option(names = "--seed", description = "seed of initialisation, minibatches and sampling (default: ${DEFAULT-VALUE})")
    long seed = 0;

    @Option(names = "--log-every", description = "print the NLL table every N steps (default: ${DEFAULT-VALUE})")
    int logEvery = 200;

    @Option(names = "--dtype", description = "float32 or float64 (default: ${DEFAULT-VALUE})")
    String dtype = "float32";

    @Option(names = "--threads", description = "threads for sampling and density evaluation (default: all cores, ${DEFAULT-VALUE})")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--out", paramLabel = "DIR", description = "output directory (default: runs/moons-<timestamp>)")
    Path out;

    @Override
    public Integer call() {
        validate();
        DType dt = parseDType(dtype);
        Path dir = OutputDirectory.prepare(out, "moons");
        PrintWriter w = spec.commandLine().getOut();

        double[][] raw = Moons.make(points, noise, dataSeed);
        Standardization standardization = Standardization.fit(raw);
        double[][] trainRows = standardization.apply(raw);
        double[][] testRows = standardization.apply(Moons.make(testPoints, noise, dataSeed + 1));
        Tensor train = toTensor(trainRows, dt);
        Tensor test = toTensor(testRows, dt);

        Rng master = new Rng(seed);
        Flow flow = RealNvp.builder().dim(2).layers(layers).hidden(hidden).dtype(dt).build(master.split());
        Rng batchRng = master.split();
        Rng sampleRng = master.split();

        double initNll = MaximumLikelihood.nll(flow, train);
        w.printf(Locale.ROOT, "NLL at random init: %.4f%n%n", initNll);
        w.printf(Locale.ROOT, "%6s %9s%n%6s %9s%n", "step", "NLL", "-".repeat(6), "-".repeat(9));
        MaximumLikelihood.Result result;
        int updates = steps + 1;
        try (Progress progress = Progress.start(w, "training", updates)) {
            result = MaximumLikelihood.train(flow, train, new MaximumLikelihood.Config(updates, batch, lr), batchRng,
                    (step, loss) -> {
                        if (step % logEvery == 0 || step == steps) {
                            progress.println(String.format(Locale.ROOT, "%6d %9.4f", step, loss));
                        }
                        progress.step(String.format(Locale.ROOT, "NLL %.4f", loss));
                    });
        } catch (MaximumLikelihood.DivergedException e) {
            throw new UserError(e.getMessage());
        }

        double finalNll = MaximumLikelihood.nll(flow, train);
        double testNll = MaximumLikelihood.nll(flow, test);
        double baselineNll = baselineNll(trainRows);
        MoonsEntropy.Estimate floor = MoonsEntropy.estimate(noise, 100_000, 1);
        double floorStd = floor.rawNats() - standardization.logAbsDet();
        Optional<FusedCouplingFlow> fused = FusedCouplingFlow.of(flow);
        double[][] samples;
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            samples = rows(fused.isPresent() ? fused.get().sample(points, sampleRng, threads).samples()
                    : flow.sample(points, sampleRng));
        }
        double[] dataMean = mean(trainRows);
        double[] dataStd = std(trainRows, dataMean);
        double[] sampleMean = mean(samples);
        double[] sampleStd = std(samples, sampleMean);

        w.println();
        w.printf(Locale.ROOT, "NLL after training: %.4f%n", finalNll);
        w.printf(Locale.ROOT, "NLL on %d held-out points: %.4f%n", testPoints, testNll);
        w.printf(Locale.ROOT, "NLL of N(0,I) baseline: %.4f (no flow)%n", baselineNll);
        w.printf(Locale.ROOT, "Information gained: %.4f nats / point%n", baselineNll - finalNll);
        w.printf(Locale.ROOT, "Entropy of the true density (the floor): %.4f +- %.4f nats%n", floorStd,
                floor.standardError());
        w.println();
        w.printf(Locale.ROOT, "True data: mean = (%+.3f, %+.3f) std = (%.3f, %.3f)%n", dataMean[0], dataMean[1],
                dataStd[0], dataStd[1]);
        w.printf(Locale.ROOT, "Flow samples: mean = (%+.3f, %+.3f) std = (%.3f, %.3f)%n", sampleMean[0],
                sampleMean[1], sampleStd[0], sampleStd[1]);
        w.printf(Locale.ROOT, "%nTrained %d steps in %.2f s (%.0f steps/s)%n", updates, result.seconds(),
                result.stepsPerSecond());

        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("init_nll", initNll);
        metrics.put("final_nll", finalNll);
        metrics.put("test_nll", testNll);
        metrics.put("baseline_nll", baselineNll);
        metrics.put("info_gain", baselineNll - finalNll);
        metrics.put("entropy_floor", floorStd);
        metrics.put("entropy_floor_se", floor.standardError());
        metrics.put("train_seconds", result.seconds());
        metrics.put("steps_per_second", result.stepsPerSecond());
        metrics.put("data_mean", dataMean);
        metrics.put("data_std", dataStd);
        metrics.put("sample_mean", sampleMean);
        metrics.put("sample_std", sampleStd);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("layers", layers);
        config.put("hidden", hidden);
        config.put("steps", steps);
        config.put("batch", batch);
        config.put("lr", lr);
        config.put("points", points);
        config.put("test_points", testPoints);
        config.put("noise", noise);
        config.put("data_seed", dataSeed);
        config.put("seed", seed);
        config.put("dtype", dt.name().toLowerCase(Locale.ROOT));
        metrics.put("config", config);
        metrics.put("loss_history", result.lossHistory());
        try {
            AtomicFiles.writeString(dir.resolve("metrics.json"),
                    new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(metrics));
            Plots.lossCurve(dir.resolve("loss.png"), result.lossHistory(), "Two moons: training NLL", floorStd,
                    String.format(Locale.ROOT, "entropy floor %.3f", floorStd));
            Plots.scatterSideBySide(dir.resolve("samples.png"), trainRows, "data (standardised)", samples,
                    "flow samples");
            writeDensity(dir.resolve("density.png"), flow, fused, trainRows, dt);
        } catch (IOException e) {
            throw new UserError("cannot write results to " + dir + ": " + OutputDirectory.reason(e));
        }
        w.println("Wrote " + dir + " (metrics.json, loss.png, samples.png, density.png)");
        return 0;
    }

    private void validate() {
        require(layers >= 1, "--layers must be >= 1, got " + layers);
        require(hidden >= 1, "--hidden must be >= 1, got " + hidden);
        require(steps >= 1, "--steps must be >= 1, got " + steps);
        require(batch >= 1, "--batch must be >= 1, got " + batch);
        require(lr > 0 && Double.isFinite(lr), "--lr must be a positive number, got " + lr);
        require(points >= 2, "--points must be >= 2, got " + points);
        require(testPoints >= 2, "--test-points must be >= 2, got " + testPoints);
        require(noise >= 0 && Double.isFinite(noise), "--noise must be >= 0, got " + noise);
        require(logEvery >= 1, "--log-every must be >= 1, got " + logEvery);
        require(threads >= 1, "--threads must be >= 1, got " + threads);
    }

    static void require(boolean ok, String message) {
        if (!ok) {
            throw new UserError(message);
        }
    }

    static DType parseDType(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "float32", "f32" -> DType.FLOAT32;
            case "float64", "f64" -> DType.FLOAT64;
            default -> throw new UserError("--dtype must be float32 or float64, got " + s);
        };
    }

    private void writeDensity(Path file, Flow flow, Optional<FusedCouplingFlow> fused, double[][] data, DType dt)
            throws IOException {
        int n = 200;
        double[] lo = {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY};
        double[] hi = {Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY};
        for (double[] r : data) {
            for (int k = 0; k < 2; k++) {
                lo[k] = Math.min(lo[k], r[k]);
                hi[k] = Math.max(hi[k], r[k]);
            }
        }
        double[] xs = new double[n];
        double[] ys = new double[n];
        for (int i = 0; i < n; i++) {
            double pad0 = 0.2 * (hi[0] - lo[0]);
            double pad1 = 0.2 * (hi[1] - lo[1]);
            xs[i] = lo[0] - pad0 + (hi[0] - lo[0] + 2 * pad0) * (i + 0.5) / n;
            ys[i] = lo[1] - pad1 + (hi[1] - lo[1] + 2 * pad1) * (i + 0.5) / n;
        }
        double[] grid = new double[2 * n * n];
        for (int iy = 0; iy < n; iy++) {
            for (int ix = 0; ix < n; ix++) {
                grid[2 * (iy * n + ix)] = xs[ix];
                grid[2 * (iy * n + ix) + 1] = ys[iy];
            }
        }
        double[] logp;
        Tensor points = Tensor.of(dt, grid, n * n, 2);
        if (fused.isPresent()) {
            float[] lp = fused.get().logProb(points, threads);
            logp = new double[lp.length];
            for (int i = 0; i < lp.length; i++) {
                logp[i] = lp[i];
            }
        } else {
            try (Autograd.Scope ignored = Autograd.noGrad()) {
                logp = flow.logProb(points).toDoubleArray();
            }
        }
        double[][] density = new double[n][n];
        for (int iy = 0; iy < n; iy++) {
            for (int ix = 0; ix < n; ix++) {
                density[iy][ix] = Math.exp(logp[iy * n + ix]);
            }
        }
        Plots.densityHeatmap(file, xs, ys, density, data, "learned density");
    }

    static Tensor toTensor(double[][] rows, DType dt) {
        int d = rows[0].length;
        double[] flat = new double[rows.length * d];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * d, d);
        }
        return Tensor.of(dt, flat, rows.length, d);
    }

    static double[][] rows(Tensor t) {
        int n = t.size(0);
        int d = t.size(1);
        double[] flat = t.toDoubleArray();
        double[][] out = new double[n][d];
        for (int i = 0; i < n; i++) {
            System.arraycopy(flat, i * d, out[i], 0, d);
        }
        return out;
    }

    /** NLL of the standardised data under N(0, I), the seed's baseline. */
    static double baselineNll(double[][] x) {
        double total = 0;
        for (double[] r : x) {
            double sq = 0;
            for (double v : r) {
                sq += v * v;
            }
            total += 0.5 * sq + 0.5 * r.length * Math.log(2 * Math.PI);
        }
        return total / x.length;
    }

    static double[] mean(double[][] x) {
        double[] m = new double[x[0].length];
        for (double[] r : x) {
            for (int k = 0; k < m.length; k++) {
                m[k] += r[k];
            }
        }
        for (int k = 0; k < m.length; k++) {
            m[k] /= x.length;
        }
        return m;
    }

    /** Standard deviation with Bessel's correction, as torch.std. */
    static double[] std(double[][] x, double[] mean) {
        double[] s = new double[mean.length];
        for (double[] r : x) {
            for (int k = 0; k < s.length; k++) {
                s[k] += (r[k] - mean[k]) * (r[k] - mean[k]);
            }
        }
        for (int k = 0; k < s.length; k++) {
            s[k] = Math.sqrt(s[k] / (x.length - 1));
        }
        return s;
    }
}
