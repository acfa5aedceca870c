package org.flows4j.cli.snf;

import com.google.gson.GsonBuilder;
import java.awt.image.BufferedImage;
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
import javax.imageio.ImageIO;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.flows4j.cli.UserError;
import org.flows4j.energy.ImageDensity;
import org.flows4j.energy.ImageEnergy;
import org.flows4j.io.AtomicFiles;
import org.flows4j.snf.BoltzmannGenerator;
import org.flows4j.snf.HistogramKl;
import org.flows4j.snf.ImageBenchmark;
import org.flows4j.snf.ImageBenchmark.Method;
import org.flows4j.snf.ImageBenchmark.Settings;
import org.flows4j.snf.ImagePreset;
import org.flows4j.snf.SnfTrainer;
import org.flows4j.tensor.Rng;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code flows4j snf image}: the paper's Fig. 3, 2-D image densities sampled by flows, SNFs and Metropolis. */
@Command(name = "image", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Reproduce Fig. 3 of the stochastic-normalizing-flows paper: a picture's 2-D density sampled",
            "by RealNVP or neural-spline flows with or without Metropolis blocks, or by Metropolis alone; KL",
            "divergence of 500000 samples' 50 x 50 histogram from the exact density. Defaults are the paper's:",
            "depth 5 (blocks of two couplings; hidden 64, 64, 64), 10 MC steps of 0.1 per stochastic block, NSF",
            "with 20 bins, ML on 50000 exact samples, Adam 1e-3, batch 250, 2000 iterations.",
            "--sweep depth|mcsteps gives KL against depth or MC steps (Fig. 3d-e) with the paper's values."})
public final class ImageCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--image", paramLabel = "PATH|PRESET",
            description = "a PNG or JPEG file, or a preset: labrador (dog), smiley, text (default: ${DEFAULT-VALUE})")
    String image = "labrador";

    @Option(names = "--images-dir", paramLabel = "DIR", description = "where presets' pictures are (default: ${DEFAULT-VALUE})")
    Path imagesDir = Path.of("..", "shared", "images");

    @Option(names = "--method", split = ",", paramLabel = "M",
            description = "rnvp, nsf, rnvp+mc, nsf+mc or mc; a comma-separated list runs each (default: rnvp+mc; "
                    + "--sweep depth: rnvp,rnvp+mc; --sweep mcsteps: mc)")
    List<String> methods;

    @Option(names = "--depth", description = "blocks of two coupling layers (default: ${DEFAULT-VALUE})")
    int depth = 5;

    @Option(names = "--mc-steps", description = "Metropolis steps per stochastic block; for mc, in all "
            + "(default: 10 per block; mc: 10 x depth)")
    Integer mcSteps;

    @Option(names = "--mc-step-size", description = "Metropolis proposal std (default: ${DEFAULT-VALUE})")
    double mcStepSize = 0.1;

    @Option(names = "--sweep", description = "depth or mcsteps: KL against depth (Fig. 3d) or MC steps (Fig. 3e)")
    String sweep;

    @Option(names = "--depths", split = ",", description = "depths of --sweep depth (default: 1,2,3,4,6,8: 2..16 coupling layers)")
    List<Integer> depths;

    @Option(names = "--steps", split = ",", description = "MC steps of --sweep mcsteps: in all for mc (default: "
            + "20,50,100,200,500,1000), per block for flows (default: 0,1,2,5,10,20)")
    List<Integer> steps;

    @Option(names = "--iterations", description = "training iterations (default: ${DEFAULT-VALUE})")
    int iterations = 2000;

    @Option(names = "--batch", description = "minibatch size (default: ${DEFAULT-VALUE})")
    int batch = 250;

    @Option(names = "--lr", description = "Adam learning rate (default: ${DEFAULT-VALUE})")
    double lr = 1e-3;

    @Option(names = "--data-samples", description = "exact training samples (default: ${DEFAULT-VALUE})")
    int dataSamples = 50_000;

    @Option(names = "--samples", description = "samples for the KL (default: ${DEFAULT-VALUE})")
    int samples = 500_000;

    @Option(names = "--bins", description = "histogram bins per axis for the KL (default: ${DEFAULT-VALUE})")
    int bins = 50;

    @Option(names = "--figure-bins", description = "histogram bins per axis in the figure (default: ${DEFAULT-VALUE})")
    int figureBins = 160;

    @Option(names = "--sigma", description = "Gaussian filter width in pixels (default: the preset's, else 3)")
    Double sigma;

    @Option(names = "--crop", split = ",", paramLabel = "R0,R1,C0,C1", description = "crop rows R0..R1, columns C0..C1")
    List<Integer> crop;

    @Option(names = "--embed", split = ",", paramLabel = "ROWS,COLS", description = "centre in a white canvas of this size")
    List<Integer> embed;

    @Option(names = "--mean", split = ",", paramLabel = "X,Y", description = "pixel (column, row) of the origin (default: "
            + "the preset's, else the centre)")
    List<Double> mean;

    @Option(names = "--scale", description = "pixels per unit (default: the preset's, else max(width, height) / 7)")
    Double scale;

    @Option(names = "--seed", description = "seed of data, initialisation, training and sampling (default: ${DEFAULT-VALUE})")
    long seed = 0;

    @Option(names = "--threads", description = "threads for sampling (training runs on one) (default: ${DEFAULT-VALUE})")
    int threads = 1;

    @Option(names = "--generic", description = "train with the library's general SNF trainer (SnfTrainer) instead of "
            + "the pointwise-energy kernels, and sample through the generator")
    boolean generic;

    @Option(names = "--out", paramLabel = "DIR", description = "output directory (default: runs/snf-image-<image>-<timestamp>)")
    Path out;

    /** The picture and its settings. */
    private record Target(String name, ImageEnergy energy, ImagePreset preset, String description) {}

    /** One training (or Metropolis run) and its evaluation. */
    private record Run(Method method, int depth, int mcSteps) {}

    private record Result(Run run, ImageBenchmark.Evaluation eval, double trainSeconds, double trainCpu, double evalSeconds,
            double evalCpu, boolean fused, double finalLoss, double[] losses, double[][] figure, String diverged) {}

    private static double cpuSeconds() {
        java.lang.management.ThreadMXBean b = java.lang.management.ManagementFactory.getThreadMXBean();
        return b.isCurrentThreadCpuTimeSupported() ? b.getCurrentThreadCpuTime() / 1e9 : Double.NaN;
    }

    @Override
    public Integer call() throws Exception {
        List<Method> ms = parseMethods();
        List<Run> runs = plan(ms);
        validate();
        Target target = loadTarget();
        Path dir = prepare(target.name());
        PrintWriter w = spec.commandLine().getOut();
        long wall0 = System.nanoTime();
        ImageEnergy u = target.energy();
        double[] box = u.box();
        boolean dog = target.preset() == ImagePreset.LABRADOR;
        Settings base = Settings.paper(Math.max(box[1], box[3])).withTraining(iterations, batch, lr)
                .withSamples(dataSamples, samples).withBins(bins);
        w.printf(Locale.ROOT, "Image %s: %s%n", target.name(), target.description());
        w.printf(Locale.ROOT, "Box x in [%.2f, %.2f], y in [%.2f, %.2f]; KL over %d x %d bins from %d samples.%n", box[0],
                box[1], box[2], box[3], bins, bins, samples);
        Rng master = new Rng(seed);
        long t0 = System.nanoTime();
        float[] data = ImageBenchmark.exactData(u, dataSamples, master.split());
        float[] exact = ImageBenchmark.exactData(u, samples, master.split());
        w.printf(Locale.ROOT, "Exact samples: %d for training, %d for the figure (%.2f s).%n", dataSamples, samples,
                (System.nanoTime() - t0) / 1e9);
        if (runs.stream().anyMatch(r -> r.method().trained())) {
            w.printf(Locale.ROOT, "Training: ML, Adam %.3g, batch %d, %d iterations, hidden %s%s.%n", lr, batch, iterations,
                    java.util.Arrays.toString(base.hidden()), generic ? " (general trainer)" : "");
        }
        w.println();
        w.printf(Locale.ROOT, "%-8s %5s %6s %8s %8s  %7s %7s  %8s %6s %7s %6s%n", "method", "depth", "layers", "MC/block",
                "MC total", "KL", "paper", "train s", "cpu", "eval s", "cpu");
        w.flush();

        long work = 0;
        for (Run r : runs) {
            work += (r.method().trained() ? iterations : 0) + 1;
        }
        ProgressBar bar = null;
        if (System.console() != null && System.getenv("FLOWS4J_NO_PROGRESS") == null) {
            bar = new ProgressBarBuilder().setTaskName("snf image").setInitialMax(work).setStyle(ProgressBarStyle.ASCII)
                    .setUpdateIntervalMillis(250).continuousUpdate().build();
        }
        List<Result> results = new ArrayList<>();
        try {
            for (Run r : runs) {
                Result res = runOne(r, base, u, data, master.split(), bar);
                results.add(res);
                printResult(w, bar, res, dog);
            }
        } finally {
            if (bar != null) {
                bar.close();
            }
        }
        double wall = (System.nanoTime() - wall0) / 1e9;
        w.println();
        printSummary(w, results, dog, wall);
        writeOutputs(dir, target, base, results, exact, wall, dog);
        w.println("Wrote " + dir + " (metrics.json, " + String.join(", ", figureNames(results)) + ")");
        boolean anyOk = results.stream().anyMatch(r -> r.diverged() == null);
        return anyOk ? 0 : 1;
    }

    private List<String> figureNames(List<Result> results) {
        List<String> names = new ArrayList<>();
        names.add("samples.png");
        if ("depth".equals(sweep)) {
            names.add("kl_vs_depth.png");
        } else if ("mcsteps".equals(sweep)) {
            names.add("kl_vs_mcsteps.png");
        }
        if (results.stream().anyMatch(r -> r.losses() != null)) {
            names.add("losses.png");
        }
        return names;
    }

    private Result runOne(Run r, Settings base, ImageEnergy u, float[] data, Rng rng, ProgressBar bar) {
        Settings s = base.withBlocks(r.depth()).withMcSteps(r.mcSteps()).withTraining(iterations, batch, lr);
        s = new Settings(s.blocks(), s.hidden(), s.mcSteps(), mcStepSize, s.splineBins(), s.tailBound(), s.iterations(),
                s.batchSize(), s.learningRate(), s.dataSamples(), s.evalSamples(), s.bins());
        Rng buildRng = rng.split();
        Rng trainRng = rng.split();
        Rng sampleRng = rng.split();
        double trainSeconds = 0;
        double trainCpu = 0;
        boolean fused = !generic;
        double finalLoss = Double.NaN;
        double[] losses = null;
        float[] xs;
        long t0;
        double e0;
        if (r.method().trained()) {
            BoltzmannGenerator bg = ImageBenchmark.build(r.method(), s, u, buildRng);
            double c0 = cpuSeconds();
            t0 = System.nanoTime();
            try {
                ImageBenchmark.Training tr = ImageBenchmark.train(bg, data, s, trainRng, generic, (it, loss) -> {
                    if (bar != null) {
                        bar.step();
                    }
                });
                trainSeconds = (System.nanoTime() - t0) / 1e9;
                trainCpu = cpuSeconds() - c0;
                fused = tr.fused();
                losses = tr.losses();
                finalLoss = tailMean(losses, 50);
            } catch (SnfTrainer.DivergedException e) {
                return new Result(r, null, (System.nanoTime() - t0) / 1e9, cpuSeconds() - c0, 0, Double.NaN, fused,
                        Double.NaN, null, null, e.getMessage());
            }
            t0 = System.nanoTime();
            e0 = cpuSeconds();
            xs = ImageBenchmark.sample(bg, samples, sampleRng, generic ? 1 : threads);
        } else {
            t0 = System.nanoTime();
            e0 = cpuSeconds();
            xs = ImageBenchmark.sampleMetropolis(u, r.mcSteps(), mcStepSize, samples, sampleRng, threads);
        }
        double evalSeconds;
        ImageBenchmark.Evaluation e = ImageBenchmark.evaluate(u, xs, bins);
        evalSeconds = (System.nanoTime() - t0) / 1e9;
        // with one thread the sampling runs on this one, so its CPU time is the evaluation's
        double evalCpu = threads == 1 ? cpuSeconds() - e0 : Double.NaN;
        if (bar != null) {
            bar.step();
        }
        double[][] fig = HistogramKl.histogram(xs, xs.length / 2, u.box(), figureBins);
        return new Result(r, e, trainSeconds, trainCpu, evalSeconds, evalCpu, fused, finalLoss, losses, fig, null);
    }

    private static double tailMean(double[] v, int k) {
        int n = Math.min(k, v.length);
        if (n == 0) {
            return Double.NaN;
        }
        double s = 0;
        for (int i = v.length - n; i < v.length; i++) {
            s += v[i];
        }
        return s / n;
    }

    private static double paperValue(Run r, boolean dog) {
        if (!dog) {
            return Double.NaN;
        }
        if (r.method() == Method.MC) {
            return ImageBenchmark.paperMetropolisKl(r.mcSteps());
        }
        if (r.method().stochastic() && r.mcSteps() != 10) {
            return Double.NaN;
        }
        return r.method().paperKl(2 * r.depth());
    }

    private static String paperText(Run r, boolean dog) {
        double p = paperValue(r, dog);
        if (Double.isFinite(p)) {
            return String.format(Locale.ROOT, "%.3f", p);
        }
        if (dog && r.method().trained() && r.depth() == 5 && (!r.method().stochastic() || r.mcSteps() == 10)) {
            return String.format(Locale.ROOT, "%.3f*", r.method().rerunKl()[0]);
        }
        return "-";
    }

    private void printResult(PrintWriter w, ProgressBar bar, Result res, boolean dog) {
        Run r = res.run();
        String line;
        boolean mc = r.method() == Method.MC;
        int total = mc ? r.mcSteps() : r.method().stochastic() ? r.mcSteps() * r.depth() : 0;
        String depthS = mc ? "-" : Integer.toString(r.depth());
        String layersS = mc ? "-" : Integer.toString(2 * r.depth());
        String perBlock = mc || !r.method().stochastic() ? "-" : Integer.toString(r.mcSteps());
        if (res.diverged() != null) {
            line = String.format(Locale.ROOT, "%-8s %5s %6s %8s %8d  diverged: %s", r.method().label(), depthS, layersS,
                    perBlock, total, res.diverged());
        } else {
            line = String.format(Locale.ROOT, "%-8s %5s %6s %8s %8d  %7.3f %7s  %8.2f %6.2f %7.2f %6s", r.method().label(),
                    depthS, layersS, perBlock, total, res.eval().kl(), paperText(r, dog), res.trainSeconds(), res.trainCpu(),
                    res.evalSeconds(), Double.isFinite(res.evalCpu()) ? String.format(Locale.ROOT, "%.2f", res.evalCpu())
                            : "-");
        }
        if (bar != null) {
            System.err.print("\r\033[2K");
            System.err.flush();
        }
        w.println(line);
        w.flush();
    }

    private void printSummary(PrintWriter w, List<Result> results, boolean dog, double wall) {
        if (dog) {
            w.println("paper: the dog's KL read off the reference's Fig. 3d/3e (SNF.md); * the paper's code re-run here "
                    + "at depth 5 (mean of 3 seeds).");
            boolean depth5 = results.stream().anyMatch(r -> r.run().method().trained() && r.run().depth() == 5);
            if (depth5) {
                w.println("The paper's code on this kind of machine, depth 5, one thread: training rnvp 25 s, rnvp+mc 59 s, "
                        + "nsf 70 s, nsf+mc 114 s; evaluation of 500000 samples 7.5-21 s without gradients (29-68 s as "
                        + "its notebook runs it).");
            }
        }
        w.printf(Locale.ROOT, "KL of the reference: exact density at linspace points, samples in bins (up to half a bin apart); "
                + "at bin centres instead: %s.%n", centres(results));
        w.printf(Locale.ROOT, "Training on one thread%s; sampling on %d thread%s; cpu = this thread's CPU seconds (wall "
                + "time counts other processes on a busy machine). Total %.1f s.%n",
                results.stream().anyMatch(r -> r.run().method().trained() && !r.fused()) ? " (general SNF trainer)"
                        : " (pointwise-energy kernels)", threads, threads == 1 ? "" : "s", wall);
    }

    private static String centres(List<Result> results) {
        List<String> s = new ArrayList<>();
        for (Result r : results) {
            if (r.eval() != null) {
                s.add(String.format(Locale.ROOT, "%.3f", r.eval().klAtCentres()));
            }
        }
        return String.join(", ", s);
    }

    private void writeOutputs(Path dir, Target target, Settings base, List<Result> results, float[] exact, double wall,
            boolean dog) {
        List<Map<String, Object>> records = new ArrayList<>();
        for (Result res : results) {
            Run r = res.run();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("image", target.name());
            m.put("method", r.method().label());
            m.put("depth", r.method().trained() ? r.depth() : 0);
            m.put("coupling_layers", r.method().trained() ? 2 * r.depth() : 0);
            m.put("mc_steps", r.method().stochastic() ? r.mcSteps() : 0);
            m.put("mc_steps_total", r.method() == Method.MC ? r.mcSteps()
                    : r.method().stochastic() ? r.mcSteps() * r.depth() : 0);
            if (res.diverged() != null) {
                m.put("diverged", res.diverged());
                m.put("kl", null);
            } else {
                m.put("kl", res.eval().kl());
                m.put("kl_bin_centres", res.eval().klAtCentres());
                m.put("inside_box_fraction", res.eval().insideFraction());
            }
            double p = paperValue(r, dog);
            m.put("paper_kl", Double.isFinite(p) ? p : null);
            if (dog && r.method().trained() && r.depth() == 5 && (!r.method().stochastic() || r.mcSteps() == 10)) {
                m.put("reference_rerun_kl", r.method().rerunKl());
                m.put("reference_rerun_train_seconds", r.method().rerunTrainSeconds());
            }
            m.put("train_seconds", r.method().trained() ? res.trainSeconds() : 0.0);
            m.put("train_cpu_seconds", r.method().trained() ? res.trainCpu() : 0.0);
            m.put("eval_seconds", res.evalSeconds());
            m.put("eval_cpu_seconds", Double.isFinite(res.evalCpu()) ? res.evalCpu() : null);
            m.put("final_loss", Double.isFinite(res.finalLoss()) ? res.finalLoss() : null);
            m.put("fused", r.method().trained() ? res.fused() : null);
            m.put("threads", threads);
            m.put("seed", seed);
            m.put("samples", samples);
            m.put("bins", bins);
            m.put("iterations", r.method().trained() ? iterations : 0);
            m.put("batch", batch);
            m.put("lr", lr);
            m.put("mc_step_size", mcStepSize);
            records.add(m);
        }
        Object json = records.size() == 1 && sweep == null ? records.get(0) : records;
        try {
            AtomicFiles.writeString(dir.resolve("metrics.json"),
                    new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(json) + "\n");
            writeFigures(dir, target, results, exact, dog);
        } catch (IOException e) {
            throw new UserError("cannot write results to " + dir + ": " + e.getMessage());
        }
    }

    private void writeFigures(Path dir, Target target, List<Result> results, float[] exact, boolean dog) throws IOException {
        double[] box = target.energy().box();
        List<ImagePlots.Panel> panels = new ArrayList<>();
        panels.add(new ImagePlots.Panel("exact", HistogramKl.histogram(exact, exact.length / 2, box, figureBins)));
        for (Result r : results) {
            if (r.figure() == null) {
                continue;
            }
            Run run = r.run();
            String t = run.method().label() + (run.method() == Method.MC ? " " + run.mcSteps() + " steps"
                    : " depth " + run.depth() + (run.method().stochastic() && run.mcSteps() != 10
                            ? ", " + run.mcSteps() + " MC" : ""))
                    + String.format(Locale.ROOT, ": KL %.3f", r.eval().kl());
            panels.add(new ImagePlots.Panel(t, r.figure()));
        }
        int cols = panels.size() <= 6 ? panels.size() : (int) Math.ceil(Math.sqrt(panels.size()));
        ImagePlots.panels(dir.resolve("samples.png"), target.name() + ": histograms of " + samples + " samples", panels,
                cols);
        List<Result> trained = results.stream().filter(r -> r.losses() != null).toList();
        if (!trained.isEmpty()) {
            List<ImagePlots.Series> ls = new ArrayList<>();
            for (Result r : trained) {
                double[] x = new double[r.losses().length];
                for (int i = 0; i < x.length; i++) {
                    x[i] = i + 1;
                }
                ls.add(new ImagePlots.Series(r.run().method().label() + " depth " + r.run().depth()
                        + (r.run().method().stochastic() ? " mc " + r.run().mcSteps() : ""), x, smooth(r.losses(), 25), false));
            }
            lossPlot(dir.resolve("losses.png"), ls);
        }
        if ("depth".equals(sweep)) {
            List<ImagePlots.Series> series = new ArrayList<>();
            for (Method m : distinctMethods(results)) {
                List<Result> rs = results.stream().filter(r -> r.run().method() == m).toList();
                double[] x = rs.stream().mapToDouble(r -> 2 * r.run().depth()).toArray();
                double[] y = rs.stream().mapToDouble(r -> r.eval() == null ? Double.NaN : r.eval().kl()).toArray();
                series.add(new ImagePlots.Series("flows4j " + m.label(), x, y, false));
                if (dog) {
                    double[] px = java.util.Arrays.stream(ImageBenchmark.PAPER_LAYERS).asDoubleStream().toArray();
                    double[] py = java.util.Arrays.stream(ImageBenchmark.PAPER_LAYERS).mapToDouble(m::paperKl).toArray();
                    series.add(new ImagePlots.Series("paper " + m.label(), px, py, true));
                }
            }
            ImagePlots.klCurve(dir.resolve("kl_vs_depth.png"), target.name() + ": KL against depth (Fig. 3d)",
                    "coupling layers (2 x depth)", series, false);
        } else if ("mcsteps".equals(sweep)) {
            List<ImagePlots.Series> series = new ArrayList<>();
            for (Method m : distinctMethods(results)) {
                List<Result> rs = results.stream().filter(r -> r.run().method() == m).toList();
                double[] x = rs.stream().mapToDouble(r -> m == Method.MC ? r.run().mcSteps()
                        : (double) r.run().mcSteps() * r.run().depth()).toArray();
                double[] y = rs.stream().mapToDouble(r -> r.eval() == null ? Double.NaN : r.eval().kl()).toArray();
                series.add(new ImagePlots.Series("flows4j " + m.label(), x, y, false));
                if (dog && m == Method.MC) {
                    double[] px = java.util.Arrays.stream(ImageBenchmark.PAPER_MC_STEPS).asDoubleStream().toArray();
                    double[] py = java.util.Arrays.stream(ImageBenchmark.PAPER_MC_STEPS)
                            .mapToDouble(ImageBenchmark::paperMetropolisKl).toArray();
                    series.add(new ImagePlots.Series("paper mc", px, py, true));
                }
            }
            ImagePlots.klCurve(dir.resolve("kl_vs_mcsteps.png"), target.name() + ": KL against MC steps (Fig. 3e)",
                    "Metropolis steps per sample (in all)", series, true);
        }
    }

    private static void lossPlot(Path out, List<ImagePlots.Series> series) throws IOException {
        org.knowm.xchart.XYChart chart = new org.knowm.xchart.XYChartBuilder().width(760).height(480)
                .title("training loss J_ML (moving mean of 25)").xAxisTitle("iteration").yAxisTitle("J_ML").build();
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        chart.getStyler().setPlotBackgroundColor(java.awt.Color.WHITE);
        chart.getStyler().setMarkerSize(0);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
        for (ImagePlots.Series s : series) {
            chart.addSeries(s.name(), s.x(), s.y()).setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
        }
        SnfPlots.writePng(out, org.knowm.xchart.BitmapEncoder.getBufferedImage(chart));
    }

    private static double[] smooth(double[] v, int k) {
        double[] out = new double[v.length];
        double s = 0;
        for (int i = 0; i < v.length; i++) {
            s += v[i];
            if (i >= k) {
                s -= v[i - k];
            }
            out[i] = s / Math.min(i + 1, k);
        }
        return out;
    }

    private static List<Method> distinctMethods(List<Result> results) {
        List<Method> ms = new ArrayList<>();
        for (Result r : results) {
            if (!ms.contains(r.run().method())) {
                ms.add(r.run().method());
            }
        }
        return ms;
    }

    // ------------------------------------------------------------------ inputs

    private List<Method> parseMethods() {
        List<String> names = methods;
        if (names == null || names.isEmpty()) {
            names = "depth".equals(sweep) ? List.of("rnvp", "rnvp+mc") : "mcsteps".equals(sweep) ? List.of("mc")
                    : List.of("rnvp+mc");
        }
        List<Method> ms = new ArrayList<>();
        for (String n : names) {
            try {
                Method m = Method.parse(n);
                if (!ms.contains(m)) {
                    ms.add(m);
                }
            } catch (IllegalArgumentException e) {
                throw new UserError("--method: " + e.getMessage());
            }
        }
        return ms;
    }

    private List<Run> plan(List<Method> ms) {
        require(depth >= 1, "--depth must be >= 1, got " + depth);
        require(mcSteps == null || mcSteps >= 0, "--mc-steps must be >= 0, got " + mcSteps);
        List<Run> runs = new ArrayList<>();
        if (sweep == null) {
            require(depths == null && steps == null, "--depths and --steps go with --sweep");
            for (Method m : ms) {
                int k = m == Method.MC ? (mcSteps != null ? mcSteps : 10 * depth) : mcSteps != null ? mcSteps : 10;
                runs.add(new Run(m, depth, k));
            }
            return runs;
        }
        switch (sweep) {
            case "depth" -> {
                require(steps == null, "--steps goes with --sweep mcsteps");
                List<Integer> ds = depths != null ? depths : ImageBenchmark.paperDepths();
                for (int d : ds) {
                    require(d >= 1, "--depths must all be >= 1, got " + d);
                }
                for (Method m : ms) {
                    for (int d : ds) {
                        int k = m == Method.MC ? (mcSteps != null ? mcSteps : 10) * d : mcSteps != null ? mcSteps : 10;
                        runs.add(new Run(m, d, k));
                    }
                }
            }
            case "mcsteps" -> {
                require(depths == null, "--depths goes with --sweep depth");
                for (Method m : ms) {
                    require(m.stochastic(), "--sweep mcsteps needs stochastic methods (mc, rnvp+mc, nsf+mc), got "
                            + m.label());
                    List<Integer> ks = steps != null ? steps : m == Method.MC
                            ? java.util.Arrays.stream(ImageBenchmark.PAPER_MC_STEPS).boxed().toList()
                            : List.of(0, 1, 2, 5, 10, 20);
                    for (int k : ks) {
                        require(k >= 0, "--steps must all be >= 0, got " + k);
                        runs.add(new Run(m, depth, k));
                    }
                }
            }
            default -> throw new UserError("--sweep must be depth or mcsteps, got '" + sweep + "'");
        }
        return runs;
    }

    private void validate() {
        require(threads >= 1, "--threads must be >= 1, got " + threads);
        require(iterations >= 1, "--iterations must be >= 1, got " + iterations);
        require(batch >= 1, "--batch must be >= 1, got " + batch);
        require(lr > 0 && Double.isFinite(lr), "--lr must be a positive number, got " + lr);
        require(dataSamples >= 1, "--data-samples must be >= 1, got " + dataSamples);
        require(samples >= 1, "--samples must be >= 1, got " + samples);
        require(bins >= 2, "--bins must be >= 2, got " + bins);
        require(figureBins >= 2 && figureBins <= 2000, "--figure-bins must be in 2..2000, got " + figureBins);
        require(mcStepSize > 0 && Double.isFinite(mcStepSize), "--mc-step-size must be a positive number, got " + mcStepSize);
        require(sigma == null || (sigma >= 0 && Double.isFinite(sigma)), "--sigma must be a number >= 0, got " + sigma);
        require(scale == null || (scale > 0 && Double.isFinite(scale)), "--scale must be a positive number, got " + scale);
        require(crop == null || crop.size() == 4, "--crop needs four numbers R0,R1,C0,C1");
        require(embed == null || embed.size() == 2, "--embed needs two numbers ROWS,COLS");
        require(mean == null || mean.size() == 2, "--mean needs two numbers X,Y");
        require(crop == null || embed == null, "--crop and --embed cannot be combined");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new UserError(message);
        }
    }

    private Target loadTarget() {
        Path file = Path.of(image);
        ImagePreset preset = null;
        if (!Files.isRegularFile(file)) {
            preset = ImagePreset.find(image);
            if (preset == null) {
                throw new UserError("--image: no such file and no preset '" + image + "' (presets: " + ImagePreset.names()
                        + ")");
            }
            file = imagesDir.resolve(preset.fileName());
            if (!Files.isRegularFile(file)) {
                throw new UserError("--image " + image + ": " + file + " not found (set --images-dir)");
            }
        } else {
            preset = ImagePreset.find(file.getFileName().toString());
        }
        BufferedImage img;
        try {
            img = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new UserError("cannot read image " + file + ": " + e.getMessage());
        }
        if (img == null) {
            throw new UserError("cannot read image " + file + ": not a PNG or JPEG file");
        }
        int w = img.getWidth();
        int h = img.getHeight();
        int[] rgb = img.getRGB(0, 0, w, h, null, 0, w);
        ImageDensity.Preparation p = preset != null ? preset.preparation() : ImageDensity.Preparation.of(3);
        boolean custom = sigma != null || crop != null || embed != null;
        if (custom) {
            int[] c = crop != null ? crop.stream().mapToInt(Integer::intValue).toArray() : embed != null ? null : p.crop();
            int[] e = embed != null ? embed.stream().mapToInt(Integer::intValue).toArray() : crop != null ? null : p.embed();
            p = new ImageDensity.Preparation(c, e, p.whiteCutoff(), sigma != null ? sigma : p.sigma(), p.background());
        }
        ImageDensity density;
        long t0 = System.nanoTime();
        try {
            density = ImageDensity.fromRgb(w, h, rgb, p);
        } catch (IllegalArgumentException ex) {
            throw new UserError("--image " + image + ": " + ex.getMessage());
        }
        double prepSeconds = (System.nanoTime() - t0) / 1e9;
        double mx = mean != null ? mean.get(0) : preset != null ? preset.meanX() : density.width() / 2.0;
        double my = mean != null ? mean.get(1) : preset != null ? preset.meanY() : density.height() / 2.0;
        double sc = scale != null ? scale : preset != null ? preset.scale() : Math.max(density.width(), density.height()) / 7.0;
        ImageEnergy energy = new ImageEnergy(density, mx, my, sc, sc);
        String name = preset != null ? preset.label() : stripExtension(file.getFileName().toString());
        String desc = String.format(Locale.ROOT, "%s, %d x %d pixels%s%s, sigma %.3g, origin at pixel (%.0f, %.0f), "
                + "%.4g pixels per unit%s; density prepared in %.2f s", file, density.width(), density.height(),
                p.crop() != null ? " (cropped " + java.util.Arrays.toString(p.crop()) + ")" : "",
                p.embed() != null ? " (embedded in white)" : "", p.sigma(), mx, my, sc,
                preset != null && !custom && mean == null && scale == null ? " (the paper's settings)" : "", prepSeconds);
        return new Target(name, energy, preset, desc);
    }

    private static String stripExtension(String f) {
        int dot = f.lastIndexOf('.');
        return (dot > 0 ? f.substring(0, dot) : f).replaceAll("[^A-Za-z0-9_.-]", "_");
    }

    private Path prepare(String name) {
        Path dir = out != null ? out
                : Path.of("runs", "snf-image-" + name + "-"
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
