package org.flows4j.cli.sbi;

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
import org.flows4j.cli.UserError;
import org.flows4j.io.AtomicFiles;
import org.flows4j.sbi.C2st;
import org.flows4j.sbi.Mmd;
import org.flows4j.sbi.Npe;
import org.flows4j.sbi.Posterior;
import org.flows4j.sbi.SbibmData;
import org.flows4j.sbi.Simulations;
import org.flows4j.sbi.Task;
import org.flows4j.sbi.Tasks;
import org.flows4j.tensor.Rng;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code flows4j sbi}: neural posterior estimation on an sbibm task, scored by C2ST against the reference posterior. */
@Command(name = "sbi", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Simulation-based inference on an sbibm task: simulate --budget (theta, x) pairs from the",
            "prior, train a conditional neural spline flow q(theta | x) as the benchmark's NPE does, draw --samples",
            "posterior samples for each observation, and score them by C2ST against the reference posterior.",
            "Tasks: two_moons, gaussian_linear, gaussian_mixture, slcp, lotka_volterra, sir, bernoulli_glm."})
public final class SbiCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--task", description = "sbibm task (default: ${DEFAULT-VALUE})")
    String task = "two_moons";

    @Option(names = "--budget", description = "number of simulations (default: ${DEFAULT-VALUE})")
    int budget = 10_000;

    @Option(names = "--obs", description = "observations: a range 1-5, a list 1,3 or one number (default: ${DEFAULT-VALUE})")
    String obs = "1-5";

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "folder in sbibm's layout with observations and reference samples (default: ${DEFAULT-VALUE})")
    Path dataDir = Path.of("../shared/sbibm");

    @Option(names = "--out", paramLabel = "DIR", description = "output directory (default: runs/sbi-<task>-<budget>-<timestamp>)")
    Path out;

    @Option(names = "--threads", description = "threads for simulation and C2ST (default: available cores)")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--seed", description = "seed of simulations, training and sampling (default: ${DEFAULT-VALUE})")
    long seed = 0;

    @Option(names = "--samples", description = "posterior samples per observation (default: ${DEFAULT-VALUE})")
    int samples = 10_000;

    @Option(names = "--batch", description = "training minibatch size, capped at the training pairs as sbi caps it "
            + "(default: ${DEFAULT-VALUE}, sbi's; the sbibm runs used 10000: full batch up to 10^4 simulations)")
    int batch = 200;

    @Option(names = "--nsf", paramLabel = "ARCH", description = "conditional spline flow: sbi (the sbi package's NSF "
            + "the benchmark ran: residual conditioner with context gates, alternating masks, identity-initialised LU) "
            + "or flows4j (MLP conditioner, half masks, random LU) (default: ${DEFAULT-VALUE})")
    String nsf = "sbi";

    @Option(names = "--max-epochs", description = "cap on training epochs (default: none; early stopping decides)")
    int maxEpochs = Integer.MAX_VALUE;

    @Option(names = "--max-train-seconds", description = "cap on training time in seconds (default: none)")
    double maxTrainSeconds = Double.POSITIVE_INFINITY;

    @Option(names = "--c2st", paramLabel = "PRECISION",
            description = "C2ST classifier arithmetic: float32 (fast, on the vector kernels) or float64 (the slower "
                    + "double-precision reference); the same algorithm (default: ${DEFAULT-VALUE})")
    String c2stPrecision = "float32";

    @Override
    public Integer call() throws Exception {
        PrintWriter w = spec.commandLine().getOut();
        Task t;
        try {
            t = Tasks.get(task);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
        require(budget >= 20, "--budget must be at least 20, got " + budget);
        require(threads >= 1, "--threads must be >= 1, got " + threads);
        require(samples >= 10, "--samples must be at least 10, got " + samples);
        require(batch >= 1, "--batch must be >= 1, got " + batch);
        require(maxEpochs >= 1, "--max-epochs must be >= 1, got " + maxEpochs);
        require(maxTrainSeconds > 0, "--max-train-seconds must be positive");
        Npe.Architecture arch = switch (nsf.trim().toLowerCase(Locale.ROOT)) {
            case "sbi" -> Npe.Architecture.SBI;
            case "flows4j" -> Npe.Architecture.FLOWS4J;
            default -> throw new UserError("--nsf must be sbi or flows4j, got '" + nsf + "'");
        };
        C2st.Precision precision;
        try {
            precision = C2st.Precision.parse(c2stPrecision);
        } catch (IllegalArgumentException e) {
            throw new UserError("--c2st must be float32 or float64, got '" + c2stPrecision + "'");
        }
        int[] numbers = parseObs(obs);
        require(Files.isDirectory(dataDir), "--data-dir " + dataDir + ": no such directory");
        require(Files.isDirectory(dataDir.resolve(task)), "--data-dir " + dataDir + " has no folder for task " + task);
        List<SbibmData.Observation> observations = new ArrayList<>();
        for (int i : numbers) {
            try {
                SbibmData.Observation o = SbibmData.load(dataDir, task, i);
                require(o.x().length == t.xDim(), SbibmData.observationDir(dataDir, task, i)
                        + "/observation.csv has " + o.x().length + " values, " + task + " simulates " + t.xDim());
                require(o.trueTheta().length == t.thetaDim(), SbibmData.observationDir(dataDir, task, i)
                        + ": " + o.trueTheta().length + " parameters, " + task + " has " + t.thetaDim());
                observations.add(o);
            } catch (IOException e) {
                throw new UserError("cannot read observation " + i + " of " + task + ": " + e.getMessage());
            }
        }
        Path dir = prepare();

        w.printf(Locale.ROOT, "task %s: theta in R^%d, x in R^%d; %d simulations, %d thread(s), seed %d%n", task,
                t.thetaDim(), t.xDim(), budget, threads, seed);
        Simulations.Batch b = Simulations.sampleAndSimulate(t.prior(), t.simulator(), budget, seed, threads);
        w.printf(Locale.ROOT, "simulated %d in %.1f s (%d dropped: NaN/Inf)%n", budget, b.seconds(), b.dropped());

        Npe.Config cfg = Npe.Config.defaults().withSeed(seed + 1).withBatchSize(batch)
                .withLimits(maxEpochs, maxTrainSeconds).withArchitecture(arch);
        Npe npe = new Npe(t.prior(), cfg).listener((e, tr, va, imp) -> {
            if (e % (e < 100 ? 10 : e < 1000 ? 100 : 500) == 0 || imp && e < 10) {
                w.printf(Locale.ROOT, "  epoch %4d  train NLL %8.4f  validation NLL %8.4f%s%n", e, tr, va,
                        imp ? "  *" : "");
            }
        });
        npe.appendSimulations(b).train();
        Npe.TrainingSummary ts = npe.summary();
        w.printf(Locale.ROOT, "trained %d epochs in %.1f s (best epoch %d, validation NLL %.4f; stopped: %s)%n",
                ts.epochs(), ts.seconds(), ts.bestEpoch(), ts.bestValidationLoss(), ts.stopReason());
        Posterior post = npe.buildPosterior();

        Map<String, Object> c2st = new LinkedHashMap<>();
        Map<String, Object> mmd = new LinkedHashMap<>();
        Map<String, Object> acceptance = new LinkedHashMap<>();
        double sum = 0;
        double sampleSeconds = 0;
        double c2stSeconds = 0;
        w.println();
        w.println(" obs   C2ST   acceptance   samples");
        for (SbibmData.Observation o : observations) {
            long t0 = System.nanoTime();
            Posterior.Draw d = post.sample(samples, o.x(), new Rng(seed * 1000 + 17 + o.number()));
            sampleSeconds += (System.nanoTime() - t0) / 1e9;
            if (d.samples().length < 10) {
                throw new IllegalStateException("observation " + o.number() + ": only " + d.samples().length
                        + " of " + d.proposals() + " proposals fell inside the prior");
            }
            String[] names = o.parameterNames();
            writeCsv(dir.resolve("posterior_obs" + o.number() + ".csv"), names, d.samples());
            long t1 = System.nanoTime();
            double score = C2st.score(o.referenceSamples(), d.samples(), seed, threads, precision);
            c2stSeconds += (System.nanoTime() - t1) / 1e9;
            double m = Mmd.mmd2(o.referenceSamples(), d.samples());
            sum += score;
            c2st.put(Integer.toString(o.number()), score);
            mmd.put(Integer.toString(o.number()), m);
            acceptance.put(Integer.toString(o.number()), d.acceptanceRate());
            w.printf(Locale.ROOT, "%4d  %.4f   %9.4f   %d%s%n", o.number(), score, d.acceptanceRate(),
                    d.samples().length, d.complete() ? "" : " (proposal cap reached)");
            w.flush();
            PairPlot.write(dir.resolve("pairplot_obs" + o.number() + ".png"), d.samples(), o.referenceSamples(),
                    names, task + ", observation " + o.number() + ", " + budget + " simulations: C2ST "
                            + String.format(Locale.ROOT, "%.3f", score));
        }
        double mean = sum / observations.size();
        double published = t.publishedNpe(budget);
        w.printf(Locale.ROOT, "mean  %.4f   (published NPE at %d simulations: %s, mean over its 10 observations)%n",
                mean, budget, Double.isNaN(published) ? "none for this budget"
                        : String.format(Locale.ROOT, "%.3f", published));
        w.printf(Locale.ROOT, "times: simulate %.1f s, train %.1f s, sample %.1f s, C2ST %.1f s%n", b.seconds(),
                ts.seconds(), sampleSeconds, c2stSeconds);

        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("task", task);
        metrics.put("budget", budget);
        metrics.put("c2st", c2st);
        metrics.put("c2st_mean", mean);
        metrics.put("published_npe_c2st", Double.isNaN(published) ? null : published);
        metrics.put("mmd2", mmd);
        metrics.put("acceptance_rate", acceptance);
        metrics.put("simulate_seconds", b.seconds());
        metrics.put("train_seconds", ts.seconds());
        metrics.put("sample_seconds", sampleSeconds);
        metrics.put("c2st_seconds", c2stSeconds);
        metrics.put("c2st_precision", precision.label());
        metrics.put("dropped_simulations", b.dropped());
        metrics.put("epochs", ts.epochs());
        metrics.put("best_epoch", ts.bestEpoch());
        metrics.put("best_validation_nll", ts.bestValidationLoss());
        metrics.put("stop_reason", ts.stopReason());
        metrics.put("seed", seed);
        metrics.put("threads", threads);
        metrics.put("samples", samples);
        metrics.put("batch", batch);
        metrics.put("nsf", arch.name().toLowerCase(Locale.ROOT));
        AtomicFiles.writeString(dir.resolve("metrics.json"),
                new GsonBuilder().setPrettyPrinting().serializeNulls().serializeSpecialFloatingPointValues()
                        .create().toJson(metrics) + "\n");
        w.println("results in " + dir);
        return 0;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new UserError(message);
        }
    }

    static int[] parseObs(String s) {
        List<Integer> out = new ArrayList<>();
        try {
            for (String part : s.split(",")) {
                String p = part.trim();
                int dash = p.indexOf('-', 1);
                if (dash > 0) {
                    int a = Integer.parseInt(p.substring(0, dash).trim());
                    int z = Integer.parseInt(p.substring(dash + 1).trim());
                    require(a <= z, "--obs range " + p + " is empty");
                    for (int i = a; i <= z; i++) {
                        out.add(i);
                    }
                } else {
                    out.add(Integer.parseInt(p));
                }
            }
        } catch (NumberFormatException e) {
            throw new UserError("--obs must be like 1-5, 1,3 or 2, got '" + s + "'");
        }
        for (int i : out) {
            require(i >= 1, "--obs numbers start at 1, got " + i);
        }
        require(out.size() == out.stream().distinct().count(), "--obs lists an observation twice: " + s);
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private Path prepare() {
        Path d = out != null ? out : Path.of("runs", "sbi-" + task + "-" + budget + "-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        if (Files.exists(d) && !Files.isDirectory(d)) {
            throw new UserError("cannot write to --out " + d + ": it is a file, not a directory");
        }
        try {
            Files.createDirectories(d);
            Path probe = Files.createTempFile(d, ".write-check", ".tmp");
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            throw new UserError("cannot write to --out " + d + ": " + e.getMessage());
        }
        return d;
    }

    private static void writeCsv(Path file, String[] names, double[][] rows) throws IOException {
        StringBuilder sb = new StringBuilder(rows.length * names.length * 12);
        for (int j = 0; j < names.length; j++) {
            sb.append(j == 0 ? "" : ",").append(csvField(names[j]));
        }
        sb.append('\n');
        for (double[] r : rows) {
            for (int j = 0; j < r.length; j++) {
                if (j > 0) {
                    sb.append(',');
                }
                sb.append((float) r[j]);
            }
            sb.append('\n');
        }
        AtomicFiles.writeString(file, sb.toString());
    }

    private static String csvField(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
