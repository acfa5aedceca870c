package org.flows4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DataFilesTest {
    @TempDir
    Path dir;

    private Path csv(String text) throws IOException {
        return Files.writeString(dir.resolve("d.csv"), text);
    }

    @Test
    void readsCsvWithAndWithoutHeaderInSeveralDialects() throws IOException {
        DataFiles.Table a = DataFiles.readCsv(csv("x,y\n1,2\n3.5,-4e-3\n"));
        assertThat(a.columns()).containsExactly("x", "y");
        assertThat(a.rows()).isDeepEqualTo(new double[][] {{1, 2}, {3.5, -4e-3}});
        DataFiles.Table b = DataFiles.readCsv(csv("\uFEFF1, 2\r\n\r\n 3 ,4\r\n\n"));
        assertThat(b.columns()).isEmpty();
        assertThat(b.rows()).isDeepEqualTo(new double[][] {{1, 2}, {3, 4}});
        DataFiles.Table c = DataFiles.readCsv(csv("# comment-free header\t\"b\"\n.5\t+6.\n"));
        assertThat(c.columns()).containsExactly("# comment-free header", "b");
        assertThat(c.rows()).isDeepEqualTo(new double[][] {{.5, 6}});
        DataFiles.Table d = DataFiles.readCsv(csv("1.0e+00 2\n  3   4  \n"));
        assertThat(d.rows()).isDeepEqualTo(new double[][] {{1, 2}, {3, 4}});
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "x,y\\n1,2\\n3,NaN\\n| line 3, column 2: NaN is not allowed",
        "1,2\\n-inf,2\\n| line 2, column 1: -inf is not allowed",
        "1,2\\n3,Infinity\\n| line 2, column 2: Infinity is not allowed",
        "1,2\\n3,1e999\\n| line 2, column 2: 1e999 is out of range",
        "1,2\\n3,abc\\n| line 2, column 2: 'abc' is not a number",
        "1,2\\n3,0x1p3\\n| line 2, column 2: '0x1p3' is not a number",
        "1,2\\n3,2d\\n| line 2, column 2: '2d' is not a number",
        "1,2\\n3,\\n| line 2, column 2: empty value",
        "x,y\\n1,2\\n3,4,5\\n| line 3 has 3 values but line 1 has 2 (ragged rows)",
        "1,2\\n\\n3\\n| line 3 has 1 value but line 1 has 2 (ragged rows)",
        "| the file is empty",
        " \\n\\n| the file is empty",
        "x,y\\n| a header but no data rows",
        "x,2\\n1,2\\n| line 1, column 1: 'x' is not a number"})
    void badCsvNamesTheLine(String content, String message) throws IOException {
        Path p = csv(content == null ? "" : content.replace("\\n", "\n"));
        assertThatThrownBy(() -> DataFiles.readCsv(p)).isInstanceOf(DataFileException.class)
                .hasMessageStartingWith(p + ": ").hasMessageContaining(message.strip());
    }

    @Test
    void binaryOrMissingFilesAreReportedNotThrown() throws IOException {
        Path bin = Files.write(dir.resolve("b.csv"), new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1});
        assertThatThrownBy(() -> DataFiles.readCsv(bin)).isInstanceOf(DataFileException.class)
                .hasMessageContaining("invalid UTF-8");
        assertThatThrownBy(() -> DataFiles.read(dir.resolve("none.csv"))).isInstanceOf(DataFileException.class)
                .hasMessageContaining("no such file");
        assertThatThrownBy(() -> DataFiles.read(dir)).isInstanceOf(DataFileException.class)
                .hasMessageContaining("cannot read");
    }

    @Test
    void npyRoundTripsAndReadsWhatNumpyWrites() throws IOException {
        for (DType dt : DType.values()) {
            Tensor t = Tensor.randn(new Rng(1), dt, 7, 3);
            Path p = dir.resolve("a.npy");
            DataFiles.writeNpy(p, t);
            byte[] b = Files.readAllBytes(p);
            assertThat((b.length - t.numel() * dt.bytes()) % 64).as("header aligned to 64").isZero();
            DataFiles.Table back = DataFiles.read(p);
            assertThat(back.rows().length).isEqualTo(7);
            assertThat(java.util.Arrays.stream(back.rows()).flatMapToDouble(java.util.Arrays::stream).toArray())
                    .isEqualTo(t.toDoubleArray());
        }
        // numpy's exact bytes for np.save(f, np.array([[1., 2.], [3., 4.]]))
        String header = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }";
        header = header + " ".repeat(128 - 10 - header.length() - 1) + "\n";
        ByteBuffer buf = ByteBuffer.allocate(10 + header.length() + 32).order(ByteOrder.LITTLE_ENDIAN);
        buf.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) header.length())
                .put(header.getBytes(StandardCharsets.ISO_8859_1)).putDouble(1).putDouble(2).putDouble(3).putDouble(4);
        Path np = Files.write(dir.resolve("np.npy"), buf.array());
        assertThat(DataFiles.read(np).rows()).isDeepEqualTo(new double[][] {{1, 2}, {3, 4}});
        // 1-D arrays read as one column (the commands then refuse dimension 1)
        String h1 = "{'descr': '>f4', 'fortran_order': False, 'shape': (3,), }";
        ByteBuffer b1 = ByteBuffer.allocate(10 + h1.length() + 12).order(ByteOrder.LITTLE_ENDIAN);
        b1.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) h1.length())
                .put(h1.getBytes(StandardCharsets.ISO_8859_1)).order(ByteOrder.BIG_ENDIAN).putFloat(1).putFloat(2)
                .putFloat(3);
        Path one = Files.write(dir.resolve("one.npy"), b1.array());
        assertThat(DataFiles.read(one).dim()).isEqualTo(1);
    }

    private Path npy(String dict, byte[] data) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(10 + dict.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) dict.length())
                .put(dict.getBytes(StandardCharsets.ISO_8859_1)).put(data);
        return Files.write(dir.resolve("x.npy"), b.array());
    }

    @Test
    void badNpyFilesAreRejectedClearly() throws IOException {
        String f8 = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }";
        assertThatThrownBy(() -> DataFiles.read(npy(f8, new byte[24]))).isInstanceOf(DataFileException.class)
                .hasMessageContaining("truncated file");
        assertThatThrownBy(() -> DataFiles.read(npy(f8, new byte[40]))).isInstanceOf(DataFileException.class)
                .hasMessageContaining("trailing bytes");
        byte[] nan = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN).putDouble(1).putDouble(2)
                .putDouble(Double.NaN).putDouble(4).array();
        assertThatThrownBy(() -> DataFiles.read(npy(f8, nan))).isInstanceOf(DataFileException.class)
                .hasMessageContaining("row 2, column 1 is NaN");
        assertThatThrownBy(() -> DataFiles.read(npy(f8.replace("<f8", "<i8"), new byte[32])))
                .isInstanceOf(DataFileException.class).hasMessageContaining("'<i8' is not supported");
        byte[] cols = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN).putDouble(1).putDouble(3).putDouble(2)
                .putDouble(4).array();
        assertThat(DataFiles.read(npy(f8.replace("False", "True"), cols)).rows())
                .as("Fortran order is read column by column").isDeepEqualTo(new double[][] {{1, 2}, {3, 4}});
        assertThatThrownBy(() -> DataFiles.read(npy(f8.replace("(2, 2)", "(2, 2, 1)"), new byte[32])))
                .isInstanceOf(DataFileException.class).hasMessageContaining("3 dimensions");
        assertThatThrownBy(() -> DataFiles.read(npy(f8.replace("(2, 2)", "(0, 2)"), new byte[0])))
                .isInstanceOf(DataFileException.class).hasMessageContaining("empty");
        Path empty = Files.write(dir.resolve("e.npy"), new byte[0]);
        assertThatThrownBy(() -> DataFiles.read(empty)).isInstanceOf(DataFileException.class)
                .hasMessageContaining("the file is empty");
        Path text = Files.writeString(dir.resolve("t.npy"), "1,2\n");
        assertThatThrownBy(() -> DataFiles.read(text)).isInstanceOf(DataFileException.class)
                .hasMessageContaining("not a .npy file");
    }

    @Test
    void csvWritesValuesThatReadBackExactly() throws IOException {
        for (DType dt : DType.values()) {
            Tensor t = Tensor.randn(new Rng(2), dt, 5, 2).mul(1e3);
            Path p = dir.resolve("w.csv");
            DataFiles.writeCsv(p, List.of("a", "b"), t);
            DataFiles.Table back = DataFiles.read(p);
            assertThat(back.columns()).containsExactly("a", "b");
            double[] flat = java.util.Arrays.stream(back.rows()).flatMapToDouble(java.util.Arrays::stream).toArray();
            assertThat(Tensor.of(dt, flat, 5, 2).toDoubleArray()).isEqualTo(t.toDoubleArray());
        }
    }
}
