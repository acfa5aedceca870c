package org.flows4j.io;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Tensor;

/**
 * Reads and writes the safetensors format: an 8-byte little-endian header length N, N bytes of
 * UTF-8 JSON mapping each tensor name to its {@code dtype}, {@code shape} and {@code data_offsets}
 * (relative to the data section), plus an optional {@code __metadata__} map of strings; then the
 * raw little-endian data. flows4j reads and writes F32 and F64 tensors.
 *
 * <p>Reading checks everything before trusting anything: the header length and bounds (at most
 * {@link #MAX_HEADER_BYTES}), strict UTF-8 JSON of the expected shape, dtypes, shapes, and offsets
 * that lie inside the file and tile the data section exactly (no gaps, no overlaps, nothing left
 * over). Every failure is a {@link ModelFormatException} with a one-line message.
 */
public final class SafeTensors {
    /** Largest header accepted (100 MB), so a corrupted length cannot make us allocate gigabytes. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;
    /** The metadata key of the header. */
    public static final String METADATA_KEY = "__metadata__";

    private SafeTensors() {}

    /** The tensors of a file, in the order of their data, and its metadata. */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {
        public Contents {
            tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
            metadata = Json.frozen(metadata);
        }
    }

    // ------------------------------------------------------------------ writing

    /** Atomically writes {@code tensors} (in map order) and {@code metadata} to {@code file}. */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        byte[] header = header(tensors, metadata);
        AtomicFiles.write(file, out -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
            out.write(len.array());
            out.write(header);
            for (Tensor t : tensors.values()) {
                out.write(data(t));
            }
        });
    }

    /** The bytes {@link #write} would write. */
    public static byte[] toBytes(Map<String, Tensor> tensors, Map<String, String> metadata) {
        byte[] header = header(tensors, metadata);
        long total = 8L + header.length;
        for (Tensor t : tensors.values()) {
            total += (long) t.numel() * t.dtype().bytes();
        }
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("too large to hold in one array: " + total + " bytes");
        }
        ByteBuffer b = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length).put(header);
        for (Tensor t : tensors.values()) {
            b.put(data(t));
        }
        return b.array();
    }

    private static byte[] header(Map<String, Tensor> tensors, Map<String, String> metadata) {
        Map<String, Object> h = new LinkedHashMap<>();
        if (!metadata.isEmpty()) {
            h.put(METADATA_KEY, new LinkedHashMap<>(metadata));
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String name = Objects.requireNonNull(e.getKey(), "tensor name");
            if (name.isEmpty() || name.equals(METADATA_KEY)) {
                throw new IllegalArgumentException("invalid tensor name \"" + name + "\"");
            }
            Tensor t = e.getValue();
            long size = (long) t.numel() * t.dtype().bytes();
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("dtype", t.dtype().safetensorsName());
            info.put("shape", t.shape());
            info.put("data_offsets", List.of(offset, offset + size));
            h.put(name, info);
            offset += size;
        }
        byte[] json = Json.write(h).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = new byte[padded];
        System.arraycopy(json, 0, out, 0, json.length);
        for (int i = json.length; i < padded; i++) {
            out[i] = ' ';
        }
        return out;
    }

    private static byte[] data(Tensor t) {
        ByteBuffer b = ByteBuffer.allocate(t.numel() * t.dtype().bytes()).order(ByteOrder.LITTLE_ENDIAN);
        if (t.dtype() == DType.FLOAT32) {
            b.asFloatBuffer().put(t.toFloatArray());
        } else {
            b.asDoubleBuffer().put(t.toDoubleArray());
        }
        return b.array();
    }

    // ------------------------------------------------------------------ reading

    /** Reads and validates a file. */
    public static Contents read(Path file) throws ModelFormatException {
        byte[] bytes;
        try {
            // size and bytes from one open file: a writer may replace the path between two look-ups
            // (AtomicFiles moves a new version over it), and mixing two versions reads as truncation
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
                long size = ch.size();
                if (size > Integer.MAX_VALUE - 8) {
                    throw new ModelFormatException(file + ": file too large (" + size + " bytes; flows4j reads up to 2 GB)");
                }
                bytes = java.nio.channels.Channels.newInputStream(ch).readNBytes((int) size + 1);
            }
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(file + ": no such file");
        } catch (ModelFormatException e) {
            throw e;
        } catch (IOException | SecurityException e) {
            throw new ModelFormatException(file + ": cannot read (" + reason(e) + ")", e);
        }
        return read(bytes, file.toString());
    }

    static String reason(Exception e) {
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** Parses and validates the bytes of a file; {@code source} names it in error messages. */
    public static Contents read(byte[] bytes, String source) throws ModelFormatException {
        String where = source + ": ";
        if (bytes.length < 8) {
            throw new ModelFormatException(where + "not a safetensors file (only " + bytes.length
                    + " bytes; the header length alone takes 8)");
        }
        long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (n < 0 || n > MAX_HEADER_BYTES) {
            throw new ModelFormatException(where + "header length " + Long.toUnsignedString(n)
                    + " is over the " + MAX_HEADER_BYTES / 1_000_000 + " MB limit (corrupted or not a safetensors file)");
        }
        if (n < 2) {
            throw new ModelFormatException(where + "header length " + n + " is too small for a JSON header");
        }
        if (8 + n > bytes.length) {
            throw new ModelFormatException(where + "header length " + n + " runs past the end of the file ("
                    + bytes.length + " bytes): truncated or not a safetensors file");
        }
        int headerEnd = 8 + (int) n;
        if (bytes[8] != '{') {
            throw new ModelFormatException(where + "header does not start with '{' (not a safetensors file)");
        }
        String json;
        try {
            json = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, 8, (int) n)).toString();
        } catch (CharacterCodingException e) {
            throw new ModelFormatException(where + "header is not valid UTF-8");
        }
        Object parsed;
        try {
            parsed = Json.parse(json);
        } catch (Json.SyntaxException e) {
            throw new ModelFormatException(where + "header is not valid JSON (" + e.getMessage() + ")");
        }
        if (!(parsed instanceof Map<?, ?> header)) {
            throw new ModelFormatException(where + "header is not a JSON object");
        }
        long dataSize = bytes.length - (long) headerEnd;
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<?, ?> e : header.entrySet()) {
            String name = (String) e.getKey();
            if (name.equals(METADATA_KEY)) {
                metadata = metadata(e.getValue(), where);
            } else {
                entries.add(entry(name, e.getValue(), dataSize, where));
            }
        }
        checkTiling(entries, dataSize, where);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Entry en : entries) {
            tensors.put(en.name, decode(bytes, headerEnd, en));
        }
        return new Contents(tensors, metadata);
    }

    private record Entry(String name, DType dtype, int[] shape, long begin, long end) {}

    private static Map<String, String> metadata(Object v, String where) throws ModelFormatException {
        if (!(v instanceof Map<?, ?> m)) {
            throw new ModelFormatException(where + METADATA_KEY + " is not a JSON object");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!(e.getValue() instanceof String s)) {
                throw new ModelFormatException(where + METADATA_KEY + " entry \"" + e.getKey() + "\" is not a string");
            }
            out.put((String) e.getKey(), s);
        }
        return out;
    }

    private static Entry entry(String name, Object v, long dataSize, String where) throws ModelFormatException {
        String what = where + "tensor \"" + shorten(name) + "\" ";
        if (name.isEmpty()) {
            throw new ModelFormatException(where + "a tensor has an empty name");
        }
        if (!(v instanceof Map<?, ?> info)) {
            throw new ModelFormatException(what + "is not described by a JSON object");
        }
        for (Object k : info.keySet()) {
            if (!k.equals("dtype") && !k.equals("shape") && !k.equals("data_offsets")) {
                throw new ModelFormatException(what + "has an unknown field \"" + shorten((String) k) + "\"");
            }
        }
        if (!(info.get("dtype") instanceof String dtypeName)) {
            throw new ModelFormatException(what + "has no dtype");
        }
        DType dtype = switch (dtypeName) {
            case "F32" -> DType.FLOAT32;
            case "F64" -> DType.FLOAT64;
            default -> throw new ModelFormatException(what + "has dtype " + shorten(dtypeName)
                    + "; flows4j reads F32 and F64");
        };
        if (!(info.get("shape") instanceof List<?> shapeList)) {
            throw new ModelFormatException(what + "has no shape list");
        }
        if (shapeList.size() > 8) {
            throw new ModelFormatException(what + "has rank " + shapeList.size() + " (flows4j reads up to 8)");
        }
        int[] shape = new int[shapeList.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            long s = integer(shapeList.get(i), what + "shape");
            if (s < 0 || s > Integer.MAX_VALUE) {
                throw new ModelFormatException(what + "has an invalid shape entry " + s);
            }
            shape[i] = (int) s;
            numel *= s;
            if (numel > Integer.MAX_VALUE) {
                throw new ModelFormatException(what + "has too many elements for one tensor");
            }
        }
        if (!(info.get("data_offsets") instanceof List<?> off) || off.size() != 2) {
            throw new ModelFormatException(what + "has no [begin, end] data_offsets");
        }
        long begin = integer(off.get(0), what + "data_offsets");
        long end = integer(off.get(1), what + "data_offsets");
        if (begin < 0 || end < begin || end > dataSize) {
            throw new ModelFormatException(what + "has data_offsets [" + begin + ", " + end
                    + "] outside the data section of " + dataSize + " bytes (truncated or corrupted file)");
        }
        if (end - begin != numel * dtype.bytes()) {
            throw new ModelFormatException(what + "spans " + (end - begin) + " bytes but its shape and dtype need "
                    + numel * dtype.bytes());
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    private static long integer(Object v, String what) throws ModelFormatException {
        if (!(v instanceof BigDecimal b) || b.signum() != 0 && b.precision() - b.scale() > 18) {
            throw new ModelFormatException(what + " entry is not an integer in range");
        }
        try {
            return b.longValueExact();
        } catch (ArithmeticException e) {
            throw new ModelFormatException(what + " entry " + shorten(b.toString()) + " is not an integer");
        }
    }

    private static void checkTiling(List<Entry> entries, long dataSize, String where) throws ModelFormatException {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long at = 0;
        Entry previous = null;
        for (Entry e : sorted) {
            if (e.begin < at) {
                throw new ModelFormatException(where + "tensors \"" + shorten(previous.name) + "\" and \""
                        + shorten(e.name) + "\" overlap in the data section");
            }
            if (e.begin > at) {
                throw new ModelFormatException(where + "bytes " + at + " to " + e.begin
                        + " of the data section belong to no tensor");
            }
            at = e.end;
            previous = e;
        }
        if (at != dataSize) {
            throw new ModelFormatException(where + "the data section has " + dataSize + " bytes but the tensors cover "
                    + at + (at < dataSize ? " (trailing bytes)" : ""));
        }
    }

    private static Tensor decode(byte[] bytes, int base, Entry e) {
        ByteBuffer b = ByteBuffer.wrap(bytes, base + (int) e.begin, (int) (e.end - e.begin)).slice()
                .order(ByteOrder.LITTLE_ENDIAN);
        int numel = (int) ((e.end - e.begin) / e.dtype.bytes());
        if (e.dtype == DType.FLOAT32) {
            float[] f = new float[numel];
            b.asFloatBuffer().get(f);
            return Tensor.of(f, e.shape);
        }
        double[] d = new double[numel];
        b.asDoubleBuffer().get(d);
        return Tensor.of(d, e.shape);
    }

    /** A name cut to a readable length for error messages. */
    static String shorten(String s) {
        String clean = s.replaceAll("[\\p{Cntrl}]", "?");
        return clean.length() <= 60 ? clean : clean.substring(0, 57) + "...";
    }
}
