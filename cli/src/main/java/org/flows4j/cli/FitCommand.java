package org.flows4j.cli;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.flows4j.cli.plot.Plots;
import org.flows4j.data.Standardization;
import org.flows4j.data.ToyData;
import org.flows4j.flows.Flow;
import org.flows4j.flows.Standardized;
import org.flows4j.io.Checkpoints;
import org.flows4j.io.DataFiles;
import org.flows4j.io.FlowFiles;
import org.flows4j.io.ModelFormatException;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;
import org.flows4j.train.MaximumLikelihood;
import org.flows4j.train.TrainingState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Fits a flow (RealNVP by default) to the user's data or a built-in data set and saves it, with checkpoints that a later run can resume from. */
@Command(name = "fit", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Fit a flow (--flow, default realnvp) to your data (.csv or .npy, one point per row) and save it.",
            "--data may also name a built-in 2-D data set, e.g. checkerboard or 8gaussians (--points, --data-seed).",
            "CSV with or without a header; .npy float32/float64; two or more columns.",
            "The data is standardised for training and the standardisation is part of",
            "the saved model, which works in the data's own units. --steps counts updates.",
            "Writes model.safetensors, metrics.json, loss.png and, for 2-D data,",
            "samples.png and density.png."})
public final class FitCommand implements Callable<Integer> {
    static final String CHECKPOINT = "checkpoint.safetensors";
    private static final String CONFIG_KEY = "fit.config";
    private static final String DATA_KEY = "fit.data_sha256";
    private static final String INIT_KEY = "fit.init_nll";
    private static final int PLOT_POINTS = 10_000;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "FILE|NAME",
            description = "training data: .csv or .npy, or a built-in data set's name when no such file exists")
    Path data;

    @Option(names = "--points", paramLabel = "N", description = "points of a built-in data set; generated data cost "
            + "nothing, and a flexible flow overfits a few thousand (default: ${DEFAULT-VALUE})")
    int points = 20_000;

    @Option(names = "--test-points", paramLabel = "N", description = "held-out points of a built-in data set, a fresh "
            + "draw with the next data seed, for the held-out NLL (many, so that the estimate is sharp: 2000 points "
            + "leave it uncertain by about 0.02 nats); 0 for none (default: ${DEFAULT-VALUE})")
    int testPoints = 100_000;

    @Option(names = "--data-seed", paramLabel = "SEED", description = "seed of a built-in data set (default: ${DEFAULT-VALUE})")
    long dataSeed = 0;

    @Mixin
    FlowOptions options = FlowOptions.annealed();

    @Option(names = "--checkpoint-every", paramLabel = "N",
            description = "write DIR/" + CHECKPOINT + " every N steps (atomically; default: never)")
    int checkpointEvery = 0;

    @Option(names = "--resume", paramLabel = "CHECKPOINT",
            description = "continue the run saved in CHECKPOINT (same data; its settings are kept, --steps may extend it)")
    Path resume;

    @Option(names = "--out", paramLabel = "DIR", description = "output directory (default: runs/fit-<timestamp>)")
    Path out;

    @Override
    public Integer call() throws IOException {
        options.validate(resume == null);
        UserError.require(checkpointEvery >= 0, "--checkpoint-every must be >= 1 step (or 0 for none), got "
                + checkpointEvery);
        DataFiles.Table table = readData();
        double[][] rows = table.rows();
        double[][] testRows = heldOut();
        UserError.require(table.dim() >= 2, data + " has 1 column: RealNVP needs data of dimension 2 or more");
        UserError.require(rows.length >= 2, data + " has 1 row: need at least 2 points to fit");
        String fingerprint = fingerprint(rows);
        Checkpoints.Loaded ck = resume == null ? null : Checkpoints.read(resume);
        if (ck != null) {
            adoptCheckpointSettings(ck, table.dim(), fingerprint);
        }
        DType dt = ck != null ? ck.flow().dtype() : options.dtype();
        Standardization standardization = ck != null
                ? Standardized.split(ck.flow()).orElseThrow().standardize().standardization()
                : fitStandardization(rows);
        Path dir = OutputDirectory.prepare(out, "fit");
        PrintWriter w = spec.commandLine().getOut();
        w.printf(Locale.ROOT, "Data: %d rows x %d columns from %s (standardised for training)%n", rows.length,
                table.dim(), data);

        // the same generators as an uninterrupted run: initialisation, minibatches, sampling
        Rng master = new Rng(options.seed);
        Rng initRng = master.split();
        Rng batchRng = master.split();
        Rng sampleRng = master.split();
        Flow model = ck != null ? ck.flow() : Standardized.wrap(options.build(table.dim(), initRng), standardization);
        Flow inner = Standardized.split(model).orElseThrow().inner();
        Tensor train = Reports.toTensor(standardization.apply(rows), dt);
        double initNll = ck != null ? Double.parseDouble(ck.metadata().get(INIT_KEY))
                : MaximumLikelihood.nll(inner, train);
        TrainingState resumeState = ck == null ? null : ck.state();
        if (resumeState != null) {
            w.printf(Locale.ROOT, "Resuming %s at step %d of %d%n", resume, resumeState.step(), options.steps);
        }
        w.printf(Locale.ROOT, "NLL at random init: %.4f (standardised units)%n%n", initNll);

        Map<String, String> modelMeta = modelMetadata(table);
        MaximumLikelihood.Checkpointing checkpointing = null;
        if (checkpointEvery > 0) {
            Map<String, String> ckMeta = new LinkedHashMap<>(modelMeta);
            ckMeta.put(CONFIG_KEY, new Gson().toJson(config(dt)));
            ckMeta.put(DATA_KEY, fingerprint);
            ckMeta.put(INIT_KEY, Double.toString(initNll));
            Path ckFile = dir.resolve(CHECKPOINT);
            removeStaleTemporaries(dir);
            checkpointing = new MaximumLikelihood.Checkpointing(checkpointEvery,
                    state -> Checkpoints.write(ckFile, model, state, ckMeta));
        }
        Training.printHeader(w);
        MaximumLikelihood.Result result = Training.run(w, inner, train, options, options.steps, options.steps - 1,
                batchRng, resumeState, checkpointing);

        double finalNll = MaximumLikelihood.nll(inner, train);
        double finalNllData = MaximumLikelihood.nll(model, Reports.toTensor(rows, dt));
        double baselineNll = Reports.baselineNll(standardization.apply(rows));
        double testNll = testRows == null ? Double.NaN
                : MaximumLikelihood.nll(inner, Reports.toTensor(standardization.apply(testRows), dt));
        double[][] samples = Reports.rows(Evaluate.sample(model, Math.min(rows.length, PLOT_POINTS), sampleRng,
                options.threads));
        double[] dataMean = Reports.mean(rows);
        double[] dataStd = Reports.std(rows, dataMean);
        double[] sampleMean = Reports.mean(samples);
        double[] sampleStd = Reports.std(samples, sampleMean);
        w.println();
        w.printf(Locale.ROOT, "NLL after training: %.4f (standardised units; %.4f nats in the data's units)%n",
                finalNll, finalNllData);
        if (testRows != null) {
            w.printf(Locale.ROOT, "NLL on %d held-out points: %.4f (standardised units; data seed %d)%n",
                    testRows.length, testNll, dataSeed + 1);
        }
        w.printf(Locale.ROOT, "NLL of N(0,I) baseline: %.4f (no flow)%n", baselineNll);
        w.printf(Locale.ROOT, "Information gained: %.4f nats / point%n", baselineNll - finalNll);
        w.printf(Locale.ROOT, "%nTrained %d steps in %.2f s (%.0f steps/s)%n", result.stepsRun(), result.seconds(),
                result.stepsPerSecond());

        Map<String, Object> metrics = new LinkedHashMap<>();
        Map<String, Object> dataInfo = new LinkedHashMap<>();
        dataInfo.put("file", data.toString());
        dataInfo.put("rows", rows.length);
        dataInfo.put("dim", table.dim());
        metrics.put("data", dataInfo);
        metrics.put("init_nll", initNll);
        metrics.put("final_nll", finalNll);
        metrics.put("final_nll_data_units", finalNllData);
        if (testRows != null) {
            metrics.put("test_nll", testNll);
            metrics.put("test_points", testRows.length);
        }
        metrics.put("baseline_nll", baselineNll);
        metrics.put("info_gain", baselineNll - finalNll);
        metrics.put("train_seconds", result.seconds());
        metrics.put("steps_per_second", result.stepsPerSecond());
        if (resumeState != null) {
            metrics.put("resumed_at_step", resumeState.step());
        }
        metrics.put("data_mean", dataMean);
        metrics.put("data_std", dataStd);
        metrics.put("sample_mean", sampleMean);
        metrics.put("sample_std", sampleStd);
        metrics.put("config", config(dt));
        metrics.put("loss_history", result.lossHistory());
        String wrote = "model.safetensors, metrics.json, loss.png";
        try {
            FlowFiles.save(dir.resolve("model.safetensors"), model, modelMeta);
            Reports.writeMetrics(dir.resolve("metrics.json"), metrics);
            Plots.lossCurve(dir.resolve("loss.png"), result.lossHistory(), "Training NLL (standardised units)",
                    Double.NaN, null);
            if (table.dim() == 2) {
                double[][] shown = rows.length <= PLOT_POINTS ? rows : java.util.Arrays.copyOf(rows, PLOT_POINTS);
                Plots.scatterSideBySide(dir.resolve("samples.png"), shown, "data", samples, "flow samples");
                Reports.writeDensity(dir.resolve("density.png"), model, shown, dt, options.threads);
                wrote += ", samples.png, density.png";
            }
        } catch (IOException e) {
            throw new UserError("cannot write results to " + dir + ": " + OutputDirectory.reason(e));
        }
        w.println("Wrote " + dir + " (" + wrote + ")");
        return 0;
    }

    /** A fresh draw of the built-in data set with the next data seed (null for a file or --test-points 0). */
    private double[][] heldOut() {
        UserError.require(testPoints >= 0, "--test-points must be >= 0, got " + testPoints);
        if (!isBuiltIn() || testPoints == 0) {
            UserError.require(!spec.commandLine().getParseResult().hasMatchedOption("--test-points") || testPoints == 0,
                    "--test-points applies only to a built-in data set, and " + data + " is a file");
            return null;
        }
        return ToyData.sample(data.toString(), testPoints, dataSeed + 1);
    }

    private boolean isBuiltIn() {
        return !java.nio.file.Files.exists(data) && ToyData.names().contains(data.toString());
    }

    /** The --data file, or when there is no such file, the built-in data set of that name. */
    private DataFiles.Table readData() throws IOException {
        String name = data.toString();
        boolean builtIn = isBuiltIn();
        var matched = spec.commandLine().getParseResult();
        if (!builtIn) {
            UserError.require(!matched.hasMatchedOption("--points") && !matched.hasMatchedOption("--data-seed"),
                    "--points and --data-seed apply only to a built-in data set, and " + data + " is a file");
            UserError.require(java.nio.file.Files.exists(data), data + ": no such file, nor a built-in data set ("
                    + String.join(", ", ToyData.names()) + ")");
            return DataFiles.read(data);
        }
        UserError.require(points >= 2, "--points must be >= 2, got " + points);
        return new DataFiles.Table(ToyData.sample(name, points, dataSeed), java.util.List.of("x", "y"));
    }

    /** Deletes the partial checkpoint writes a killed run left behind (the checkpoint itself is whole). */
    private static void removeStaleTemporaries(Path dir) {
        try (var stale = java.nio.file.Files.newDirectoryStream(dir, "." + CHECKPOINT + ".*.tmp")) {
            for (Path p : stale) {
                java.nio.file.Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // harmless leftovers; the run does not depend on removing them
        }
    }

    private static Standardization fitStandardization(double[][] rows) {
        Standardization s = Standardization.fit(rows);
        double[] std = s.std();
        for (int j = 0; j < std.length; j++) {
            UserError.require(std[j] > 0 && Double.isFinite(std[j]), "column " + (j + 1) + " of the data is "
                    + (std[j] > 0 ? "too spread out" : "constant") + " (std " + std[j]
                    + "): a density over it cannot be fitted; drop or rescale it");
        }
        return s;
    }

    private Map<String, Object> config(DType dt) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("layers", options.layers);
        c.put("hidden", options.hidden);
        c.put("steps", options.steps);
        c.put("batch", options.batch);
        c.put("lr", options.lr);
        c.put("lr_schedule", options.schedule().cliName());
        c.put("seed", options.seed);
        c.put("dtype", FlowOptions.dtypeName(dt));
        options.putFlowConfig(c);
        return c;
    }

    private Map<String, String> modelMetadata(DataFiles.Table table) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("architecture", options.kind().cliName);
        m.put("layers", Integer.toString(options.layers));
        m.put("hidden", Integer.toString(options.hidden));
        m.put("hidden_layers", "2");
        m.put("standardized", "true");
        if (!table.columns().isEmpty()) {
            m.put("columns", new Gson().toJson(table.columns()));
        }
        m.put("trained_on", String.valueOf(data.getFileName()));
        return m;
    }

    /**
     * Takes the resumed run's settings from the checkpoint; a setting also given on the command
     * line must agree (only --steps may differ: it sets the total, at least the steps done).
     */
    private void adoptCheckpointSettings(Checkpoints.Loaded ck, int dataDim, String fingerprint)
            throws ModelFormatException {
        String where = resume + ": ";
        if (ck.flow().dim() != dataDim) {
            throw new UserError("the checkpoint's model has dimension " + ck.flow().dim() + " but " + data + " has "
                    + dataDim + " columns");
        }
        if (Standardized.split(ck.flow()).isEmpty() || !ck.metadata().containsKey(CONFIG_KEY)
                || !ck.metadata().containsKey(INIT_KEY)) {
            throw new ModelFormatException(where + "not a checkpoint of flows4j fit (no standardisation or settings)");
        }
        if (!fingerprint.equals(ck.metadata().get(DATA_KEY))) {
            throw new UserError(data + " is not the data the checkpoint was trained on (a resumed run must see the "
                    + "same data to continue exactly)");
        }
        JsonObject c;
        try {
            Double.parseDouble(ck.metadata().get(INIT_KEY));
            c = JsonParser.parseString(ck.metadata().get(CONFIG_KEY)).getAsJsonObject();
            var matched = spec.commandLine().getParseResult();
            options.layers = adopt(matched.hasMatchedOption("--layers"), "--layers", options.layers, c.get("layers").getAsInt());
            options.hidden = adopt(matched.hasMatchedOption("--hidden"), "--hidden", options.hidden, c.get("hidden").getAsInt());
            options.batch = adopt(matched.hasMatchedOption("--batch"), "--batch", options.batch, c.get("batch").getAsInt());
            options.lr = adopt(matched.hasMatchedOption("--lr"), "--lr", options.lr, c.get("lr").getAsDouble());
            options.lrSchedule = adopt(matched.hasMatchedOption("--lr-schedule"), "--lr-schedule", options.lrSchedule,
                    c.has("lr_schedule") ? c.get("lr_schedule").getAsString() : "constant");
            options.seed = adopt(matched.hasMatchedOption("--seed"), "--seed", options.seed, c.get("seed").getAsLong());
            String dtype = FlowOptions.dtypeName(ck.flow().dtype());
            if (matched.hasMatchedOption("--dtype") && !FlowOptions.dtypeName(options.dtype()).equals(dtype)) {
                throw new UserError("--dtype " + options.dtype + " differs from the checkpoint's " + dtype);
            }
            String flow = c.has("flow") ? c.get("flow").getAsString() : "realnvp";
            if (matched.hasMatchedOption("--flow") && !options.kind().cliName.equals(flow)) {
                throw new UserError("--flow " + options.flow + " differs from the checkpoint's " + flow);
            }
            options.flow = flow;
            options.bins = adoptNullable(matched.hasMatchedOption("--bins"), "--bins", options.bins,
                    c.has("bins") ? c.get("bins").getAsInt() : null);
            options.tailBound = adoptNullable(matched.hasMatchedOption("--tail-bound"), "--tail-bound",
                    options.tailBound, c.has("tail_bound") ? c.get("tail_bound").getAsDouble() : null);
            if (!matched.hasMatchedOption("--steps")) {
                options.steps = c.get("steps").getAsInt();
            }
        } catch (JsonParseException | IllegalStateException | UnsupportedOperationException | NullPointerException
                | NumberFormatException e) {
            throw new ModelFormatException(where + "checkpoint settings are unreadable");
        }
        options.validate();
        int done = ck.state().step();
        UserError.require(options.steps >= done, "--steps " + options.steps + " is less than the " + done
                + " steps the checkpoint has already done");
    }

    private static <T> T adopt(boolean given, String option, T value, T saved) {
        if (given && !value.equals(saved)) {
            throw new UserError(option + " " + value + " differs from the checkpoint's " + saved
                    + " (a resumed run keeps its settings; only --steps may change)");
        }
        return saved;
    }

    private static <T> T adoptNullable(boolean given, String option, T value, T saved) {
        if (given && !value.equals(saved)) {
            throw new UserError(option + " " + value + " differs from the checkpoint's "
                    + (saved == null ? "default" : saved) + " (a resumed run keeps its settings; only --steps may change)");
        }
        return saved;
    }

    /** SHA-256 of the data's shape and exact values. */
    static String fingerprint(double[][] rows) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 * rows[0].length);
            md.update(java.nio.ByteBuffer.allocate(8).putInt(rows.length).putInt(rows[0].length).array());
            for (double[] r : rows) {
                b.clear();
                for (double v : r) {
                    b.putDouble(v);
                }
                md.update(b.array());
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
