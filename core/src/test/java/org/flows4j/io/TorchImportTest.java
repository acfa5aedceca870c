package org.flows4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flows4j.flows.Flow;
import org.flows4j.flows.Standardized;
import org.flows4j.tensor.Autograd;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Tensor;
import org.flows4j.transforms.Transform;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The seed's PyTorch model, imported, must reproduce PyTorch's own numbers at the probe points. */
class TorchImportTest {
    static final Path MODEL = resource("torch/moons_realnvp_seed0.safetensors");
    static final Path PROBE = resource("torch/moons_realnvp_seed0_probe.csv");

    static Path resource(String name) {
        try {
            return Path.of(TorchImportTest.class.getClassLoader().getResource(name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Rows of x0,x1,log_prob,z0,z1,log_det. */
    static double[][] probe() throws IOException {
        List<String> lines = Files.readAllLines(PROBE);
        assertThat(lines.get(0)).isEqualTo("x0,x1,log_prob,z0,z1,log_det");
        return lines.stream().skip(1).map(l -> java.util.Arrays.stream(l.split(",")).mapToDouble(Double::parseDouble)
                .toArray()).toArray(double[][]::new);
    }

    /**
     * Max over the probe points of |ours - PyTorch| / max(1, |PyTorch|) for log p at x = mean + std p
     * against log_prob(p) - sum(log std): absolute where |log p| <= 1, relative beyond. PyTorch's
     * reference values are float32 results (log p down to -20000 at the far probe points, where one
     * float32 rounding of z already moves log p by more than 1e-4), so far out only a relative
     * comparison is meaningful; evaluating the same weights in float64 shows the same scatter.
     */
    static double maxLogProbError(Flow model) throws IOException {
        double[][] probe = probe();
        Standardized.Parts parts = Standardized.split(model).orElseThrow();
        double[] mean = parts.standardize().mean();
        double[] std = parts.standardize().std();
        double sumLogStd = Math.log(std[0]) + Math.log(std[1]);
        double[] x = new double[2 * probe.length];
        for (int i = 0; i < probe.length; i++) {
            x[2 * i] = mean[0] + std[0] * probe[i][0];
            x[2 * i + 1] = mean[1] + std[1] * probe[i][1];
        }
        double[] logp;
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            logp = model.logProb(Tensor.of(model.dtype(), x, probe.length, 2)).toDoubleArray();
        }
        double max = 0;
        for (int i = 0; i < probe.length; i++) {
            double expected = probe[i][2] - sumLogStd;
            max = Math.max(max, Math.abs(logp[i] - expected) / Math.max(1, Math.abs(expected)));
        }
        return max;
    }

    @Test
    void importedSeedModelMatchesPyTorchAtTheProbePoints() throws IOException {
        Flow model = TorchImport.load(MODEL);
        assertThat(model.dtype()).isEqualTo(DType.FLOAT32);
        assertThat(model.dim()).isEqualTo(2);
        double err = maxLogProbError(model);
        System.out.printf("probe max |log p error| float32: %.3g%n", err);
        assertThat(err).isLessThan(1e-4);

        // the inner flow, on the standardised probe points, gives PyTorch's z and log-det
        Flow inner = Standardized.split(model).orElseThrow().inner();
        double[][] probe = probe();
        double[] p = new double[2 * probe.length];
        for (int i = 0; i < probe.length; i++) {
            p[2 * i] = probe[i][0];
            p[2 * i + 1] = probe[i][1];
        }
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            Transform.Result r = inner.transform().forward(Tensor.of(DType.FLOAT32, p, probe.length, 2));
            double[] z = r.y().toDoubleArray();
            double[] ld = r.logAbsDet().toDoubleArray();
            for (int i = 0; i < probe.length; i++) {
                assertThat(z[2 * i]).isCloseTo(probe[i][3], org.assertj.core.data.Offset.offset(1e-4 * (1 + Math.abs(probe[i][3]))));
                assertThat(z[2 * i + 1]).isCloseTo(probe[i][4], org.assertj.core.data.Offset.offset(1e-4 * (1 + Math.abs(probe[i][4]))));
                assertThat(ld[i]).isCloseTo(probe[i][5], org.assertj.core.data.Offset.offset(1e-4));
            }
        }
    }

    @Test
    void float64ImportAgreesToo() throws IOException {
        double err = maxLogProbError(TorchImport.load(MODEL, DType.FLOAT64));
        System.out.printf("probe max |log p error| float64: %.3g%n", err);
        assertThat(err).isLessThan(1e-4);
    }

    @Test
    void importedModelSavesAndLoadsBitForBit(@TempDir Path dir) throws IOException {
        Flow model = TorchImport.load(MODEL);
        Path file = dir.resolve("model.safetensors");
        FlowFiles.save(file, model);
        Flow back = FlowFiles.load(file).flow();
        Tensor x = Tensor.randn(new org.flows4j.tensor.Rng(3), DType.FLOAT32, 500, 2);
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            assertThat(back.logProb(x).toFloatArray()).isEqualTo(model.logProb(x).toFloatArray());
        }
    }

    @Test
    void layerCountWidthAndDepthComeFromTheTensors(@TempDir Path dir) throws IOException {
        // a 3-layer, 3-D model with hidden widths 5 and 7 and three hidden layers
        Map<String, Tensor> t = new LinkedHashMap<>();
        org.flows4j.tensor.Rng rng = new org.flows4j.tensor.Rng(1);
        int[] widths = {3, 5, 7, 7, 6};
        for (int i = 0; i < 3; i++) {
            t.put("layers." + i + ".mask", Tensor.of(new float[] {i % 2, 1 - i % 2, 1}, 3));
            for (int k = 0; k + 1 < widths.length; k++) {
                t.put("layers." + i + ".net." + 2 * k + ".weight", Tensor.randn(rng, DType.FLOAT32, widths[k + 1], widths[k]));
                t.put("layers." + i + ".net." + 2 * k + ".bias", Tensor.randn(rng, DType.FLOAT32, widths[k + 1]));
            }
        }
        Path file = dir.resolve("torch.safetensors");
        SafeTensors.write(file, t, Map.of("format", "pt"));
        Flow f = TorchImport.load(file);
        assertThat(f.dim()).isEqualTo(3);
        assertThat(f.parameterCount()).isEqualTo(3L * (3 * 5 + 5 + 5 * 7 + 7 + 7 * 7 + 7 + 7 * 6 + 6));
        assertThat(Standardized.split(f)).as("no data.mean/std: no standardisation").isEmpty();

        t.remove("layers.1.net.4.bias");
        SafeTensors.write(file, t, Map.of());
        assertThatThrownBy(() -> TorchImport.load(file)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("layers.1.net.4 needs both a weight and a bias");
    }
}
