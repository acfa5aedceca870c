package org.flows4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.flows4j.data.Standardization;
import org.flows4j.flows.Flow;
import org.flows4j.flows.RealNvp;
import org.flows4j.flows.Standardized;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;
import org.flows4j.train.MaximumLikelihood;
import org.flows4j.train.TrainingState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CheckpointsTest {
    @TempDir
    Path dir;

    /** A model over raw data whose inner flow trains on standardised data, as the fit command does. */
    static Flow model(DType dt, int dim, int hidden) {
        Flow inner = RealNvp.builder().dim(dim).layers(4).hidden(hidden).dtype(dt).build(new Rng(7));
        double[] mean = new double[dim];
        double[] std = new double[dim];
        java.util.Arrays.fill(std, 2.0);
        return Standardized.wrap(inner, new Standardization(mean, std));
    }

    static Tensor data(DType dt, int dim) {
        return Tensor.randn(new Rng(3), dt, 500, dim).tanh().mul(2);
    }

    static Flow inner(Flow model) {
        return Standardized.split(model).orElseThrow().inner();
    }

    static double[][] weights(Flow f) {
        return f.parameters().stream().map(Tensor::toDoubleArray).toArray(double[][]::new);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void resumingFromAHalfwayCheckpointEndsExactlyWhereAnUninterruptedRunEnds(DType dt) throws IOException {
        int n = 40;
        Tensor data = data(dt, 2);
        MaximumLikelihood.Config config = new MaximumLikelihood.Config(n, 64, 1e-2);

        Flow straight = model(dt, 2, 16);
        MaximumLikelihood.Result full = MaximumLikelihood.train(inner(straight), data, config, new Rng(1), null);

        // the same run, killed right after its step-20 checkpoint
        Flow first = model(dt, 2, 16);
        Path ck = dir.resolve("checkpoint.safetensors");
        class Killed extends RuntimeException {}
        assertThatThrownBy(() -> MaximumLikelihood.train(inner(first), data, config, new Rng(1), null, null,
                new MaximumLikelihood.Checkpointing(n / 2, state -> {
                    Checkpoints.write(ck, first, state, Map.of("note", "x"));
                    throw new Killed();
                }))).isInstanceOf(Killed.class);

        Checkpoints.Loaded loaded = Checkpoints.read(ck);
        assertThat(loaded.state().step()).isEqualTo(n / 2);
        assertThat(loaded.metadata()).containsEntry("note", "x");
        Flow resumed = loaded.flow();
        Rng fresh = new Rng(12345); // any generator: its state comes from the checkpoint
        MaximumLikelihood.Result rest = MaximumLikelihood.train(inner(resumed), data, config, fresh, null,
                loaded.state(), null);

        assertThat(rest.lossHistory()).isEqualTo(full.lossHistory());
        assertThat(rest.stepsRun()).isEqualTo(n / 2);
        assertThat(weights(resumed)).isDeepEqualTo(weights(straight));
        // and the checkpoint is itself a usable model file
        assertThat(FlowFiles.load(ck).flow().parameterCount()).isEqualTo(straight.parameterCount());
    }

    @Test
    void aFailingWriteLeavesThePreviousCheckpointIntact() throws IOException {
        Flow m = model(DType.FLOAT32, 2, 8);
        Tensor data = data(DType.FLOAT32, 2);
        Path ck = dir.resolve("checkpoint.safetensors");
        MaximumLikelihood.CheckpointSink sink = state -> {
            if (state.step() == 10) {
                Checkpoints.write(ck, m, state, Map.of());
            } else {
                // the process "dies" half way through writing the step-20 checkpoint
                AtomicFiles.write(ck, out -> {
                    out.write(new byte[1000]);
                    throw new IOException("disk on fire");
                });
            }
        };
        assertThatThrownBy(() -> MaximumLikelihood.train(inner(m), data, new MaximumLikelihood.Config(30, 32, 1e-3),
                new Rng(1), null, null, new MaximumLikelihood.Checkpointing(10, sink)))
                .isInstanceOf(MaximumLikelihood.CheckpointException.class)
                .hasMessageContaining("after step 20").hasMessageContaining("disk on fire");
        assertThat(Checkpoints.read(ck).state().step()).isEqualTo(10);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("checkpoint.safetensors");
        }
    }

    @Test
    void checkpointContentsAreValidated() throws IOException {
        Flow m = model(DType.FLOAT64, 2, 4);
        Path model = dir.resolve("model.safetensors");
        FlowFiles.save(model, m);
        assertThatThrownBy(() -> Checkpoints.read(model)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("not a flows4j checkpoint");

        Path ck = dir.resolve("ck.safetensors");
        MaximumLikelihood.train(inner(m), data(DType.FLOAT64, 2), new MaximumLikelihood.Config(3, 8, 1e-3), new Rng(1),
                null, null, new MaximumLikelihood.Checkpointing(3, s -> Checkpoints.write(ck, m, s, Map.of())));
        SafeTensors.Contents c = SafeTensors.read(ck);
        java.util.Map<String, String> meta = new java.util.LinkedHashMap<>(c.metadata());
        meta.put("rng.gamma", "2");
        SafeTensors.write(ck, c.tensors(), meta);
        assertThatThrownBy(() -> Checkpoints.read(ck)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("gamma must be odd");
        meta.put("rng.gamma", c.metadata().get("rng.gamma"));
        meta.put("training.step", "4");
        SafeTensors.write(ck, c.tensors(), meta);
        assertThatThrownBy(() -> Checkpoints.read(ck)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("invalid checkpoint");
        meta.put("training.step", "3");
        java.util.Map<String, Tensor> t = new java.util.LinkedHashMap<>(c.tensors());
        t.remove("optimizer.v.3");
        SafeTensors.write(ck, t, meta);
        assertThatThrownBy(() -> Checkpoints.read(ck)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("\"optimizer.v.3\" is missing");
    }

    /**
     * A real crash: a child JVM trains with a checkpoint after every step (each write takes a while:
     * a few megabytes, flushed to disk) and is killed with SIGKILL at random moments, then resumes
     * from what it left. Every time, the checkpoint on disk is complete and loads.
     */
    @Test
    void sigkillDuringCheckpointWritesNeverLeavesABrokenCheckpoint() throws Exception {
        Path ck = dir.resolve("checkpoint.safetensors");
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Rng rng = new Rng(99);
        int lastStep = 0;
        for (int round = 0; round < 6; round++) {
            Process p = new ProcessBuilder(javaBin, "--add-modules", "jdk.incubator.vector", "-cp",
                    System.getProperty("java.class.path"), CheckpointKillTarget.class.getName(), ck.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                // wait for this child to write a checkpoint of its own, then kill it as soon as its next write
                // has started (a new temporary file appears), or at a random moment if we miss that
                while (System.nanoTime() < deadline && (!Files.exists(ck) || Checkpoints.read(ck).state().step() <= lastStep)) {
                    assertThat(p.isAlive()).as("child died: " + Files.readString(dir.resolve("child.log"))).isTrue();
                    Thread.sleep(2);
                }
                java.util.Set<String> before = tmpFiles();
                long giveUp = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(rng.nextInt(2) == 0 ? 2000 : rng.nextInt(100));
                while (System.nanoTime() < giveUp && before.containsAll(tmpFiles())) {
                    Thread.onSpinWait();
                }
                p.destroyForcibly(); // SIGKILL on Unix
                assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            } finally {
                p.destroyForcibly(); // never leave a child training after a failed assertion
            }
            Checkpoints.Loaded l = Checkpoints.read(ck);
            assertThat(l.state().step()).isGreaterThan(lastStep);
            lastStep = l.state().step();
        }
        try (var files = Files.list(dir)) {
            List<String> names = files.map(q -> q.getFileName().toString()).toList();
            assertThat(names).contains("checkpoint.safetensors");
            // a kill that landed inside a write leaves its temporary file behind, never a broken checkpoint
            System.out.println("SIGKILL test: " + names.stream().filter(n -> n.endsWith(".tmp")).count()
                    + " of 6 kills landed mid-write");
        }
    }

    private java.util.Set<String> tmpFiles() throws IOException {
        try (var files = Files.list(dir)) {
            return files.map(q -> q.getFileName().toString()).filter(n -> n.endsWith(".tmp"))
                    .collect(java.util.stream.Collectors.toSet());
        }
    }

    /** The child of {@link #sigkillDuringCheckpointWritesNeverLeavesABrokenCheckpoint}: trains until killed. */
    public static final class CheckpointKillTarget {
        public static void main(String[] args) throws IOException {
            Path ck = Path.of(args[0]);
            Flow m;
            TrainingState resume = null;
            if (Files.exists(ck)) {
                Checkpoints.Loaded l = Checkpoints.read(ck);
                m = l.flow();
                resume = l.state();
            } else {
                m = model(DType.FLOAT32, 4, 256);
            }
            Flow train = inner(m);
            MaximumLikelihood.train(train, data(DType.FLOAT32, 4), new MaximumLikelihood.Config(1_000_000, 16, 1e-4),
                    new Rng(1), null, resume, new MaximumLikelihood.Checkpointing(1,
                            s -> Checkpoints.write(ck, m, s, Map.of())));
        }
    }
}
