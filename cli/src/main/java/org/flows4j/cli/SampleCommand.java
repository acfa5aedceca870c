package org.flows4j.cli;

import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.flows4j.io.DataFiles;
import org.flows4j.io.FlowFiles;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Draws samples from a saved model. */
@Command(name = "sample", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Draw samples from a saved model (from fit or import-torch, or a checkpoint).",
            "Writes one sample per row: CSV with a header, or .npy when --out ends in .npy."})
public final class SampleCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "MODEL", description = "the model (.safetensors)")
    Path model;

    @Option(names = "--n", required = true, paramLabel = "N", description = "number of samples")
    int n;

    @Option(names = "--seed", description = "sampling seed (default: ${DEFAULT-VALUE})")
    long seed = 0;

    @Option(names = "--threads", description = "threads (default: all cores, ${DEFAULT-VALUE})")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "samples.csv or samples.npy")
    Path out;

    @Override
    public Integer call() throws IOException {
        UserError.require(n >= 1, "--n must be >= 1, got " + n);
        UserError.require(threads >= 1, "--threads must be >= 1, got " + threads);
        OutputFile.check(out, "--out");
        FlowFiles.Loaded loaded = FlowFiles.load(model);
        Tensor samples = Evaluate.sample(loaded.flow(), n, new Rng(seed), threads);
        OutputFile.write(out, () -> {
            if (DataFiles.isNpy(out)) {
                DataFiles.writeNpy(out, samples);
            } else {
                DataFiles.writeCsv(out, columns(loaded.metadata(), loaded.flow().dim()), samples);
            }
        });
        spec.commandLine().getOut().println("Wrote " + n + " samples of dimension " + loaded.flow().dim() + " to " + out);
        return 0;
    }

    /** The data's column names saved with the model, else x0, x1, .... */
    static List<String> columns(Map<String, String> metadata, int dim) {
        List<String> names = new ArrayList<>();
        String saved = metadata.get("columns");
        if (saved != null) {
            try {
                for (var e : JsonParser.parseString(saved).getAsJsonArray()) {
                    String s = e.getAsString();
                    names.add(s.matches("[^,\"\\r\\n]+") ? s : "");
                }
            } catch (JsonParseException | IllegalStateException | UnsupportedOperationException e) {
                names.clear();
            }
        }
        if (names.size() == dim && !names.contains("")) {
            return names;
        }
        names.clear();
        for (int j = 0; j < dim; j++) {
            names.add("x" + j);
        }
        return names;
    }
}
