package org.flows4j.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.flows4j.flows.Flow;
import org.flows4j.io.DataFiles;
import org.flows4j.io.FlowFiles;
import org.flows4j.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Evaluates a saved model's log-density at given points. */
@Command(name = "density", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Evaluate a saved model's log-density at the points of a .csv or .npy file.",
            "Writes one log-density (natural log, in the data's units) per input row, in",
            "order, under the header log_prob (or an [n, 1] .npy when --out ends in .npy)."})
public final class DensityCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "MODEL", description = "the model (.safetensors)")
    Path model;

    @Option(names = "--in", required = true, paramLabel = "FILE", description = "points: .csv or .npy")
    Path in;

    @Option(names = "--threads", description = "threads (default: all cores, ${DEFAULT-VALUE})")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "logp.csv (or .npy)")
    Path out;

    @Override
    public Integer call() throws IOException {
        UserError.require(threads >= 1, "--threads must be >= 1, got " + threads);
        OutputFile.check(out, "--out");
        Flow flow = FlowFiles.load(model).flow();
        DataFiles.Table points = DataFiles.read(in);
        if (points.dim() != flow.dim()) {
            throw new UserError("the model has dimension " + flow.dim() + " but " + in + " has " + points.dim()
                    + " column" + (points.dim() == 1 ? "" : "s"));
        }
        Tensor x = Reports.toTensor(points.rows(), flow.dtype());
        double[] logp = Evaluate.logProb(flow, x, threads);
        Tensor result = Tensor.of(flow.dtype(), logp, logp.length, 1);
        OutputFile.write(out, () -> {
            if (DataFiles.isNpy(out)) {
                DataFiles.writeNpy(out, result);
            } else {
                DataFiles.writeCsv(out, List.of("log_prob"), result);
            }
        });
        spec.commandLine().getOut().println("Wrote " + logp.length + " log-densities to " + out);
        return 0;
    }
}
