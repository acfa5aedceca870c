package org.flows4j.cli.snf;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImageCommandTest {
    /** A 60 x 50 picture: a dark ring and a dark square on white. */
    static Path picture(Path dir) throws Exception {
        BufferedImage img = new BufferedImage(60, 50, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 50; y++) {
            for (int x = 0; x < 60; x++) {
                boolean ring = Math.abs(Math.hypot(x - 20, y - 25) - 12) < 3;
                boolean square = x > 40 && x < 52 && y > 8 && y < 20;
                int v = ring || square ? 30 : 250;
                img.setRGB(x, y, (v << 16) | (v << 8) | v);
            }
        }
        Path p = dir.resolve("pic.png");
        ImageIO.write(img, "png", p.toFile());
        return p;
    }

    private static DoubleWellCommandTest.Run run(String... args) {
        return DoubleWellCommandTest.run(args);
    }

    @ParameterizedTest
    @ValueSource(strings = {"--method=maf", "--depth=0", "--mc-steps=-1", "--sweep=width", "--threads=0", "--bins=1",
        "--samples=0", "--iterations=0", "--lr=-1", "--batch=0", "--scale=0", "--sigma=-1", "--crop=1,2,3",
        "--embed=5", "--mean=1", "--mc-step-size=0", "--figure-bins=1", "--depths=2", "--steps=5", "--bogus"})
    void badInputGivesOneLineAndExitCode2(String arg, @TempDir Path dir) throws Exception {
        Path pic = picture(dir);
        DoubleWellCommandTest.Run r = run("snf", "image", "--image", pic.toString(), arg, "--out",
                dir.resolve("o").toString());
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void badImagesAndSweepsAreOneLineErrors(@TempDir Path dir) throws Exception {
        Path text = Files.writeString(dir.resolve("notes.png"), "not a picture");
        String[][] cases = {
            {"--image", dir.resolve("missing.jpg").toString()},
            {"--image", "cat"},
            {"--image", "labrador", "--images-dir", dir.toString()},
            {"--image", text.toString()},
            {"--image", picture(dir).toString(), "--crop", "0,80,0,10"},
            {"--image", picture(dir).toString(), "--crop", "0,10,0,10", "--embed", "100,100"},
            {"--image", picture(dir).toString(), "--sweep", "mcsteps", "--method", "rnvp"},
            {"--image", picture(dir).toString(), "--sweep", "depth", "--depths", "0,1"},
            {"--image", picture(dir).toString(), "--sweep", "mcsteps", "--steps", "-3"},
        };
        for (String[] c : cases) {
            String[] args = new String[c.length + 4];
            args[0] = "snf";
            args[1] = "image";
            System.arraycopy(c, 0, args, 2, c.length);
            args[c.length + 2] = "--out";
            args[c.length + 3] = dir.resolve("o").toString();
            DoubleWellCommandTest.Run r = run(args);
            assertThat(r.code()).as(String.join(" ", c) + ": " + r.err()).isEqualTo(2);
            assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
            assertThat(r.err()).doesNotContain("Exception");
        }
        Path file = Files.writeString(dir.resolve("f"), "x");
        DoubleWellCommandTest.Run t = run("snf", "image", "--image", picture(dir).toString(), "--out", file.toString());
        assertThat(t.code()).isEqualTo(2);
        assertThat(t.err()).contains("not a directory").hasLineCount(1);
    }

    @Test
    void shortRunsPrintKlAndWriteMetricsAndFigures(@TempDir Path dir) throws Exception {
        Path pic = picture(dir);
        Path out = dir.resolve("run");
        DoubleWellCommandTest.Run r = run("snf", "image", "--image", pic.toString(), "--method", "rnvp+mc,nsf,mc",
                "--depth", "2", "--mc-steps", "3", "--iterations", "6", "--data-samples", "500", "--samples", "4000",
                "--figure-bins", "40", "--threads", "2", "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("Image pic").contains("rnvp+mc").contains("nsf").contains("KL");
        JsonArray m = JsonParser.parseString(Files.readString(out.resolve("metrics.json"))).getAsJsonArray();
        assertThat(m).hasSize(3);
        for (JsonElement e : m) {
            JsonObject o = e.getAsJsonObject();
            for (String k : new String[] {"image", "method", "depth", "mc_steps", "kl", "train_seconds"}) {
                assertThat(o.has(k)).as(k).isTrue();
            }
            assertThat(o.get("image").getAsString()).isEqualTo("pic");
            assertThat(o.get("kl").getAsDouble()).isFinite().isGreaterThanOrEqualTo(0);
        }
        assertThat(m.get(0).getAsJsonObject().get("method").getAsString()).isEqualTo("rnvp+mc");
        assertThat(m.get(0).getAsJsonObject().get("mc_steps").getAsInt()).isEqualTo(3);
        assertThat(m.get(2).getAsJsonObject().get("mc_steps").getAsInt()).isEqualTo(3);
        assertThat(m.get(0).getAsJsonObject().get("fused").getAsBoolean()).isTrue();
        for (String png : new String[] {"samples.png", "losses.png"}) {
            byte[] b = Files.readAllBytes(out.resolve(png));
            assertThat(b.length).isGreaterThan(1000);
            assertThat(b[1]).isEqualTo((byte) 'P');
        }
        // a single run writes one record, and the same seed and thread count give the same KL
        Path one = dir.resolve("one");
        DoubleWellCommandTest.Run s = run("snf", "image", "--image", pic.toString(), "--method", "rnvp+mc", "--depth",
                "2", "--mc-steps", "3", "--iterations", "6", "--data-samples", "500", "--samples", "4000",
                "--figure-bins", "40", "--threads", "2", "--out", one.toString());
        assertThat(s.code()).as(s.err()).isZero();
        JsonObject single = JsonParser.parseString(Files.readString(one.resolve("metrics.json"))).getAsJsonObject();
        assertThat(single.get("kl")).isEqualTo(m.get(0).getAsJsonObject().get("kl"));
    }

    @Test
    void sweepsWriteAListAndTheKlCurve(@TempDir Path dir) throws Exception {
        Path pic = picture(dir);
        Path out = dir.resolve("depth");
        DoubleWellCommandTest.Run r = run("snf", "image", "--image", pic.toString(), "--sweep", "depth", "--depths",
                "1,2", "--method", "rnvp", "--iterations", "3", "--data-samples", "300", "--samples", "2000",
                "--figure-bins", "30", "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        JsonArray m = JsonParser.parseString(Files.readString(out.resolve("metrics.json"))).getAsJsonArray();
        assertThat(m).hasSize(2);
        assertThat(m.get(1).getAsJsonObject().get("coupling_layers").getAsInt()).isEqualTo(4);
        assertThat(Files.size(out.resolve("kl_vs_depth.png"))).isGreaterThan(1000);
        Path mc = dir.resolve("mc");
        DoubleWellCommandTest.Run s = run("snf", "image", "--image", pic.toString(), "--sweep", "mcsteps", "--steps",
                "0,5,20", "--samples", "2000", "--figure-bins", "30", "--out", mc.toString());
        assertThat(s.code()).as(s.err()).isZero();
        JsonArray k = JsonParser.parseString(Files.readString(mc.resolve("metrics.json"))).getAsJsonArray();
        assertThat(k).hasSize(3);
        assertThat(k.get(2).getAsJsonObject().get("mc_steps_total").getAsInt()).isEqualTo(20);
        assertThat(Files.size(mc.resolve("kl_vs_mcsteps.png"))).isGreaterThan(1000);
    }
}
