package org.flows4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class SafeTensorsTest {

    static byte[] file(String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).put(h)
                .array();
    }

    @Test
    void readingWhileAWriterReplacesTheFileAlwaysSeesOneWholeVersion(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        // versions of different sizes moved over the path in turn: a reader that took the size from one
        // version and the bytes from the next used to report a truncated file
        java.nio.file.Path f = dir.resolve("m.safetensors");
        Map<String, Tensor> small = Map.of("w", Tensor.zeros(DType.FLOAT32, 3));
        Map<String, Tensor> large = Map.of("w", Tensor.zeros(DType.FLOAT32, 5000));
        SafeTensors.write(f, small, Map.of());
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicReference<Throwable> writerFailed = new java.util.concurrent.atomic.AtomicReference<>();
        Thread writer = new Thread(() -> {
            try {
                for (int i = 0; !stop.get(); i++) {
                    SafeTensors.write(f, i % 2 == 0 ? large : small, Map.of());
                }
            } catch (Throwable t) {
                writerFailed.set(t);
            }
        });
        writer.start();
        try {
            long until = System.nanoTime() + 1_500_000_000L;
            int reads = 0;
            while (System.nanoTime() < until || reads < 200) {
                int n = SafeTensors.read(f).tensors().get("w").size(0);
                assertThat(n).isIn(3, 5000);
                reads++;
            }
        } finally {
            stop.set(true);
            writer.join();
        }
        assertThat(writerFailed.get()).isNull();
    }

    @Test
    void roundTripsF32F64ScalarsAndEmptyTensors() throws Exception {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("a", Tensor.randn(new Rng(1), DType.FLOAT32, 3, 4));
        t.put("b", Tensor.randn(new Rng(2), DType.FLOAT64, 5));
        t.put("empty", Tensor.zeros(DType.FLOAT32, 0, 3));
        t.put("scalar", Tensor.scalar(Math.PI, DType.FLOAT64));
        t.put("ünïcode ✓", Tensor.of(new float[] {Float.MIN_VALUE, -0f}, 2));
        byte[] bytes = SafeTensors.toBytes(t, Map.of("k", "v"));
        SafeTensors.Contents c = SafeTensors.read(bytes, "mem");
        assertThat(c.metadata()).isEqualTo(Map.of("k", "v"));
        assertThat(c.tensors().keySet()).containsExactlyElementsOf(t.keySet());
        for (String k : t.keySet()) {
            assertThat(c.tensors().get(k).dtype()).isEqualTo(t.get(k).dtype());
            assertThat(c.tensors().get(k).shape()).isEqualTo(t.get(k).shape());
            assertThat(c.tensors().get(k).toDoubleArray()).isEqualTo(t.get(k).toDoubleArray());
        }
        assertThat(Float.floatToRawIntBits(c.tensors().get("ünïcode ✓").toFloatArray()[1])).isEqualTo(0x80000000);
    }

    @Test
    void readsHeadersWrittenByOtherTools() throws Exception {
        // padding spaces, other key order, no metadata, data order differing from header order
        String h = "{\"y\":{\"data_offsets\":[8,16],\"shape\":[2],\"dtype\":\"F32\"},"
                + " \"x\" : {\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}}      ";
        byte[] b = file(h, 16);
        SafeTensors.Contents c = SafeTensors.read(b, "mem");
        assertThat(c.tensors()).containsOnlyKeys("x", "y");
        assertThat(c.metadata()).isEmpty();
    }

    @Test
    void rejectsMalformedHeadersWithoutCrashing() {
        String deep = "{\"a\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
        assertThatThrownBy(() -> SafeTensors.read(file(deep, 0), "mem")).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("nested deeper");
        assertThatThrownBy(() -> SafeTensors.read(file("{\"a\":1,\"a\":2}", 0), "mem"))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("duplicate key");
        assertThatThrownBy(() -> SafeTensors.read(file("{\"x\":{\"dtype\":\"F32\",\"shape\":[1e999999999],"
                + "\"data_offsets\":[0,4]}}", 4), "mem")).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("not an integer");
        assertThatThrownBy(() -> SafeTensors.read(file("{\"x\":{\"dtype\":\"F32\",\"shape\":[65536,65536],"
                + "\"data_offsets\":[0,4]}}", 4), "mem")).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("too many elements");
        assertThatThrownBy(() -> SafeTensors.read(file("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],"
                + "\"data_offsets\":[0,4],\"extra\":1}}", 4), "mem")).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("unknown field");
        assertThatThrownBy(() -> SafeTensors.read(file("{\"__metadata__\":{\"a\":3}}", 0), "mem"))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("not a string");
        byte[] badUtf8 = file("{\"\u00e9\":1}", 0);
        badUtf8[10] = (byte) 0xff;
        assertThatThrownBy(() -> SafeTensors.read(badUtf8, "mem")).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("UTF-8");
    }

    @Test
    void jsonWriterEscapesAndParserReadsBack() throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", "quote \" backslash \\ newline \n tab \t bell \u0007 ✓");
        m.put("d", new double[] {0.1, -2.5e-300, 1e300});
        m.put("i", new int[] {1, -2});
        String json = Json.write(m);
        Object back = Json.parse(json);
        assertThat(((Map<?, ?>) back).get("s")).isEqualTo(m.get("s"));
        assertThat(((java.util.List<?>) ((Map<?, ?>) back).get("d")).stream()
                .mapToDouble(v -> ((java.math.BigDecimal) v).doubleValue()).toArray()).isEqualTo((double[]) m.get("d"));
        assertThatThrownBy(() -> Json.write(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }
}
