package org.flows4j.cli.snf;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.flows4j.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DoubleWellCommandTest {
    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"--method=maf", "--runs=0", "--runs=x", "--ml-iterations=-1", "--lr=0", "--batch=0",
        "--mc-steps=0", "--mc-step-size=-0.1", "--samples=1", "--repeats=1", "--bins=1", "--threads=0", "--bogus"})
    void badInputGivesOneLineAndExitCode2(String arg, @TempDir Path dir) {
        Run r = run("snf", "doublewell", arg, "--out", dir.resolve("o").toString());
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void noTrainingAtAllAndMissingSubcommandAreUsageErrors(@TempDir Path dir) throws Exception {
        Run r = run("snf", "doublewell", "--ml-iterations=0", "--mix-iterations=0", "--out", dir.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("at least one iteration").hasLineCount(1);
        Run s = run("snf");
        assertThat(s.code()).isEqualTo(2);
        assertThat(s.err()).contains("missing command").hasLineCount(1);
        Path file = Files.writeString(dir.resolve("f"), "x");
        Run t = run("snf", "doublewell", "--out", file.toString());
        assertThat(t.code()).isEqualTo(2);
        assertThat(t.err()).contains("not a directory").hasLineCount(1);
    }

    @Test
    void shortRunPrintsTheTableRowAndWritesMetricsAndPlots(@TempDir Path dir) throws Exception {
        Run r = run("snf", "doublewell", "--method", "rnvp+mc", "--runs", "2", "--ml-iterations", "4",
                "--mix-iterations", "4", "--mc-steps", "3", "--samples", "3000", "--repeats", "3", "--threads", "2",
                "--out", dir.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("Table 1, rnvp+mc").contains("paper      1.48 +- 0.19").contains("flows4j")
                .contains("total_rw").contains("Time per run");
        JsonObject m = JsonParser.parseString(Files.readString(dir.resolve("metrics.json"))).getAsJsonObject();
        assertThat(m.get("method").getAsString()).isEqualTo("rnvp+mc");
        assertThat(m.get("runs").getAsInt()).isEqualTo(2);
        for (String k : new String[] {"bias", "unc", "bias_rw", "unc_rw", "total", "total_rw"}) {
            assertThat(m.getAsJsonArray(k)).as(k).hasSize(2);
            assertThat(m.getAsJsonArray(k).get(0).getAsDouble()).as(k).isFinite().isGreaterThanOrEqualTo(0);
        }
        assertThat(m.getAsJsonArray("per_run")).hasSize(2);
        for (String png : new String[] {"free_energy.png", "samples.png"}) {
            byte[] b = Files.readAllBytes(dir.resolve(png));
            assertThat(b.length).isGreaterThan(1000);
            assertThat(b[1]).isEqualTo((byte) 'P');
        }
        // Same seed, one thread: the same numbers (runs do not depend on scheduling).
        Path dir2 = dir.resolve("again");
        Run again = run("snf", "doublewell", "--method", "rnvp+mc", "--runs", "2", "--ml-iterations", "4",
                "--mix-iterations", "4", "--mc-steps", "3", "--samples", "3000", "--repeats", "3", "--out", dir2.toString());
        JsonObject m2 = JsonParser.parseString(Files.readString(dir2.resolve("metrics.json"))).getAsJsonObject();
        assertThat(m2.get("total_rw")).isEqualTo(m.get("total_rw"));
        assertThat(m2.get("bias")).isEqualTo(m.get("bias"));
    }
}
