package org.flows4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.flows4j.data.Standardization;
import org.flows4j.flows.Flow;
import org.flows4j.flows.RealNvp;
import org.flows4j.flows.Standardized;
import org.flows4j.tensor.Autograd;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class FlowFilesTest {
    @TempDir
    Path dir;

    static Flow model(DType dt, int dim, int layers, int hidden, int hiddenLayers) {
        Flow inner = RealNvp.builder().dim(dim).layers(layers).hidden(hidden).hiddenLayers(hiddenLayers).dtype(dt)
                .build(new Rng(11));
        double[] mean = new double[dim];
        double[] std = new double[dim];
        for (int i = 0; i < dim; i++) {
            mean[i] = 0.1 * i - 3;
            std[i] = 0.5 + i;
        }
        return Standardized.wrap(inner, new Standardization(mean, std));
    }

    static double[] logProb(Flow f, Tensor x) {
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            return f.logProb(x).toDoubleArray();
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void saveThenLoadGivesTheSameLogProbsBitForBit(DType dt) throws IOException {
        for (int[] arch : new int[][] {{2, 6, 64, 2}, {5, 3, 7, 1}, {3, 1, 4, 0}, {4, 4, 16, 3}}) {
            Flow f = model(dt, arch[0], arch[1], arch[2], arch[3]);
            Path file = dir.resolve("m.safetensors");
            FlowFiles.save(file, f, Map.of("note", "hello \"world\"\n"));
            FlowFiles.Loaded back = FlowFiles.load(file);
            assertThat(back.flow().dtype()).isEqualTo(dt);
            assertThat(back.flow().dim()).isEqualTo(arch[0]);
            assertThat(back.flow().parameterCount()).isEqualTo(f.parameterCount());
            assertThat(back.metadata()).containsEntry("note", "hello \"world\"\n").containsEntry("format", "flows4j");
            Tensor x = Tensor.randn(new Rng(5), dt, 300, arch[0]).mul(3);
            assertThat(logProb(back.flow(), x)).isEqualTo(logProb(f, x));
            // sampling agrees too
            try (Autograd.Scope ignored = Autograd.noGrad()) {
                assertThat(back.flow().sample(50, new Rng(1)).toDoubleArray())
                        .isEqualTo(f.sample(50, new Rng(1)).toDoubleArray());
            }
            // and a second save writes the same bytes
            Path again = dir.resolve("again.safetensors");
            FlowFiles.save(again, back.flow(), Map.of("note", "hello \"world\"\n"));
            assertThat(Files.readAllBytes(again)).isEqualTo(Files.readAllBytes(file));
        }
    }

    @Test
    void conditionalFlowsRoundTrip() throws IOException {
        Flow f = RealNvp.builder().dim(2).layers(2).hidden(8).contextDim(3).dtype(DType.FLOAT64).build(new Rng(2));
        Path file = dir.resolve("c.safetensors");
        FlowFiles.save(file, f);
        Flow back = FlowFiles.load(file).flow();
        Tensor x = Tensor.randn(new Rng(1), DType.FLOAT64, 20, 2);
        Tensor c = Tensor.randn(new Rng(2), DType.FLOAT64, 20, 3);
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            assertThat(back.logProb(x, c).toDoubleArray()).isEqualTo(f.logProb(x, c).toDoubleArray());
        }
    }

    @Test
    void fileIsPlainSafetensorsWithArchitectureInTheMetadata() throws IOException {
        Path file = dir.resolve("m.safetensors");
        FlowFiles.save(file, model(DType.FLOAT32, 2, 2, 4, 2));
        byte[] b = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(n % 8).isZero();
        String header = new String(b, 8, (int) n, StandardCharsets.UTF_8);
        assertThat(header).startsWith("{\"__metadata__\":{\"format\":\"flows4j\"")
                .contains("\"layers.1.net.0.weight\":{\"dtype\":\"F32\",\"shape\":[4,2],\"data_offsets\":[")
                .contains("\"layers.0.mean\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]}");
        SafeTensors.Contents c = SafeTensors.read(file);
        assertThat(c.metadata()).containsKeys("dtype", "dim", "base", "transform");
        assertThat(c.metadata().get("transform")).contains("\"type\":\"standardize\"", "\"type\":\"coupling\"",
                "\"mask\":[1,0]", "\"sizes\":[2,4,4,4]", "{\"type\":\"affine\",\"scale\":\"tanh\"}", "\"activation\":\"relu\"");
    }

    @Test
    void savingRejectsReservedKeys() {
        Flow f = model(DType.FLOAT32, 2, 1, 4, 1);
        assertThatThrownBy(() -> FlowFiles.save(dir.resolve("x"), f, Map.of("dim", "3")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reserved");
        assertThat(dir.resolve("x")).doesNotExist();
    }

    // ------------------------------------------------------------------ corruption, case by case

    private Path write(byte[] bytes) throws IOException {
        Path p = dir.resolve("bad.safetensors");
        Files.write(p, bytes);
        return p;
    }

    private byte[] valid() throws IOException {
        Path file = dir.resolve("good.safetensors");
        FlowFiles.save(file, model(DType.FLOAT32, 2, 2, 4, 2));
        return Files.readAllBytes(file);
    }

    private static byte[] withHeader(byte[] file, java.util.function.UnaryOperator<String> edit) {
        long n = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(file, 8, (int) n, StandardCharsets.UTF_8);
        byte[] h = edit.apply(header).getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(8 + h.length + file.length - 8 - (int) n).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(h.length).put(h).put(file, 8 + (int) n, file.length - 8 - (int) n);
        return out.array();
    }

    private void assertRejected(byte[] bytes, String message) throws IOException {
        Path p = write(bytes);
        assertThatThrownBy(() -> FlowFiles.load(p)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(message).hasMessageNotContaining("\n").hasMessageStartingWith(p.toString());
    }

    @Test
    void eachKindOfDamageGetsItsOwnMessage() throws IOException {
        byte[] ok = valid();
        assertRejected(new byte[0], "only 0 bytes");
        assertRejected(java.util.Arrays.copyOf(ok, 5), "only 5 bytes");
        assertRejected(java.util.Arrays.copyOf(ok, 100), "runs past the end of the file");
        assertRejected(java.util.Arrays.copyOf(ok, ok.length - 1), "outside the data section");
        byte[] huge = ok.clone();
        ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 200_000_000L);
        assertRejected(huge, "over the 100 MB limit");
        ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -1L);
        assertRejected(huge, "18446744073709551615 is over the 100 MB limit");
        byte[] longer = java.util.Arrays.copyOf(ok, ok.length + 4);
        assertRejected(longer, "trailing bytes");
        assertRejected(withHeader(ok, h -> h.replace("{\"__metadata__\"", "[\"__metadata__\"")), "does not start with '{'");
        assertRejected(withHeader(ok, h -> h.replaceFirst("\\}\\s*$", "")), "not valid JSON");
        assertRejected(withHeader(ok, h -> h.replace("\"dtype\":\"F32\"", "\"dtype\":\"F16\"")), "dtype F16");
        assertRejected(withHeader(ok, h -> h.replace("\"data_offsets\":[0,16]", "\"data_offsets\":[8,24]")),
                "belong to no tensor");
        assertRejected(withHeader(ok, h -> h.replace("\"data_offsets\":[16,32]", "\"data_offsets\":[8,24]")),
                "overlap");
        assertRejected(withHeader(ok, h -> h.replace("\"shape\":[4,2]", "\"shape\":[2,4]")),
                "has shape [2, 4] but the architecture needs [4, 2]");
        assertRejected(withHeader(ok, h -> h.replace("\"shape\":[4,2]", "\"shape\":[8]")), "has shape [8]");
        assertRejected(withHeader(ok, h -> h.replace("layers.1.net.0.weight", "layers.1.net.9.weight")),
                "\"layers.1.net.0.weight\" is missing");
        assertRejected(withHeader(ok, h -> h.replace("\\\"mask\\\":[1,0]", "\\\"mask\\\":[1,1]")),
                "invalid model: a coupling mask must keep some");
        assertRejected(withHeader(ok, h -> h.replace("\\\"mask\\\":[1,0]", "\\\"mask\\\":[1,0,1]")),
                "mask has 3 entries for dimension 2");
        assertRejected(withHeader(ok, h -> h.replace("\"format\":\"flows4j\"", "\"format\":\"pt\"")),
                "not a flows4j model");
        assertRejected(withHeader(ok, h -> h.replace("\\\"activation\\\":\\\"relu\\\"", "\\\"activation\\\":\\\"gelu\\\"")),
                "unknown activation");
        assertRejected(withHeader(ok, h -> h.replace("\"dim\":\"2\"", "\"dim\":\"3\"")),
                "\"layers.0.mean\" has shape [2] but the architecture needs [3]");
        assertRejected(withHeader(ok, h -> h.replace("\"dim\":\"2\"", "\"dim\":\"two\"")), "dim is not a number");
        assertRejected(withHeader(ok, h -> h.replace("\"dtype\":\"float32\"", "\"dtype\":\"float64\"")),
                "is F32 in a float64 model");
        byte[] nanWeight = ok.clone();
        int dataStart = 8 + (int) ByteBuffer.wrap(ok, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        ByteBuffer.wrap(nanWeight).order(ByteOrder.LITTLE_ENDIAN).putDouble(dataStart, Double.NaN);
        assertRejected(nanWeight, "\"layers.0.mean\" holds NaN or infinite values");
        Path missing = dir.resolve("nope.safetensors");
        assertThatThrownBy(() -> FlowFiles.load(missing)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("no such file");
        assertThatThrownBy(() -> FlowFiles.load(dir)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("cannot read");
        // a PyTorch state_dict is pointed to import-torch
        assertThatThrownBy(() -> FlowFiles.load(TorchImportTest.MODEL)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("import-torch");
    }

    @Test
    void unknownTensorsAreRejected() throws IOException {
        Flow f = model(DType.FLOAT32, 2, 1, 4, 1);
        FlowFiles.Encoded e = FlowFiles.encode(f, Map.of(), FlowFiles.KIND_MODEL);
        Map<String, Tensor> t = new LinkedHashMap<>(e.tensors());
        t.put("extra", Tensor.zeros(DType.FLOAT32, 1));
        Path p = dir.resolve("extra.safetensors");
        SafeTensors.write(p, t, e.metadata());
        assertThatThrownBy(() -> FlowFiles.load(p)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("unexpected tensor \"extra\"");
    }

    // ------------------------------------------------------------------ fuzzing

    @Test
    void randomMutationsAndTruncationsFailOnlyWithModelFormatException() throws IOException {
        byte[] ok = valid();
        int headerEnd = 8 + (int) ByteBuffer.wrap(ok, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        Rng rng = new Rng(2024);
        Tensor probe = Tensor.randn(new Rng(1), DType.FLOAT32, 16, 2);
        int loaded = 0;
        int rejected = 0;
        for (int iter = 0; iter < 3000; iter++) {
            byte[] b = mutate(ok, headerEnd, rng, iter % 9);
            Path p = write(b);
            try {
                Flow f = FlowFiles.load(p).flow();
                // a file that loads is a working model
                assertThat(f.dim()).isEqualTo(2);
                logProb(f, probe);
                loaded++;
            } catch (ModelFormatException e) {
                assertThat(e.getMessage()).isNotBlank().doesNotContain("\n");
                rejected++;
            } catch (Throwable t) {
                throw new AssertionError("mutation " + iter + " (kind " + iter % 9 + ") escaped as " + t, t);
            }
        }
        System.out.println("fuzz: " + loaded + " mutated files still loaded, " + rejected + " rejected");
        assertThat(rejected).as("most mutations are caught").isGreaterThan(1500);
        assertThat(loaded + rejected).isEqualTo(3000);
    }

    private static byte[] mutate(byte[] ok, int headerEnd, Rng rng, int kind) {
        byte[] b = ok.clone();
        switch (kind) {
            case 0 -> {
                return java.util.Arrays.copyOf(ok, rng.nextInt(ok.length));
            }
            case 1 -> {
                int i = rng.nextInt(b.length);
                b[i] ^= (byte) (1 << rng.nextInt(8));
            }
            case 2 -> {
                int n = 1 + rng.nextInt(4);
                for (int k = 0; k < n; k++) {
                    b[8 + rng.nextInt(headerEnd - 8)] = (byte) rng.nextInt(256);
                }
            }
            case 3 -> {
                // change a digit of the header: JSON stays valid, numbers (offsets, shapes, sizes, masks, dims) change
                for (int tries = 0; tries < 100; tries++) {
                    int i = 8 + rng.nextInt(headerEnd - 8);
                    if (b[i] >= '0' && b[i] <= '9') {
                        b[i] = (byte) ('0' + rng.nextInt(10));
                        break;
                    }
                }
            }
            case 4 -> {
                long n = ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
                long v = rng.nextInt(2) == 0 ? n + rng.nextInt(33) - 16 : rng.nextLong();
                ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, v);
            }
            case 5 -> {
                int at = rng.nextInt(b.length);
                int len = 1 + rng.nextInt(16);
                byte[] out = new byte[b.length + len];
                System.arraycopy(b, 0, out, 0, at);
                for (int k = 0; k < len; k++) {
                    out[at + k] = (byte) rng.nextInt(256);
                }
                System.arraycopy(b, at, out, at + len, b.length - at);
                return out;
            }
            case 6 -> {
                int at = rng.nextInt(b.length);
                int len = Math.min(1 + rng.nextInt(16), b.length - at);
                byte[] out = new byte[b.length - len];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(b, at + len, out, at, b.length - at - len);
                return out;
            }
            case 7 -> {
                // swap two header characters among the structural ones
                int i = 8 + rng.nextInt(headerEnd - 8);
                int j = 8 + rng.nextInt(headerEnd - 8);
                byte t = b[i];
                b[i] = b[j];
                b[j] = t;
            }
            default -> {
                // random bytes over a run of the data section
                int at = headerEnd + rng.nextInt(b.length - headerEnd);
                int len = Math.min(1 + rng.nextInt(8), b.length - at);
                for (int k = 0; k < len; k++) {
                    b[at + k] = (byte) rng.nextInt(256);
                }
            }
        }
        return b;
    }
}
