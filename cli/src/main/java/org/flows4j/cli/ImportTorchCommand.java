package org.flows4j.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.flows4j.flows.Flow;
import org.flows4j.flows.Standardized;
import org.flows4j.io.FlowFiles;
import org.flows4j.io.TorchImport;
import org.flows4j.tensor.DType;
import org.flows4j.transforms.Composite;
import org.flows4j.transforms.Coupling;
import org.flows4j.transforms.MlpConditioner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Converts the seed's PyTorch RealNVP (a state_dict in .safetensors) into a flows4j model. */
@Command(name = "import-torch", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Convert the seed's PyTorch RealNVP (a state_dict in .safetensors) to flows4j.",
            "Expects layers.<i>.mask and layers.<i>.net.<j>.weight/bias, plus data.mean and",
            "data.std if the model was trained on standardised data (the imported model",
            "then works in the original units). Layer count, hidden widths and depth are",
            "read from the tensors."})
public final class ImportTorchCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "the PyTorch model (.safetensors)")
    Path file;

    @Option(names = "--out", required = true, paramLabel = "MODEL", description = "where to write the flows4j model")
    Path out;

    @Option(names = "--dtype", description = "float32 or float64 (default: the file's)")
    String dtype;

    @Override
    public Integer call() throws IOException {
        DType dt = dtype == null ? null : FlowOptions.parseDType(dtype);
        OutputFile.check(out, "--out");
        Flow flow = TorchImport.load(file, dt);
        Optional<Standardized.Parts> parts = Standardized.split(flow);
        Flow inner = parts.map(Standardized.Parts::inner).orElse(flow);
        int layers = ((Composite) inner.transform()).parts().size();
        MlpConditioner first = (MlpConditioner) ((Coupling) ((Composite) inner.transform()).parts().get(0)).conditioner();
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("architecture", "realnvp");
        meta.put("layers", Integer.toString(layers));
        meta.put("hidden", Integer.toString(first.net().layers().get(0).out()));
        meta.put("hidden_layers", Integer.toString(first.net().layers().size() - 1));
        meta.put("standardized", Boolean.toString(parts.isPresent()));
        meta.put("imported_from", String.valueOf(file.getFileName()));
        OutputFile.write(out, () -> FlowFiles.save(out, flow, meta));
        spec.commandLine().getOut().printf("Imported a RealNVP of dimension %d: %d coupling layers, networks of %d "
                + "hidden layers of width %s, %s, %s%nWrote %s%n", flow.dim(), layers,
                first.net().layers().size() - 1, meta.get("hidden"),
                parts.isPresent() ? "standardisation from data.mean / data.std" : "no standardisation",
                FlowOptions.dtypeName(flow.dtype()), out);
        return 0;
    }
}
