package org.flows4j.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.flows4j.distributions.Distribution;
import org.flows4j.flows.Flow;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Tensor;
import org.flows4j.transforms.Transform;

/**
 * Saves a {@link Flow} as one .safetensors file and loads it back, bit for bit.
 *
 * <p>The header's {@code __metadata__} holds the architecture: {@code format} ("flows4j"),
 * {@code format_version}, {@code kind} ("model" or "checkpoint"), {@code dtype}, {@code dim},
 * {@code base} and {@code transform} (JSON descriptions of the base distribution and of the
 * transform tree: every layer's type and hyper-parameters, e.g. a coupling's mask, transformer and
 * conditioner widths), plus any keys the caller adds. Tensors are named after their place in the
 * tree: part {@code i} of a composite is {@code layers.<i>.}, a coupling's network layer {@code k}
 * is {@code net.<k>.weight} ([out, in]) and {@code net.<k>.bias}, a standardisation holds
 * {@code mean} and {@code std} (F64, exact); {@link FlowCodec} lists every layer type. Flows with
 * stochastic layers (which carry random state) cannot be saved yet.
 *
 * <p>Loading rebuilds the tree from the description and checks every tensor against it: present,
 * of the expected shape and dtype, finite, and no tensor left over.
 */
public final class FlowFiles {
    public static final String FORMAT = "flows4j";
    public static final String FORMAT_VERSION = "1";
    public static final String KIND_MODEL = "model";
    public static final String KIND_CHECKPOINT = "checkpoint";
    /** Metadata keys the format itself uses; callers' extra keys must differ. */
    public static final Set<String> RESERVED = Set.of("format", "format_version", "kind", "dtype", "dim", "base",
            "transform");

    private FlowFiles() {}

    /** A loaded flow and the file's whole metadata (the format's keys and the caller's extras). */
    public record Loaded(Flow flow, Map<String, String> metadata) {
        public Loaded {
            metadata = Json.frozen(metadata);
        }
    }

    /** A flow as tensors and metadata, ready for {@link SafeTensors}. */
    record Encoded(Map<String, Tensor> tensors, Map<String, String> metadata) {}

    /** Atomically writes {@code flow} to {@code file}, with {@code extra} metadata (keys not in {@link #RESERVED}). */
    public static void save(Path file, Flow flow, Map<String, String> extra) throws IOException {
        Encoded e = encode(flow, extra, KIND_MODEL);
        SafeTensors.write(file, e.tensors(), e.metadata());
    }

    public static void save(Path file, Flow flow) throws IOException {
        save(file, flow, Map.of());
    }

    /** Reads a model (or the model inside a checkpoint) and checks it completely. */
    public static Loaded load(Path file) throws ModelFormatException {
        SafeTensors.Contents c = SafeTensors.read(file);
        String where = file + ": ";
        Set<String> consumed = new HashSet<>();
        Loaded loaded = decode(c, consumed, where);
        boolean checkpoint = KIND_CHECKPOINT.equals(c.metadata().get("kind"));
        for (String name : c.tensors().keySet()) {
            if (!consumed.contains(name) && !(checkpoint && Checkpoints.isOwnTensor(name))) {
                throw new ModelFormatException(where + "unexpected tensor \"" + SafeTensors.shorten(name)
                        + "\" (not part of the model)");
            }
        }
        return loaded;
    }

    // ------------------------------------------------------------------ encoding

    static Encoded encode(Flow flow, Map<String, String> extra, String kind) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("format_version", FORMAT_VERSION);
        meta.put("kind", kind);
        meta.put("dtype", flow.dtype().name().toLowerCase(Locale.ROOT));
        meta.put("dim", Integer.toString(flow.dim()));
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        meta.put("base", Json.write(FlowCodec.describeBase(flow.base(), tensors)));
        meta.put("transform", Json.write(FlowCodec.describe(flow.transform(), "", tensors)));
        for (Map.Entry<String, String> e : extra.entrySet()) {
            if (RESERVED.contains(e.getKey())) {
                throw new IllegalArgumentException("metadata key \"" + e.getKey() + "\" is reserved by the format");
            }
            meta.put(e.getKey(), e.getValue());
        }
        return new Encoded(tensors, meta);
    }

    // ------------------------------------------------------------------ decoding

    /** Rebuilds the flow of {@code c}, adding the names of the tensors it used to {@code consumed}. */
    static Loaded decode(SafeTensors.Contents c, Set<String> consumed, String where) throws ModelFormatException {
        Map<String, String> meta = c.metadata();
        if (!FORMAT.equals(meta.get("format"))) {
            throw new ModelFormatException(where + "not a flows4j model (its metadata has no format \"" + FORMAT
                    + "\"; for a PyTorch state_dict use import-torch)");
        }
        if (!FORMAT_VERSION.equals(meta.get("format_version"))) {
            throw new ModelFormatException(where + "model format version \""
                    + SafeTensors.shorten(String.valueOf(meta.get("format_version"))) + "\" is not supported (this "
                    + "flows4j reads version " + FORMAT_VERSION + ")");
        }
        String dtypeName = required(meta, "dtype", where);
        DType dtype = switch (dtypeName) {
            case "float32" -> DType.FLOAT32;
            case "float64" -> DType.FLOAT64;
            default -> throw new ModelFormatException(where + "unknown model dtype \"" + SafeTensors.shorten(dtypeName)
                    + "\"");
        };
        int dim;
        try {
            dim = Integer.parseInt(required(meta, "dim", where));
        } catch (NumberFormatException e) {
            throw new ModelFormatException(where + "model dim is not a number");
        }
        if (dim < 1) {
            throw new ModelFormatException(where + "model dim " + dim + " is not positive");
        }
        FlowCodec.Spec base = FlowCodec.Spec.parse(required(meta, "base", where), "base", where);
        FlowCodec.Spec transform = FlowCodec.Spec.parse(required(meta, "transform", where), "transform", where);
        FlowCodec.Source src = new FlowCodec.Source(c.tensors(), consumed, dtype, where);
        try {
            Transform t = FlowCodec.build(transform, "", dim, src, 0);
            Distribution b = FlowCodec.buildBase(base, dim, src);
            return new Loaded(new Flow(b, t, dtype), meta);
        } catch (IllegalArgumentException e) {
            // the layers' own constructors reject what the description got wrong (e.g. a mask of all ones)
            throw new ModelFormatException(where + "invalid model: " + e.getMessage(), e);
        }
    }

    private static String required(Map<String, String> meta, String key, String where) throws ModelFormatException {
        String v = meta.get(key);
        if (v == null) {
            throw new ModelFormatException(where + "metadata has no \"" + key + "\"");
        }
        return v;
    }
}
