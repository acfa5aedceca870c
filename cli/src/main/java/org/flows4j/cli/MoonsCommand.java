package org.flows4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.flows4j.cli.plot.Plots;
import org.flows4j.data.Moons;
import org.flows4j.data.TorchGenerator;
import org.flows4j.data.MoonsEntropy;
import org.flows4j.data.Standardization;
import org.flows4j.flows.Flow;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;
import org.flows4j.train.MaximumLikelihood;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The seed's job: a RealNVP (or the flow --flow names) learns the two-moons density; report, metrics and pictures. */
@Command(name = "moons", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Fit the seed's RealNVP to two moons by maximum likelihood and report how well it did.",
            "Defaults are the seed's: 6 coupling layers, hidden 64, 2000 steps, batch 256, Adam lr 1e-3,",
            "2000 points with noise 0.05 (sklearn's make_moons, random_state 0), standardised.",
            "As in the seed, the NLL table counts steps 0..steps (steps + 1 updates).",
            "--flow nsf, maf or maf-nsf fits another flow with the same --layers and --hidden (autodiff: slower)."})
public final class MoonsCommand implements Callable<Integer> {
    /** Points of the second, large held-out draw that pins down the expected held-out NLL. */
    private static final int LARGE_TEST = 100_000;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    FlowOptions options;

    @Option(names = "--points", description = "training points (default: ${DEFAULT-VALUE})")
    int points = 2000;

    @Option(names = "--test-points", description = "held-out points with fresh noise (default: ${DEFAULT-VALUE})")
    int testPoints = 2000;

    @Option(names = "--noise", description = "standard deviation of the moons' Gaussian noise (default: ${DEFAULT-VALUE})")
    double noise = 0.05;

    @Option(names = "--data-seed", description = "make_moons random_state of the training data; held-out data uses the next one (default: ${DEFAULT-VALUE})")
    long dataSeed = 0;

    @Option(names = "--rng", paramLabel = "KIND",
            description = "torch: PyTorch's generator after torch.manual_seed(--seed) draws the initial weights and "
                    + "the minibatches, as in the seed notebook (the same run, step for step; realnvp only); "
                    + "flows4j: the library's own streams (default: torch for realnvp, flows4j otherwise)")
    String rng;

    @Option(names = "--out", paramLabel = "DIR", description = "output directory (default: runs/moons-<timestamp>)")
    Path out;

    @Override
    public Integer call() {
        validate();
        DType dt = options.dtype();
        Path dir = OutputDirectory.prepare(out, "moons");
        PrintWriter w = spec.commandLine().getOut();

        double[][] raw = Moons.make(points, noise, dataSeed);
        Standardization standardization = Standardization.fit(raw);
        double[][] trainRows = standardization.apply(raw);
        double[][] testRaw = Moons.make(testPoints, noise, dataSeed + 1);
        double[][] testRows = standardization.apply(testRaw);
        Tensor train = Reports.toTensor(trainRows, dt);
        Tensor test = Reports.toTensor(testRows, dt);

        Rng master = new Rng(options.seed);
        Flow flow = options.build(2, master.split());
        Rng batchRng = master.split();
        Rng sampleRng = master.split();
        TorchGenerator torch = torchStream() ? new TorchGenerator(options.seed) : null;
        if (torch != null) {
            torch.initLinears(flow.parameters());
        }

        double initNll = MaximumLikelihood.nll(flow, train);
        w.printf(Locale.ROOT, "NLL at random init: %.4f%n%n", initNll);
        Training.printHeader(w);
        int steps = options.steps;
        int updates = steps + 1;
        MaximumLikelihood.Result result = torch != null
                ? Training.run(w, flow, train, options, updates, steps, torch::randint)
                : Training.run(w, flow, train, options, updates, steps, batchRng, null, null);

        double finalNll = MaximumLikelihood.nll(flow, train);
        double testNll = MaximumLikelihood.nll(flow, test);
        // 2000 held-out points estimate the expected held-out NLL only to about +-0.02 nats; the true
        // density's NLL on the same points, and a large independent draw (the next data seed), show
        // how hard this particular draw is
        double[][] largeRaw = Moons.make(LARGE_TEST, noise, dataSeed + 2);
        double largeNll = -Reports.mean(Evaluate.logProb(flow,
                Reports.toTensor(standardization.apply(largeRaw), dt), options.threads));
        double testTrueNll = trueNll(testRaw, noise, standardization);
        double largeTrueNll = trueNll(largeRaw, noise, standardization);
        double baselineNll = Reports.baselineNll(trainRows);
        MoonsEntropy.Estimate floor = MoonsEntropy.estimate(noise, 100_000, 1);
        double floorStd = floor.rawNats() - standardization.logAbsDet();
        double[][] samples = Reports.rows(Evaluate.sample(flow, points, sampleRng, options.threads));
        double[] dataMean = Reports.mean(trainRows);
        double[] dataStd = Reports.std(trainRows, dataMean);
        double[] sampleMean = Reports.mean(samples);
        double[] sampleStd = Reports.std(samples, sampleMean);

        w.println();
        w.printf(Locale.ROOT, "NLL after training: %.4f%n", finalNll);
        w.printf(Locale.ROOT, "NLL on %d held-out points: %.4f (the true density scores %.4f on them)%n",
                testPoints, testNll, testTrueNll);
        w.printf(Locale.ROOT, "NLL on %d more held-out points: %.4f (the true density: %.4f)%n", LARGE_TEST,
                largeNll, largeTrueNll);
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
        metrics.put("test_true_nll", testTrueNll);
        metrics.put("test_nll_100k", largeNll);
        metrics.put("test_true_nll_100k", largeTrueNll);
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
        config.put("layers", options.layers);
        config.put("hidden", options.hidden);
        config.put("steps", steps);
        config.put("batch", options.batch);
        config.put("lr", options.lr);
        config.put("lr_schedule", options.schedule().cliName());
        config.put("points", points);
        config.put("test_points", testPoints);
        config.put("noise", noise);
        config.put("data_seed", dataSeed);
        config.put("seed", options.seed);
        config.put("rng", torchStream() ? "torch" : "flows4j");
        config.put("dtype", FlowOptions.dtypeName(dt));
        options.putFlowConfig(config);
        metrics.put("config", config);
        metrics.put("loss_history", result.lossHistory());
        try {
            Reports.writeMetrics(dir.resolve("metrics.json"), metrics);
            Plots.lossCurve(dir.resolve("loss.png"), result.lossHistory(), "Two moons: training NLL", floorStd,
                    String.format(Locale.ROOT, "entropy floor %.3f", floorStd));
            Plots.scatterSideBySide(dir.resolve("samples.png"), trainRows, "data (standardised)", samples,
                    "flow samples");
            Reports.writeDensity(dir.resolve("density.png"), flow, trainRows, dt, options.threads);
        } catch (IOException e) {
            throw new UserError("cannot write results to " + dir + ": " + OutputDirectory.reason(e));
        }
        w.println("Wrote " + dir + " (metrics.json, loss.png, samples.png, density.png)");
        return 0;
    }

    /** The true two-moons density's NLL on raw points, in the standardised units the flow works in. */
    private static double trueNll(double[][] raw, double noise, Standardization standardization) {
        double sum = 0;
        for (double[] p : raw) {
            sum += MoonsEntropy.logDensity(p[0], p[1], noise);
        }
        return -sum / raw.length - standardization.logAbsDet();
    }

    private void validate() {
        options.validate();
        UserError.require(points >= 2, "--points must be >= 2, got " + points);
        UserError.require(testPoints >= 2, "--test-points must be >= 2, got " + testPoints);
        UserError.require(noise >= 0 && Double.isFinite(noise), "--noise must be >= 0, got " + noise);
        torchStream();
    }

    /** True if PyTorch's generator draws the initial weights and minibatches (see --rng). */
    private boolean torchStream() {
        boolean realNvp = options.kind() == FlowOptions.Kind.REALNVP;
        if (rng == null) {
            return realNvp && options.seed >= 0 && options.seed <= 0xffffffffL;
        }
        return switch (rng.toLowerCase(Locale.ROOT)) {
            case "torch" -> {
                UserError.require(realNvp, "--rng torch reproduces the seed's RealNVP; use --rng flows4j with --flow "
                        + options.kind().cliName);
                UserError.require(options.seed >= 0 && options.seed <= 0xffffffffL,
                        "--rng torch needs a --seed in [0, 4294967295] (torch.manual_seed's range here), got " + options.seed);
                yield true;
            }
            case "flows4j" -> false;
            default -> throw new UserError("--rng must be torch or flows4j, got " + rng);
        };
    }
}
