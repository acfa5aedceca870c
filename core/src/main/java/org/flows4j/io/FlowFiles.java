package org.flows4j.io;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.flows4j.distributions.Distribution;
import org.flows4j.distributions.StandardNormal;
import org.flows4j.flows.Flow;
import org.flows4j.nn.Activation;
import org.flows4j.nn.Linear;
import org.flows4j.nn.Mlp;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Tensor;
import org.flows4j.transforms.AffineTransformer;
import org.flows4j.transforms.Composite;
import org.flows4j.transforms.Coupling;
import org.flows4j.transforms.ElementwiseTransformer;
import org.flows4j.transforms.MlpConditioner;
import org.flows4j.transforms.Standardize;
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
 * {@code mean} and {@code std} (F64, exact).
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
    private static final int MAX_TREE_DEPTH = 16;

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
        meta.put("base", Json.write(describeBase(flow.base())));
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        meta.put("transform", Json.write(describe(flow.transform(), "", tensors)));
        for (Map.Entry<String, String> e : extra.entrySet()) {
            if (RESERVED.contains(e.getKey())) {
                throw new IllegalArgumentException("metadata key \"" + e.getKey() + "\" is reserved by the format");
            }
            meta.put(e.getKey(), e.getValue());
        }
        return new Encoded(tensors, meta);
    }

    private static Map<String, Object> describeBase(Distribution base) {
        if (base instanceof StandardNormal) {
            return Map.of("type", "standard_normal");
        }
        throw new IllegalArgumentException("cannot save a flow whose base is " + base.getClass().getSimpleName()
                + ": the model format does not support it yet");
    }

    private static Map<String, Object> describe(Transform t, String prefix, Map<String, Tensor> out) {
        Map<String, Object> d = new LinkedHashMap<>();
        if (t instanceof Composite c) {
            d.put("type", "composite");
            List<Object> parts = new ArrayList<>();
            for (int i = 0; i < c.parts().size(); i++) {
                parts.add(describe(c.parts().get(i), prefix + "layers." + i + ".", out));
            }
            d.put("parts", parts);
        } else if (t instanceof Standardize s) {
            d.put("type", "standardize");
            out.put(prefix + "mean", Tensor.of(s.mean(), s.dim()));
            out.put(prefix + "std", Tensor.of(s.std(), s.dim()));
        } else if (t instanceof Coupling c && c.conditioner() instanceof MlpConditioner mc
                && c.parameters().equals(mc.parameters())) {
            d.put("type", "coupling");
            d.put("mask", maskInts(c.mask()));
            d.put("transformer", describeTransformer(c.transformer()));
            Map<String, Object> cond = new LinkedHashMap<>();
            cond.put("type", "mlp");
            cond.put("activation", mc.net().activation().name().toLowerCase(Locale.ROOT));
            cond.put("context_dim", mc.contextDim());
            List<Linear> layers = mc.net().layers();
            int[] sizes = new int[layers.size() + 1];
            sizes[0] = layers.get(0).in();
            for (int k = 0; k < layers.size(); k++) {
                sizes[k + 1] = layers.get(k).out();
                out.put(prefix + "net." + k + ".weight", layers.get(k).weight().detach());
                out.put(prefix + "net." + k + ".bias", layers.get(k).bias().detach());
            }
            cond.put("sizes", sizes);
            d.put("conditioner", cond);
        } else {
            throw new IllegalArgumentException("cannot save a flow with a " + t.getClass().getSimpleName()
                    + " layer: the model format does not support it yet");
        }
        return d;
    }

    private static int[] maskInts(double[] mask) {
        int[] m = new int[mask.length];
        for (int i = 0; i < mask.length; i++) {
            m[i] = (int) mask[i];
        }
        return m;
    }

    private static Map<String, Object> describeTransformer(ElementwiseTransformer tr) {
        if (tr instanceof AffineTransformer a) {
            Map<String, Object> d = new LinkedHashMap<>(); // ordered: the same flow always gives the same bytes
            d.put("type", "affine");
            d.put("scale", a.scale().name().toLowerCase(Locale.ROOT));
            return d;
        }
        throw new IllegalArgumentException("cannot save a coupling with a " + tr.getClass().getSimpleName()
                + " transformer: the model format does not support it yet");
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
        Spec base = Spec.parse(required(meta, "base", where), "base", where);
        Spec transform = Spec.parse(required(meta, "transform", where), "transform", where);
        Source src = new Source(c.tensors(), consumed, dtype, where);
        try {
            Transform t = build(transform, "", dim, src, 0);
            Distribution b = switch (base.string("type")) {
                case "standard_normal" -> new StandardNormal(dim);
                default -> throw base.bad("unknown base distribution \"" + SafeTensors.shorten(base.string("type")) + "\"");
            };
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

    private static Transform build(Spec spec, String prefix, int dim, Source src, int depth)
            throws ModelFormatException {
        if (depth > MAX_TREE_DEPTH) {
            throw spec.bad("transforms nested deeper than " + MAX_TREE_DEPTH + " levels");
        }
        String type = spec.string("type");
        switch (type) {
            case "composite": {
                List<Spec> parts = spec.list("parts");
                if (parts.isEmpty()) {
                    throw spec.bad("a composite has no parts");
                }
                List<Transform> ts = new ArrayList<>();
                for (int i = 0; i < parts.size(); i++) {
                    ts.add(build(parts.get(i), prefix + "layers." + i + ".", dim, src, depth + 1));
                }
                return new Composite(ts);
            }
            case "standardize": {
                double[] mean = src.take(prefix + "mean", new int[] {dim}, true).toDoubleArray();
                double[] std = src.take(prefix + "std", new int[] {dim}, true).toDoubleArray();
                return new Standardize(mean, std, src.dtype);
            }
            case "coupling":
                return buildCoupling(spec, prefix, dim, src);
            default:
                throw spec.bad("unknown layer type \"" + SafeTensors.shorten(type) + "\"");
        }
    }

    private static Transform buildCoupling(Spec spec, String prefix, int dim, Source src) throws ModelFormatException {
        int[] maskInts = spec.ints("mask");
        if (maskInts.length != dim) {
            throw spec.bad("a coupling mask has " + maskInts.length + " entries for dimension " + dim);
        }
        double[] mask = new double[dim];
        for (int i = 0; i < dim; i++) {
            mask[i] = maskInts[i];
        }
        Spec tr = spec.object("transformer");
        ElementwiseTransformer transformer = switch (tr.string("type")) {
            case "affine" -> new AffineTransformer(switch (tr.string("scale")) {
                case "tanh" -> AffineTransformer.Scale.TANH;
                case "identity" -> AffineTransformer.Scale.IDENTITY;
                default -> throw tr.bad("unknown affine scale \"" + SafeTensors.shorten(tr.string("scale")) + "\"");
            });
            default -> throw tr.bad("unknown transformer \"" + SafeTensors.shorten(tr.string("type")) + "\"");
        };
        Spec cond = spec.object("conditioner");
        if (!cond.string("type").equals("mlp")) {
            throw cond.bad("unknown conditioner \"" + SafeTensors.shorten(cond.string("type")) + "\"");
        }
        Activation act;
        try {
            act = Activation.valueOf(cond.string("activation").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw cond.bad("unknown activation \"" + SafeTensors.shorten(cond.string("activation")) + "\"");
        }
        int contextDim = cond.integer("context_dim");
        int[] sizes = cond.ints("sizes");
        if (sizes.length < 2) {
            throw cond.bad("an MLP needs at least an input and an output size");
        }
        if (contextDim < 0 || sizes[0] != dim + contextDim) {
            throw cond.bad("conditioner input width " + sizes[0] + " does not match dimension " + dim
                    + " plus context " + contextDim);
        }
        if (sizes[sizes.length - 1] != transformer.paramsPerDim() * dim) {
            throw cond.bad("conditioner output width " + sizes[sizes.length - 1] + " does not match "
                    + transformer.paramsPerDim() + " parameters for each of " + dim + " coordinates");
        }
        List<Linear> layers = new ArrayList<>();
        for (int k = 0; k + 1 < sizes.length; k++) {
            if (sizes[k + 1] < 1) {
                throw cond.bad("an MLP width is " + sizes[k + 1]);
            }
            Tensor w = src.take(prefix + "net." + k + ".weight", new int[] {sizes[k + 1], sizes[k]}, false);
            Tensor b = src.take(prefix + "net." + k + ".bias", new int[] {sizes[k + 1]}, false);
            layers.add(new Linear(w, b));
        }
        return new Coupling(mask, new MlpConditioner(new Mlp(layers, act), contextDim), transformer, src.dtype);
    }

    /** The file's tensors, handed out once each after checking shape, dtype and values. */
    private static final class Source {
        final Map<String, Tensor> tensors;
        final Set<String> consumed;
        final DType dtype;
        final String where;

        Source(Map<String, Tensor> tensors, Set<String> consumed, DType dtype, String where) {
            this.tensors = tensors;
            this.consumed = consumed;
            this.dtype = dtype;
            this.where = where;
        }

        /** The tensor {@code name} of shape {@code shape}, in the model's dtype unless {@code anyFloat}. */
        Tensor take(String name, int[] shape, boolean anyFloat) throws ModelFormatException {
            Tensor t = tensors.get(name);
            String what = where + "tensor \"" + name + "\" ";
            if (t == null) {
                throw new ModelFormatException(where + "tensor \"" + name + "\" is missing");
            }
            if (!consumed.add(name)) {
                throw new ModelFormatException(what + "is used twice");
            }
            if (!Arrays.equals(t.shape(), shape)) {
                throw new ModelFormatException(what + "has shape " + Arrays.toString(t.shape())
                        + " but the architecture needs " + Arrays.toString(shape));
            }
            if (!anyFloat && t.dtype() != dtype) {
                throw new ModelFormatException(what + "is " + t.dtype().safetensorsName() + " in a "
                        + dtype.name().toLowerCase(Locale.ROOT) + " model");
            }
            if (!t.allFinite()) {
                throw new ModelFormatException(what + "holds NaN or infinite values (corrupted file?)");
            }
            return t;
        }
    }

    /** A JSON object of the architecture description, with accessors that fail with a clear message. */
    static final class Spec {
        private final Map<?, ?> map;
        private final String path;
        private final String where;

        private Spec(Map<?, ?> map, String path, String where) {
            this.map = map;
            this.path = path;
            this.where = where;
        }

        static Spec parse(String json, String key, String where) throws ModelFormatException {
            Object v;
            try {
                v = Json.parse(json);
            } catch (Json.SyntaxException e) {
                throw new ModelFormatException(where + "metadata \"" + key + "\" is not valid JSON (" + e.getMessage() + ")");
            }
            return of(v, key, where);
        }

        private static Spec of(Object v, String path, String where) throws ModelFormatException {
            if (!(v instanceof Map<?, ?> m)) {
                throw new ModelFormatException(where + "model description " + path + " is not a JSON object");
            }
            return new Spec(m, path, where);
        }

        ModelFormatException bad(String message) {
            return new ModelFormatException(where + "model description " + path + ": " + message);
        }

        private Object get(String key) throws ModelFormatException {
            if (!map.containsKey(key)) {
                throw bad("missing \"" + key + "\"");
            }
            return map.get(key);
        }

        String string(String key) throws ModelFormatException {
            if (!(get(key) instanceof String s)) {
                throw bad("\"" + key + "\" is not a string");
            }
            return s;
        }

        Spec object(String key) throws ModelFormatException {
            return of(get(key), path + "." + key, where);
        }

        List<Spec> list(String key) throws ModelFormatException {
            if (!(get(key) instanceof List<?> l)) {
                throw bad("\"" + key + "\" is not a list");
            }
            List<Spec> out = new ArrayList<>();
            for (int i = 0; i < l.size(); i++) {
                out.add(of(l.get(i), path + "." + key + "[" + i + "]", where));
            }
            return out;
        }

        int integer(String key) throws ModelFormatException {
            return toInt(get(key), key);
        }

        int[] ints(String key) throws ModelFormatException {
            if (!(get(key) instanceof List<?> l)) {
                throw bad("\"" + key + "\" is not a list");
            }
            int[] out = new int[l.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = toInt(l.get(i), key);
            }
            return out;
        }

        private int toInt(Object v, String key) throws ModelFormatException {
            if (v instanceof BigDecimal b && (b.signum() == 0 || b.precision() - b.scale() <= 10)) {
                try {
                    return b.intValueExact();
                } catch (ArithmeticException e) {
                    // falls through to the error below
                }
            }
            throw bad("\"" + key + "\" holds something other than an integer");
        }
    }
}
