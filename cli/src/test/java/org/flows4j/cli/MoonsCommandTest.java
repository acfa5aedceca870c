package org.flows4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MoonsCommandTest {

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"--bogus", "--steps=0", "--steps=-3", "--lr=0", "--lr=-1e-3", "--hidden=0", "--layers=0",
        "--steps=abc", "--batch=0", "--dtype=float16", "--noise=-1", "--lr-schedule=linear", "--rng=numpy",
        "--rng=torch --flow=nsf", "--rng=torch --seed=-1", "--rng=torch --seed=4294967296"})
    void badInputGivesOneLineErrorAndExitCode2(String arg, @TempDir Path dir) {
        List<String> args = new ArrayList<>(List.of("moons"));
        args.addAll(List.of(arg.split(" ")));
        args.addAll(List.of("--out", dir.resolve("x").toString()));
        Run r = run(args.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(r.out()).as("no training output on bad input").isEmpty();
    }

    @Test
    void unwritableOutGivesOneLineErrorAndExitCode2(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "not a directory");
        Run r = run("moons", "--steps", "1", "--out", file.resolve("sub").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("cannot write to --out").hasLineCount(1);
        Run r2 = run("moons", "--steps", "1", "--out", file.toString());
        assertThat(r2.code()).isEqualTo(2);
        assertThat(r2.err()).contains("not a directory").hasLineCount(1);
        assertThat(Files.readString(file)).as("nothing the user had is lost").isEqualTo("not a directory");
    }

    /**
     * By default the seed's run starts as the seed notebook's: PyTorch's generator after
     * torch.manual_seed(0) gives the same initial weights and first minibatch, so the first two
     * printed numbers are the notebook's printed ones (3.0135 and 3.0421 in its output).
     */
    @Test
    void defaultRunStartsWithTheSeedNotebooksPrintedNumbers(@TempDir Path dir) throws Exception {
        Run r = run("moons", "--steps", "1", "--out", dir.resolve("m").toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("NLL at random init: 3.0135").contains("     0    3.0421");
        JsonObject m = JsonParser.parseString(Files.readString(dir.resolve("m/metrics.json"))).getAsJsonObject();
        assertThat(m.getAsJsonObject("config").get("rng").getAsString()).isEqualTo("torch");
        Run own = run("moons", "--steps", "1", "--rng", "flows4j", "--out", dir.resolve("f").toString());
        assertThat(own.code()).as(own.err()).isZero();
        assertThat(own.out()).doesNotContain("NLL at random init: 3.0135");
    }

    @Test
    void missingCommandIsAUsageError() {
        Run r = run();
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("missing command").hasLineCount(1);
    }

    @Test
    void shortRunPrintsTheSeedsReportAndWritesItsFiles(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        Run r = run("moons", "--steps", "20", "--log-every", "10", "--hidden", "16", "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("NLL at random init:", "  step       NLL", "    10 ", "    20 ",
                "NLL after training:", "held-out points:", "NLL of N(0,I) baseline:", "Information gained:",
                "Entropy of the true density", "True data: mean = (", "Flow samples: mean = (");
        for (String f : List.of("metrics.json", "loss.png", "samples.png", "density.png")) {
            assertThat(out.resolve(f)).isNotEmptyFile();
        }
        JsonObject m = JsonParser.parseString(Files.readString(out.resolve("metrics.json"))).getAsJsonObject();
        List<String> keys = new ArrayList<>(m.keySet());
        assertThat(keys).contains("init_nll", "final_nll", "test_nll", "baseline_nll", "info_gain", "entropy_floor",
                "train_seconds", "steps_per_second", "data_mean", "data_std", "sample_mean", "sample_std",
                "loss_history");
        assertThat(m.getAsJsonArray("loss_history")).hasSize(21);
        assertThat(m.get("baseline_nll").getAsDouble()).isCloseTo(2.8374, org.assertj.core.data.Offset.offset(1e-3));
        // the true density on the held-out draws, as sklearn's make_moons(random_state=1 and 2) and the
        // reference quadrature (shared/reference/moons/moons_entropy.py's) give them in numpy: 1.1552, 1.1208
        assertThat(m.get("test_true_nll").getAsDouble()).isCloseTo(1.1552, org.assertj.core.data.Offset.offset(1e-3));
        assertThat(m.get("test_true_nll_100k").getAsDouble()).isCloseTo(1.1208,
                org.assertj.core.data.Offset.offset(1e-3));
        try (var files = Files.list(out)) {
            assertThat(files.map(p -> p.getFileName().toString())).allMatch(n -> !n.contains(".tmp"));
        }
    }
}
