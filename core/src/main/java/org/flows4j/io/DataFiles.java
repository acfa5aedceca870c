package org.flows4j.io;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Tensor;

/**
 * Reads and writes 2-D tables of numbers: CSV (with or without a header line; comma, tab or
 * whitespace separated) and NumPy's .npy (float32 or float64, C or Fortran order, 1-D or 2-D). Every value
 * read must be a finite number; anything else fails with a {@link DataFileException} that names
 * the file and the line (or row) at fault.
 */
public final class DataFiles {
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Pattern NON_FINITE = Pattern.compile("[+-]?(nan|inf|infinity)", Pattern.CASE_INSENSITIVE);
    private static final byte[] NPY_MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int MAX_NPY_HEADER = 1 << 20;

    private DataFiles() {}

    /** The rows of a table (all of the same length) and its column names (empty without a header). */
    public record Table(double[][] rows, List<String> columns) {
        public Table {
            columns = List.copyOf(columns);
        }

        public int dim() {
            return rows[0].length;
        }
    }

    /** True for a path that names a .npy file (by extension). */
    public static boolean isNpy(Path file) {
        return file.getFileName() != null && file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".npy");
    }

    /** Reads a .npy file (by extension) or else a CSV file. */
    public static Table read(Path file) throws DataFileException {
        return isNpy(file) ? readNpy(file) : readCsv(file);
    }

    // ------------------------------------------------------------------ CSV

    /** Reads a CSV file; the first line is a header when none of its fields is a number. */
    public static Table readCsv(Path file) throws DataFileException {
        List<double[]> rows = new ArrayList<>();
        List<String> columns = List.of();
        String delimiter = null;
        int width = -1;
        int firstLine = 0;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int lineNo = 0;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (lineNo == 1 && line.startsWith("\uFEFF")) {
                    line = line.substring(1);
                }
                if (line.isBlank()) {
                    continue;
                }
                if (delimiter == null) {
                    delimiter = line.contains(",") ? "," : line.contains("\t") ? "\t" : "\\s+";
                }
                String[] fields = split(line, delimiter);
                if (width < 0) {
                    width = fields.length;
                    firstLine = lineNo;
                    if (isHeader(fields)) {
                        List<String> names = new ArrayList<>();
                        for (String f : fields) {
                            names.add(unquote(f));
                        }
                        columns = names;
                        continue;
                    }
                }
                if (fields.length != width) {
                    throw new DataFileException(file + ": line " + lineNo + " has " + fields.length + " value"
                            + (fields.length == 1 ? "" : "s") + " but line " + firstLine + " has " + width
                            + " (ragged rows)");
                }
                double[] row = new double[width];
                for (int j = 0; j < width; j++) {
                    row[j] = number(unquote(fields[j]), file, lineNo, j + 1);
                }
                rows.add(row);
            }
        } catch (DataFileException e) {
            throw e;
        } catch (CharacterCodingException e) {
            throw new DataFileException(file + ": not a text file (invalid UTF-8); data must be CSV or .npy");
        } catch (IOException | SecurityException e) {
            throw cannotRead(file, e);
        }
        if (width < 0) {
            throw new DataFileException(file + ": the file is empty");
        }
        if (rows.isEmpty()) {
            throw new DataFileException(file + ": the file has a header but no data rows");
        }
        return new Table(rows.toArray(double[][]::new), columns);
    }

    private static DataFileException cannotRead(Path file, Exception e) {
        if (e instanceof NoSuchFileException) {
            return new DataFileException(file + ": no such file");
        }
        return new DataFileException(file + ": cannot read (" + SafeTensors.reason(e) + ")", e);
    }

    private static String[] split(String line, String delimiter) {
        String s = delimiter.equals("\\s+") ? line.strip() : line;
        String[] parts = s.split(delimiter, -1);
        for (int i = 0; i < parts.length; i++) {
            parts[i] = parts[i].strip();
        }
        return parts;
    }

    private static String unquote(String f) {
        return f.length() >= 2 && f.startsWith("\"") && f.endsWith("\"") ? f.substring(1, f.length() - 1).strip() : f;
    }

    private static boolean isHeader(String[] fields) {
        for (String f : fields) {
            String u = unquote(f);
            if (NUMBER.matcher(u).matches() || NON_FINITE.matcher(u).matches()) {
                return false;
            }
        }
        return true;
    }

    private static double number(String s, Path file, int line, int column) throws DataFileException {
        String at = file + ": line " + line + ", column " + column + ": ";
        if (NUMBER.matcher(s).matches()) {
            double v = Double.parseDouble(s);
            if (Double.isInfinite(v)) {
                throw new DataFileException(at + s + " is out of range (data must be finite)");
            }
            return v;
        }
        if (NON_FINITE.matcher(s).matches()) {
            throw new DataFileException(at + s + " is not allowed (data must be finite numbers)");
        }
        if (s.isEmpty()) {
            throw new DataFileException(at + "empty value");
        }
        String shown = s.length() > 40 ? s.substring(0, 37) + "..." : s;
        throw new DataFileException(at + "'" + shown.replaceAll("\\p{Cntrl}", "?") + "' is not a number");
    }

    /** Writes {@code values} [n, d] as CSV with a header line, in the shortest form that reads back exactly. */
    public static void writeCsv(Path file, List<String> header, Tensor values) throws IOException {
        if (values.rank() != 2 || values.size(1) != header.size()) {
            throw new IllegalArgumentException("need a [n, " + header.size() + "] tensor for " + header.size()
                    + " columns, got " + java.util.Arrays.toString(values.shape()));
        }
        int n = values.size(0);
        int d = values.size(1);
        boolean f32 = values.dtype() == DType.FLOAT32;
        AtomicFiles.write(file, out -> {
            StringBuilder sb = new StringBuilder(String.join(",", header)).append('\n');
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < d; j++) {
                    if (j > 0) {
                        sb.append(',');
                    }
                    double v = values.getFlat(i * d + j);
                    sb.append(f32 ? Float.toString((float) v) : Double.toString(v));
                }
                sb.append('\n');
                if (sb.length() > 1 << 16) {
                    out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
                    sb.setLength(0);
                }
            }
            out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
        });
    }

    // ------------------------------------------------------------------ NPY

    /** Reads a float32 or float64 (either byte order), 1-D ([n] as n rows of one value) or 2-D .npy file. */
    public static Table readNpy(Path file) throws DataFileException {
        String where = file + ": ";
        try (InputStream in = Files.newInputStream(file)) {
            byte[] pre = in.readNBytes(8);
            if (pre.length < 8 || !java.util.Arrays.equals(java.util.Arrays.copyOf(pre, 6), NPY_MAGIC)) {
                throw new DataFileException(where + (pre.length == 0 ? "the file is empty" : "not a .npy file (no NUMPY magic)"));
            }
            int major = pre[6];
            int headerLen;
            if (major == 1) {
                byte[] l = in.readNBytes(2);
                headerLen = l.length < 2 ? -1 : ByteBuffer.wrap(l).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xffff;
            } else if (major == 2 || major == 3) {
                byte[] l = in.readNBytes(4);
                headerLen = l.length < 4 ? -1 : ByteBuffer.wrap(l).order(ByteOrder.LITTLE_ENDIAN).getInt();
            } else {
                throw new DataFileException(where + ".npy format version " + major + " is not supported");
            }
            if (headerLen < 0 || headerLen > MAX_NPY_HEADER) {
                throw new DataFileException(where + "truncated or corrupted .npy header");
            }
            byte[] hb = in.readNBytes(headerLen);
            if (hb.length < headerLen) {
                throw new DataFileException(where + "truncated .npy header");
            }
            Header h = parseHeader(new String(hb, StandardCharsets.ISO_8859_1), where);
            long expected = (long) h.rows * h.cols * h.itemSize;
            if (expected > Integer.MAX_VALUE - 16) {
                throw new DataFileException(where + "array too large (" + expected + " bytes)");
            }
            byte[] data = in.readNBytes((int) expected + 1);
            if (data.length != expected) {
                throw new DataFileException(where + "data has " + data.length + (data.length > expected ? "+" : "")
                        + " bytes but shape (" + h.rows + ", " + h.cols + ") needs " + expected
                        + (data.length < expected ? " (truncated file)" : " (trailing bytes)"));
            }
            if (h.rows == 0 || h.cols == 0) {
                throw new DataFileException(where + "the array is empty (shape (" + h.rows + ", " + h.cols + "))");
            }
            ByteBuffer b = ByteBuffer.wrap(data).order(h.order);
            double[][] rows = new double[h.rows][h.cols];
            for (int k = 0; k < h.rows * h.cols; k++) {
                int i = h.fortran ? k % h.rows : k / h.cols;
                int j = h.fortran ? k / h.rows : k % h.cols;
                double v = h.itemSize == 4 ? b.getFloat() : b.getDouble();
                if (!Double.isFinite(v)) {
                    throw new DataFileException(where + "row " + (i + 1) + ", column " + (j + 1) + " is " + v
                            + " (data must be finite numbers)");
                }
                rows[i][j] = v;
            }
            return new Table(rows, List.of());
        } catch (DataFileException e) {
            throw e;
        } catch (IOException | SecurityException e) {
            throw cannotRead(file, e);
        }
    }

    private record Header(int rows, int cols, int itemSize, ByteOrder order, boolean fortran) {}

    private static Header parseHeader(String h, String where) throws DataFileException {
        Matcher descr = Pattern.compile("'descr'\\s*:\\s*'([^']*)'").matcher(h);
        Matcher fortran = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)").matcher(h);
        Matcher shape = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)").matcher(h);
        if (!descr.find() || !fortran.find() || !shape.find()) {
            throw new DataFileException(where + "corrupted .npy header");
        }
        String d = descr.group(1);
        int itemSize;
        ByteOrder order = ByteOrder.LITTLE_ENDIAN;
        switch (d) {
            case "<f4", "=f4" -> itemSize = 4;
            case "<f8", "=f8" -> itemSize = 8;
            case ">f4" -> {
                itemSize = 4;
                order = ByteOrder.BIG_ENDIAN;
            }
            case ">f8" -> {
                itemSize = 8;
                order = ByteOrder.BIG_ENDIAN;
            }
            default -> throw new DataFileException(where + "array dtype '" + d.replaceAll("\\p{Cntrl}", "?")
                    + "' is not supported (use float32 or float64)");
        }
        List<Long> dims = new ArrayList<>();
        for (String part : shape.group(1).split(",")) {
            String p = part.strip();
            if (p.isEmpty()) {
                continue;
            }
            if (!p.matches("\\d{1,10}")) {
                throw new DataFileException(where + "corrupted .npy shape (" + shape.group(1) + ")");
            }
            dims.add(Long.parseLong(p));
        }
        if (dims.isEmpty() || dims.size() > 2) {
            throw new DataFileException(where + "array has " + dims.size() + " dimensions; need a 2-D array "
                    + "(rows of points)");
        }
        long rows = dims.get(0);
        long cols = dims.size() == 2 ? dims.get(1) : 1;
        if (rows > Integer.MAX_VALUE || cols > Integer.MAX_VALUE) {
            throw new DataFileException(where + "array too large");
        }
        return new Header((int) rows, (int) cols, itemSize, order, fortran.group(1).equals("True"));
    }

    /** Writes {@code values} [n, d] as a .npy file (version 1.0, C order, in the tensor's dtype). */
    public static void writeNpy(Path file, Tensor values) throws IOException {
        if (values.rank() != 2) {
            throw new IllegalArgumentException("need a 2-D tensor, got " + java.util.Arrays.toString(values.shape()));
        }
        boolean f32 = values.dtype() == DType.FLOAT32;
        String dict = "{'descr': '" + (f32 ? "<f4" : "<f8") + "', 'fortran_order': False, 'shape': (" + values.size(0)
                + ", " + values.size(1) + "), }";
        int unpadded = 10 + dict.length() + 1;
        String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        byte[] hb = header.getBytes(StandardCharsets.ISO_8859_1);
        AtomicFiles.write(file, out -> {
            out.write(NPY_MAGIC);
            out.write(new byte[] {1, 0, (byte) (hb.length & 0xff), (byte) (hb.length >>> 8)});
            out.write(hb);
            writeData(out, values, f32);
        });
    }

    private static void writeData(OutputStream out, Tensor values, boolean f32) throws IOException {
        int n = values.numel();
        int chunk = 1 << 14;
        ByteBuffer b = ByteBuffer.allocate(chunk * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (int s = 0; s < n; s += chunk) {
            b.clear();
            for (int i = s; i < Math.min(n, s + chunk); i++) {
                if (f32) {
                    b.putFloat((float) values.getFlat(i));
                } else {
                    b.putDouble(values.getFlat(i));
                }
            }
            out.write(b.array(), 0, b.position());
        }
    }
}
