package org.flows4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.flows4j.io.DataFiles;
import org.flows4j.io.FlowFiles;
import org.flows4j.tensor.Autograd;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** fit, sample, density and import-torch, end to end through Main. */
class DataCommandsTest {
    static final Path TORCH = Path.of("../core/src/test/resources/torch/moons_realnvp_seed0.safetensors");
    static final Path PROBE = Path.of("../core/src/test/resources/torch/moons_realnvp_seed0_probe.csv");

    @TempDir
    static Path shared;
    static Path csv2d;
    static Path npy3d;
    static Path model2d;

    static MoonsCommandTest.Run run(String... args) {
        return MoonsCommandTest.run(args);
    }

    static MoonsCommandTest.Run ok(String... args) {
        MoonsCommandTest.Run r = run(args);
        assertThat(r.code()).as(String.join(" ", args) + ": " + r.err()).isZero();
        return r;
    }

    /** Two noisy arcs, shifted and scaled away from standard units; and a curved 3-D cloud. */
    @BeforeAll
    static void data() throws IOException {
        Rng rng = new Rng(4);
        StringBuilder sb = new StringBuilder("height,weight\n");
        for (int i = 0; i < 600; i++) {
            double t = Math.PI * rng.nextDouble();
            boolean up = rng.nextDouble() < 0.5;
            double x = (up ? Math.cos(t) : 1 - Math.cos(t)) + 0.05 * rng.nextGaussian();
            double y = (up ? Math.sin(t) : 0.5 - Math.sin(t)) + 0.05 * rng.nextGaussian();
            sb.append(String.format(Locale.ROOT, "%.6f,%.6f%n", 170 + 10 * x, 70 + 4 * y));
        }
        csv2d = Files.writeString(shared.resolve("arcs.csv"), sb.toString());
        double[] flat = new double[3 * 400];
        for (int i = 0; i < 400; i++) {
            double a = rng.nextGaussian();
            flat[3 * i] = a;
            flat[3 * i + 1] = rng.nextGaussian() * 2 + 5;
            flat[3 * i + 2] = a * a + 0.1 * rng.nextGaussian();
        }
        npy3d = shared.resolve("cloud.npy");
        DataFiles.writeNpy(npy3d, Tensor.of(flat, 400, 3));
        Path out = shared.resolve("fit2d");
        ok("fit", "--data", csv2d.toString(), "--steps", "60", "--hidden", "16", "--layers", "4", "--log-every", "20",
                "--out", out.toString());
        model2d = out.resolve("model.safetensors");
    }

    @Test
    void fitOn2dCsvWritesModelMetricsAndPictures(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("run");
        MoonsCommandTest.Run r = ok("fit", "--data", csv2d.toString(), "--steps", "30", "--hidden", "8",
                "--log-every", "10", "--out", out.toString());
        assertThat(r.out()).contains("Data: 600 rows x 2 columns", "NLL at random init:", "  step       NLL",
                "     0 ", "    20 ", "    29 ", "NLL after training:", "nats in the data's units",
                "Wrote " + out + " (model.safetensors, metrics.json, loss.png, samples.png, density.png)");
        for (String f : List.of("model.safetensors", "metrics.json", "loss.png", "samples.png", "density.png")) {
            assertThat(out.resolve(f)).isNotEmptyFile();
        }
        JsonObject m = JsonParser.parseString(Files.readString(out.resolve("metrics.json"))).getAsJsonObject();
        assertThat(m.getAsJsonArray("loss_history")).hasSize(30);
        assertThat(m.getAsJsonArray("data_mean").get(0).getAsDouble()).isBetween(160.0, 180.0);
        FlowFiles.Loaded loaded = FlowFiles.load(out.resolve("model.safetensors"));
        assertThat(loaded.metadata()).containsEntry("architecture", "realnvp").containsEntry("layers", "6")
                .containsEntry("hidden", "8").containsEntry("columns", "[\"height\",\"weight\"]");
        // the model works in the data's units: NLL in metrics is the model's own NLL on the raw rows
        double[][] rows = DataFiles.read(csv2d).rows();
        double nll;
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            nll = -loaded.flow().logProb(Reports.toTensor(rows, DType.FLOAT32)).mean().item();
        }
        assertThat(nll).isCloseTo(m.get("final_nll_data_units").getAsDouble(), org.assertj.core.data.Offset.offset(1e-4));
    }

    @Test
    void fitOn3dNpyInFloat64SkipsThe2dPictures(@TempDir Path dir) {
        Path out = dir.resolve("run");
        MoonsCommandTest.Run r = ok("fit", "--data", npy3d.toString(), "--steps", "10", "--hidden", "8",
                "--dtype", "float64", "--out", out.toString());
        assertThat(r.out()).contains("Data: 400 rows x 3 columns", "(model.safetensors, metrics.json, loss.png)");
        assertThat(out.resolve("samples.png")).doesNotExist();
        assertThat(out.resolve("density.png")).doesNotExist();
    }

    @Test
    void sampleWritesCsvOrNpyReproduciblyWithTheDataColumnNames(@TempDir Path dir) throws IOException {
        Path a = dir.resolve("a.csv");
        Path b = dir.resolve("b.csv");
        Path c = dir.resolve("c.npy");
        assertThat(ok("sample", "--model", model2d.toString(), "--n", "500", "--seed", "7", "--out", a.toString()).out())
                .contains("Wrote 500 samples of dimension 2 to " + a);
        ok("sample", "--model", model2d.toString(), "--n", "500", "--seed", "7", "--threads", "1", "--out", b.toString());
        ok("sample", "--model", model2d.toString(), "--n", "500", "--seed", "7", "--out", c.toString());
        assertThat(Files.readString(a)).startsWith("height,weight\n").isEqualTo(Files.readString(b));
        DataFiles.Table csv = DataFiles.read(a);
        DataFiles.Table npy = DataFiles.read(c);
        assertThat(csv.rows().length).isEqualTo(500);
        for (int i = 0; i < 500; i++) {
            for (int j = 0; j < 2; j++) {
                assertThat((float) csv.rows()[i][j]).isEqualTo((float) npy.rows()[i][j]);
            }
        }
        // samples live in the data's units
        assertThat(Reports.mean(csv.rows())[0]).isBetween(160.0, 180.0);
        Path d = dir.resolve("d.csv");
        ok("sample", "--model", model2d.toString(), "--n", "500", "--seed", "8", "--out", d.toString());
        assertThat(Files.readString(d)).isNotEqualTo(Files.readString(a));
    }

    @Test
    void densityGivesOneLogProbPerRowInOrderEqualToTheLibrarys(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("logp.csv");
        assertThat(ok("density", "--model", model2d.toString(), "--in", csv2d.toString(), "--out", out.toString()).out())
                .contains("Wrote 600 log-densities");
        List<String> lines = Files.readAllLines(out);
        assertThat(lines).hasSize(601);
        assertThat(lines.get(0)).isEqualTo("log_prob");
        FlowFiles.Loaded loaded = FlowFiles.load(model2d);
        Tensor x = Reports.toTensor(DataFiles.read(csv2d).rows(), DType.FLOAT32);
        float[] expected;
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            expected = loaded.flow().logProb(x).toFloatArray();
        }
        for (int i = 0; i < 600; i++) {
            assertThat(Float.parseFloat(lines.get(i + 1))).isCloseTo(expected[i],
                    org.assertj.core.data.Offset.offset(1e-4f * Math.max(1, Math.abs(expected[i]))));
        }
        // reversed input, reversed output
        List<String> data = Files.readAllLines(csv2d);
        List<String> reversed = new java.util.ArrayList<>(data.subList(1, data.size()));
        java.util.Collections.reverse(reversed);
        Path rev = Files.write(dir.resolve("rev.csv"), reversed);
        Path out2 = dir.resolve("logp2.csv");
        ok("density", "--model", model2d.toString(), "--in", rev.toString(), "--out", out2.toString());
        List<String> lines2 = Files.readAllLines(out2);
        for (int i = 0; i < 600; i++) {
            assertThat(lines2.get(600 - i)).isEqualTo(lines.get(i + 1));
        }
    }

    @Test
    void importTorchMatchesPyTorchAtTheProbePoints(@TempDir Path dir) throws IOException {
        Path model = dir.resolve("seed.safetensors");
        assertThat(ok("import-torch", TORCH.toString(), "--out", model.toString()).out())
                .contains("6 coupling layers", "width 64", "standardisation from data.mean / data.std");
        // probe points into the data space, through the command line
        FlowFiles.Loaded loaded = FlowFiles.load(model);
        var parts = org.flows4j.flows.Standardized.split(loaded.flow()).orElseThrow();
        double[] mean = parts.standardize().mean();
        double[] std = parts.standardize().std();
        List<String> probe = Files.readAllLines(PROBE).subList(1, 65);
        StringBuilder in = new StringBuilder();
        double[] expected = new double[probe.size()];
        for (int i = 0; i < probe.size(); i++) {
            String[] f = probe.get(i).split(",");
            in.append(mean[0] + std[0] * Double.parseDouble(f[0])).append(',')
                    .append(mean[1] + std[1] * Double.parseDouble(f[1])).append('\n');
            expected[i] = Double.parseDouble(f[2]) - Math.log(std[0]) - Math.log(std[1]);
        }
        Path points = Files.writeString(dir.resolve("probe.csv"), in.toString());
        Path out = dir.resolve("logp.csv");
        ok("density", "--model", model.toString(), "--in", points.toString(), "--out", out.toString());
        List<String> got = Files.readAllLines(out);
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            double lp = Double.parseDouble(got.get(i + 1));
            worst = Math.max(worst, Math.abs(lp - expected[i]) / Math.max(1, Math.abs(expected[i])));
        }
        assertThat(worst).isLessThan(1e-4);
    }

    @Test
    void resumingFromAHalfwayCheckpointGivesTheSameModelBitForBit(@TempDir Path dir) throws IOException {
        // a constant rate: under fit's default cosine schedule a run of 20 steps anneals differently from one of 40
        String[] common = {"--data", npy3d.toString(), "--hidden", "16", "--layers", "4", "--batch", "64",
            "--lr-schedule", "constant"};
        ok(concat(new String[] {"fit", "--steps", "40", "--out", dir.resolve("full").toString()}, common));
        ok(concat(new String[] {"fit", "--steps", "20", "--checkpoint-every", "10", "--out",
            dir.resolve("half").toString()}, common));
        Path ck = dir.resolve("half").resolve(FitCommand.CHECKPOINT);
        assertThat(ck).isNotEmptyFile();
        // what a run killed during a checkpoint write leaves behind is cleaned up by the next run there
        Path leftover = Files.writeString(dir.resolve("half").resolve("." + FitCommand.CHECKPOINT + ".1234.tmp"), "x");
        MoonsCommandTest.Run r = ok("fit", "--data", npy3d.toString(), "--resume", ck.toString(), "--steps", "40",
                "--out", dir.resolve("resumed").toString());
        assertThat(r.out()).contains("at step 20 of 40");
        ok("fit", "--data", npy3d.toString(), "--resume", ck.toString(), "--steps", "20", "--checkpoint-every", "10",
                "--out", dir.resolve("half").toString());
        assertThat(leftover).doesNotExist();
        assertThat(Files.readAllBytes(dir.resolve("resumed/model.safetensors")))
                .isEqualTo(Files.readAllBytes(dir.resolve("full/model.safetensors")));
        JsonObject a = JsonParser.parseString(Files.readString(dir.resolve("full/metrics.json"))).getAsJsonObject();
        JsonObject b = JsonParser.parseString(Files.readString(dir.resolve("resumed/metrics.json"))).getAsJsonObject();
        assertThat(b.get("loss_history")).isEqualTo(a.get("loss_history"));
        assertThat(b.get("final_nll")).isEqualTo(a.get("final_nll"));
        assertThat(b.get("init_nll")).isEqualTo(a.get("init_nll"));
        // a setting that would change the run is refused, the data too
        MoonsCommandTest.Run lr = run("fit", "--data", npy3d.toString(), "--resume", ck.toString(), "--lr", "0.5",
                "--out", dir.resolve("x").toString());
        assertThat(lr.code()).isEqualTo(2);
        assertThat(lr.err()).contains("--lr 0.5 differs from the checkpoint's 0.001").hasLineCount(1);
        Path other = dir.resolve("other.npy");
        DataFiles.writeNpy(other, Tensor.randn(new Rng(1), DType.FLOAT64, 400, 3));
        MoonsCommandTest.Run data = run("fit", "--data", other.toString(), "--resume", ck.toString(), "--out",
                dir.resolve("y").toString());
        assertThat(data.code()).isEqualTo(2);
        assertThat(data.err()).contains("is not the data the checkpoint was trained on").hasLineCount(1);
    }

    static String[] concat(String[] a, String[] b) {
        String[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    // ------------------------------------------------------------------ bad input: one line, exit 2

    static void assertUsageError(MoonsCommandTest.Run r, String message) {
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).contains(message).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "x,y\n1,2\n3,NaN\n|line 3, column 2: NaN is not allowed",
        "1,2\n3,inf\n|line 2, column 2: inf is not allowed",
        "1,2\n3,-Infinity\n|line 2, column 2: -Infinity is not allowed",
        "1,2\n3,seven\n|line 2, column 2: 'seven' is not a number",
        "1,2\n3,4,5\n|line 2 has 3 values but line 1 has 2 (ragged rows)",
        "|the file is empty",
        "a,b\n|a header but no data rows",
        "a\n1\n2\n|has 1 column: RealNVP needs data of dimension 2 or more",
        "1,2\n|has 1 row",
        "1,5\n2,5\n3,5\n|column 2 of the data is constant"})
    void badCsvForFitIsOneLineAndExit2(String spec, @TempDir Path dir) throws IOException {
        String[] parts = spec.split("\\|", -1);
        Path f = Files.writeString(dir.resolve("bad.csv"), parts[0]);
        MoonsCommandTest.Run r = run("fit", "--data", f.toString(), "--steps", "2", "--out", dir.resolve("o").toString());
        assertUsageError(r, parts[1]);
        assertThat(r.out()).isEmpty();
        assertThat(dir.resolve("o")).as("nothing written on bad data").doesNotExist();
    }

    @Test
    void badModelsPointsAndOptionsAreOneLineAndExit2(@TempDir Path dir) throws IOException {
        Path three = Files.writeString(dir.resolve("three.csv"), "1,2,3\n4,5,6\n");
        Path out = dir.resolve("lp.csv");
        assertUsageError(run("density", "--model", model2d.toString(), "--in", three.toString(), "--out", out.toString()),
                "the model has dimension 2 but " + three + " has 3 columns");
        Path nan = Files.writeString(dir.resolve("nan.csv"), "1,2\nnan,2\n");
        assertUsageError(run("density", "--model", model2d.toString(), "--in", nan.toString(), "--out", out.toString()),
                "line 2, column 1: nan is not allowed");
        byte[] good = Files.readAllBytes(model2d);
        Path trunc = Files.write(dir.resolve("trunc.safetensors"), java.util.Arrays.copyOf(good, good.length / 2));
        assertUsageError(run("sample", "--model", trunc.toString(), "--n", "3", "--out", out.toString()),
                "outside the data section");
        assertUsageError(run("sample", "--model", TORCH.toString(), "--n", "3", "--out", out.toString()),
                "use import-torch");
        assertUsageError(run("sample", "--model", dir.resolve("missing").toString(), "--n", "3", "--out",
                out.toString()), "no such file");
        assertUsageError(run("sample", "--model", model2d.toString(), "--n", "-1", "--out", out.toString()),
                "--n must be >= 1");
        assertUsageError(run("sample", "--model", model2d.toString(), "--n", "3", "--out", dir.toString()),
                "it is a directory");
        assertUsageError(run("sample", "--model", model2d.toString(), "--n", "3"), "Missing required option");
        assertUsageError(run("import-torch", model2d.toString(), "--out", dir.resolve("m").toString()),
                "already a flows4j model");
        assertUsageError(run("import-torch", three.toString(), "--out", dir.resolve("m").toString()),
                "over the 100 MB limit");
        assertUsageError(run("fit", "--data", csv2d.toString(), "--resume", model2d.toString(), "--out",
                dir.resolve("r").toString()), "not a flows4j checkpoint");
        assertUsageError(run("fit", "--data", csv2d.toString(), "--checkpoint-every", "-2", "--out",
                dir.resolve("r").toString()), "--checkpoint-every must be >= 1");
        assertThat(out).doesNotExist();
    }

    @Test
    void corruptedModelsNeverCrashTheCommands(@TempDir Path dir) throws IOException {
        byte[] good = Files.readAllBytes(model2d);
        int headerEnd = 8 + (int) ByteBuffer.wrap(good, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        Path points = Files.writeString(dir.resolve("p.csv"), "170,70\n175,71\n");
        Rng rng = new Rng(77);
        Path bad = dir.resolve("bad.safetensors");
        Path out = dir.resolve("lp.csv");
        for (int i = 0; i < 200; i++) {
            byte[] b = good.clone();
            if (i % 3 == 0) {
                b = java.util.Arrays.copyOf(good, rng.nextInt(good.length));
            } else {
                int at = i % 3 == 1 ? 8 + rng.nextInt(headerEnd - 8) : rng.nextInt(b.length);
                b[at] = (byte) rng.nextInt(256);
            }
            Files.write(bad, b);
            MoonsCommandTest.Run r = run("density", "--model", bad.toString(), "--in", points.toString(), "--out",
                    out.toString());
            assertThat(r.code()).as("mutation %d: %s", i, r.err()).isIn(0, 2);
            if (r.code() == 2) {
                assertUsageError(r, bad.toString());
            }
        }
    }
}
