package org.flows4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.flows4j.cli.DataCommandsTest.assertUsageError;
import static org.flows4j.cli.DataCommandsTest.ok;
import static org.flows4j.cli.DataCommandsTest.run;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.flows4j.data.ToyData;
import org.flows4j.io.DataFiles;
import org.flows4j.io.FlowFiles;
import org.flows4j.tensor.Autograd;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** --flow, --bins, --tail-bound on the fitting commands, and fit --data NAME of a built-in data set. */
class FlowChoiceTest {

    @ParameterizedTest
    @ValueSource(strings = {"realnvp", "nsf", "maf", "maf-nsf"})
    void everyFlowFitsAndItsModelLoadsIntoDensity(String flow, @TempDir Path dir) throws IOException {
        Path out = dir.resolve("run");
        ok("fit", "--data", "checkerboard", "--points", "200", "--flow", flow, "--steps", "5", "--hidden", "8",
                "--layers", "2", "--batch", "64", "--log-every", "5", "--out", out.toString());
        Path model = out.resolve("model.safetensors");
        assertThat(model).exists();
        assertThat(FlowFiles.load(model).metadata()).containsEntry("architecture", flow);
        JsonObject config = JsonParser.parseString(Files.readString(out.resolve("metrics.json"))).getAsJsonObject()
                .getAsJsonObject("config");
        assertThat(config.get("flow").getAsString()).isEqualTo(flow);
        assertThat(config.has("bins")).isEqualTo(flow.endsWith("nsf"));

        Path points = dir.resolve("points.csv");
        DataFiles.writeCsv(points, List.of("x", "y"), Tensor.of(new double[] {0.5, -1, 2, 3, -3.5, 0.1}, 3, 2));
        Path lp = dir.resolve("lp.csv");
        assertThat(ok("density", "--model", model.toString(), "--in", points.toString(), "--out", lp.toString()).out())
                .contains("Wrote 3 log-densities");
        List<String> lines = Files.readAllLines(lp);
        float[] expected;
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            expected = FlowFiles.load(model).flow().logProb(Reports.toTensor(DataFiles.read(points).rows(),
                    DType.FLOAT32)).toFloatArray();
        }
        for (int i = 0; i < 3; i++) {
            assertThat(Float.parseFloat(lines.get(i + 1))).isFinite().isCloseTo(expected[i],
                    org.assertj.core.data.Offset.offset(1e-4f * Math.max(1, Math.abs(expected[i]))));
        }
    }

    @Test
    void moonsTakesTheFlowOptionsToo(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("m");
        ok("moons", "--flow", "maf-nsf", "--bins", "4", "--tail-bound", "4", "--steps", "5", "--hidden", "8",
                "--points", "100", "--test-points", "100", "--out", out.toString());
        JsonObject config = JsonParser.parseString(Files.readString(out.resolve("metrics.json"))).getAsJsonObject()
                .getAsJsonObject("config");
        assertThat(config.get("flow").getAsString()).isEqualTo("maf-nsf");
        assertThat(config.get("bins").getAsInt()).isEqualTo(4);
        assertThat(config.get("tail_bound").getAsDouble()).isEqualTo(4.0);
    }

    @Test
    void fitOnABuiltInDataSetUsesItsPointsAndSeed(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("cb");
        assertThat(ok("fit", "--data", "checkerboard", "--points", "300", "--data-seed", "3", "--steps", "5",
                "--hidden", "8", "--out", out.toString()).out())
                .contains("Data: 300 rows x 2 columns from checkerboard");
        assertThat(out.resolve("density.png")).exists();
        JsonObject data = JsonParser.parseString(Files.readString(out.resolve("metrics.json"))).getAsJsonObject()
                .getAsJsonObject("data");
        assertThat(data.get("rows").getAsInt()).isEqualTo(300);
        assertThat(ToyData.sample("checkerboard", 300, 3)).hasNumberOfRows(300);
    }

    @Test
    void aResumedRunKeepsItsFlowAndRefusesAnother(@TempDir Path dir) throws IOException {
        Path first = dir.resolve("first");
        ok("fit", "--data", "rings", "--points", "200", "--flow", "nsf", "--bins", "4", "--steps", "4", "--hidden",
                "8", "--layers", "2", "--batch", "64", "--checkpoint-every", "2", "--out", first.toString());
        String ck = first.resolve(FitCommand.CHECKPOINT).toString();
        Path second = dir.resolve("second");
        ok("fit", "--data", "rings", "--points", "200", "--resume", ck, "--steps", "6", "--out", second.toString());
        JsonObject config = JsonParser.parseString(Files.readString(second.resolve("metrics.json"))).getAsJsonObject()
                .getAsJsonObject("config");
        assertThat(config.get("flow").getAsString()).isEqualTo("nsf");
        assertThat(config.get("bins").getAsInt()).isEqualTo(4);
        assertUsageError(run("fit", "--data", "rings", "--points", "200", "--resume", ck, "--flow", "maf", "--out",
                dir.resolve("third").toString()), "--flow maf differs from the checkpoint's nsf");
        assertUsageError(run("fit", "--data", "rings", "--points", "200", "--resume", ck, "--bins", "5", "--out",
                dir.resolve("third").toString()), "--bins 5 differs from the checkpoint's 4");
    }

    @Test
    void badFlowOptionsAndDataNamesAreOneLineAndExit2(@TempDir Path dir) throws IOException {
        String o = dir.resolve("o").toString();
        for (String cmd : List.of("moons", "fit")) {
            List<String> data = cmd.equals("fit") ? List.of("--data", "moons") : List.of();
            assertUsageError(run(args(cmd, data, "--flow", "bogus", "--out", o)),
                    "--flow must be one of realnvp, nsf, maf, maf-nsf, got bogus");
            assertUsageError(run(args(cmd, data, "--flow", "nsf", "--bins", "0", "--out", o)), "--bins must be >= 1");
            assertUsageError(run(args(cmd, data, "--flow", "maf-nsf", "--tail-bound", "-1", "--out", o)),
                    "--tail-bound must be a positive number");
            assertUsageError(run(args(cmd, data, "--bins", "4", "--out", o)),
                    "--bins and --tail-bound apply only to the spline flows");
        }
        String names = String.join(", ", ToyData.names());
        assertUsageError(run("fit", "--data", "chequerboard", "--out", o),
                "chequerboard: no such file, nor a built-in data set (" + names + ")");
        assertUsageError(run("fit", "--data", dir.resolve("missing.csv").toString(), "--out", o),
                "missing.csv: no such file, nor a built-in data set (" + names + ")");
        Path csv = Files.writeString(dir.resolve("p.csv"), "1,2\n3,5\n4,1\n");
        assertUsageError(run("fit", "--data", csv.toString(), "--points", "10", "--out", o),
                "--points and --data-seed apply only to a built-in data set");
        assertUsageError(run("fit", "--data", "rings", "--points", "1", "--out", o), "--points must be >= 2");
        assertThat(Path.of(o)).doesNotExist();
    }

    private static String[] args(String cmd, List<String> data, String... rest) {
        List<String> a = new java.util.ArrayList<>();
        a.add(cmd);
        a.addAll(data);
        a.addAll(List.of(rest));
        return a.toArray(String[]::new);
    }
}
