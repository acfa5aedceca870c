package org.flows4j.cli.sbi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.flows4j.cli.Main;
import org.flows4j.sbi.Task;
import org.flows4j.sbi.Tasks;
import org.flows4j.tensor.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SbiCommandTest {
    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    /** A small folder in sbibm's layout: two_moons observation 1 with 300 exact posterior samples as the reference. */
    static Path smallData(Path root) throws Exception {
        Task t = Tasks.twoMoons();
        Path dir = root.resolve("two_moons/num_observation_1");
        Files.createDirectories(dir);
        double[] xo = {-0.6396706, 0.16234657};
        Files.writeString(dir.resolve("observation.csv"), "data_1,data_2\n" + xo[0] + "," + xo[1] + "\n");
        Files.writeString(dir.resolve("true_parameters.csv"), "parameter_1,parameter_2\n-0.8176656,-0.5756806\n");
        StringBuilder sb = new StringBuilder("parameter_1,parameter_2\n");
        for (double[] r : t.exact().sample(300, xo, new Rng(1))) {
            sb.append(r[0]).append(',').append(r[1]).append('\n');
        }
        Files.writeString(dir.resolve("reference_posterior_samples.csv"), sb.toString());
        return root;
    }

    @Test
    void runsEndToEndOnAnyFolderOfTheSbibmLayout(@TempDir Path tmp) throws Exception {
        Path data = smallData(tmp.resolve("data"));
        Path out = tmp.resolve("out");
        Run r = run("sbi", "--task", "two_moons", "--budget", "300", "--obs", "1", "--data-dir", data.toString(),
                "--out", out.toString(), "--samples", "300", "--max-epochs", "2", "--threads", "2");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("mean").contains("published NPE");
        assertThat(Files.readAllLines(out.resolve("posterior_obs1.csv"))).hasSize(301)
                .first().isEqualTo("parameter_1,parameter_2");
        String metrics = Files.readString(out.resolve("metrics.json"));
        assertThat(metrics).contains("\"task\": \"two_moons\"").contains("\"budget\": 300").contains("\"c2st\"")
                .contains("\"1\":").contains("c2st_mean").contains("simulate_seconds").contains("train_seconds")
                .contains("\"c2st_precision\": \"float32\"");
        assertThat(Files.size(out.resolve("pairplot_obs1.png"))).isGreaterThan(1000);
    }

    @Test
    void badInputIsOneLineAndExitTwo(@TempDir Path tmp) throws Exception {
        Path data = smallData(tmp.resolve("data"));
        String[][] cases = {
            {"sbi", "--task", "moons", "--data-dir", data.toString()},
            {"sbi", "--budget", "5", "--data-dir", data.toString()},
            {"sbi", "--obs", "x-2", "--data-dir", data.toString()},
            {"sbi", "--obs", "2", "--data-dir", data.toString()},
            {"sbi", "--data-dir", tmp.resolve("nothing").toString()},
            {"sbi", "--task", "slcp", "--data-dir", data.toString()},
            {"sbi", "--threads", "0", "--data-dir", data.toString()},
            {"sbi", "--budget", "many"},
            {"sbi", "--c2st", "half", "--data-dir", data.toString()},
            {"sbi", "--nsf", "maf", "--data-dir", data.toString()},
        };
        for (String[] c : cases) {
            Run r = run(c);
            assertThat(r.code()).as(String.join(" ", c) + " -> " + r.err()).isEqualTo(2);
            assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
        }
    }
}
