package org.flows4j.io;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.flows4j.distributions.DiagonalNormal;
import org.flows4j.distributions.Distribution;
import org.flows4j.distributions.GaussianMixture;
import org.flows4j.distributions.StandardNormal;
import org.flows4j.nn.Activation;
import org.flows4j.nn.Linear;
import org.flows4j.nn.MaskedLinear;
import org.flows4j.nn.Mlp;
import org.flows4j.nn.Module;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;
import org.flows4j.transforms.ActNorm;
import org.flows4j.transforms.AdditiveTransformer;
import org.flows4j.transforms.AffineTransformer;
import org.flows4j.transforms.Composite;
import org.flows4j.transforms.Coupling;
import org.flows4j.transforms.ElementwiseTransformer;
import org.flows4j.transforms.EmbeddedContext;
import org.flows4j.transforms.Inverse;
import org.flows4j.transforms.LuLinear;
import org.flows4j.transforms.MadeConditioner;
import org.flows4j.transforms.MaskedAutoregressive;
import org.flows4j.transforms.MlpConditioner;
import org.flows4j.transforms.Permutation;
import org.flows4j.transforms.RationalQuadraticSpline;
import org.flows4j.transforms.ScaledTanhAffineTransformer;
import org.flows4j.transforms.Standardize;
import org.flows4j.transforms.Transform;

/**
 * The architecture of a flow as JSON (layer types and hyper-parameters) plus its tensors, and back.
 *
 * <p>Layers: {@code composite} (parts under {@code layers.<i>.}), {@code standardize}
 * ({@code mean}, {@code std}, F64), {@code coupling} with an MLP conditioner ({@code net.<k>.weight}
 * [out, in] and {@code net.<k>.bias}; a trainable transformer's tensors as
 * {@code transformer.param.<k>}), {@code masked_autoregressive} (MADE), {@code inverse} and
 * {@code embedded_context} (wrapped transform under {@code inner.}; the embedding network as
 * {@code embedding.<k>.*}), {@code permutation}, {@code lu_linear} and {@code actnorm}. Transformers:
 * {@code affine}, {@code additive}, {@code rational_quadratic_spline}, {@code scaled_tanh_affine}.
 * Bases: {@code standard_normal}, {@code diagonal_normal}, {@code gaussian_mixture}. Layers without
 * named tensors store their parameters, in {@link Module#parameters()} order, as
 * {@code param.<k>}; loading builds the layer from its description and checks each tensor against
 * the shape the layer's own parameter has.
 */
final class FlowCodec {
    private static final int MAX_TREE_DEPTH = 16;
    /** Structure-only layers are built with this generator; every random value is then overwritten. */
    private static final long STRUCTURE_SEED = 0;

    private FlowCodec() {}

    // ------------------------------------------------------------------ encoding

    static Map<String, Object> describeBase(Distribution base, Map<String, Tensor> out) {
        Map<String, Object> d = new LinkedHashMap<>();
        if (base instanceof StandardNormal) {
            d.put("type", "standard_normal");
        } else if (base instanceof DiagonalNormal dn) {
            d.put("type", "diagonal_normal");
            params("base.", dn, out);
        } else if (base instanceof GaussianMixture gm) {
            d.put("type", "gaussian_mixture");
            d.put("components", gm.components());
            params("base.", gm, out);
        } else {
            throw unsupported("base distribution", base);
        }
        return d;
    }

    static Map<String, Object> describe(Transform t, String prefix, Map<String, Tensor> out) {
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
        } else if (t instanceof Coupling c && c.conditioner() instanceof MlpConditioner mc) {
            d.put("type", "coupling");
            int[] mask = new int[c.dim()];
            double[] m = c.mask();
            for (int i = 0; i < mask.length; i++) {
                mask[i] = (int) m[i];
            }
            d.put("mask", mask);
            d.put("transformer", describeTransformer(c.transformer(), prefix + "transformer.", out));
            Map<String, Object> cond = describeMlp(mc.net(), prefix + "net.", out);
            cond.put("context_dim", mc.contextDim());
            d.put("conditioner", cond);
        } else if (t instanceof MaskedAutoregressive ma) {
            d.put("type", "masked_autoregressive");
            d.put("transformer", describeTransformer(ma.transformer(), null, out));
            MadeConditioner made = ma.conditioner();
            Map<String, Object> cond = new LinkedHashMap<>();
            cond.put("type", "made");
            cond.put("activation", made.activation().name().toLowerCase(Locale.ROOT));
            cond.put("context_dim", made.contextDim());
            List<MaskedLinear> ls = made.layers();
            int[] hidden = new int[ls.size() - 1];
            for (int k = 0; k < hidden.length; k++) {
                hidden[k] = ls.get(k).out();
            }
            cond.put("hidden", hidden);
            d.put("conditioner", cond);
            params(prefix, ma, out);
        } else if (t instanceof Inverse inv) {
            d.put("type", "inverse");
            d.put("inner", describe(inv.inner(), prefix + "inner.", out));
        } else if (t instanceof EmbeddedContext ec) {
            d.put("type", "embedded_context");
            d.put("inner", describe(ec.inner(), prefix + "inner.", out));
            d.put("embedding", describeMlp(ec.embedding(), prefix + "embedding.", out));
        } else if (t instanceof Permutation p) {
            d.put("type", "permutation");
            d.put("perm", p.permutation());
        } else if (t instanceof LuLinear lu) {
            d.put("type", "lu_linear");
            d.put("perm", lu.permutation());
            params(prefix, lu, out);
        } else if (t instanceof ActNorm an) {
            d.put("type", "actnorm");
            d.put("initialized", an.isInitialized());
            params(prefix, an, out);
        } else {
            throw unsupported("layer", t);
        }
        return d;
    }

    private static Map<String, Object> describeMlp(Mlp net, String prefix, Map<String, Tensor> out) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("type", "mlp");
        d.put("activation", net.activation().name().toLowerCase(Locale.ROOT));
        List<Linear> layers = net.layers();
        int[] sizes = new int[layers.size() + 1];
        sizes[0] = layers.get(0).in();
        for (int k = 0; k < layers.size(); k++) {
            sizes[k + 1] = layers.get(k).out();
            out.put(prefix + k + ".weight", layers.get(k).weight().detach());
            out.put(prefix + k + ".bias", layers.get(k).bias().detach());
        }
        d.put("sizes", sizes);
        return d;
    }

    /** A transformer's description; its trainable tensors go under {@code prefix} (null: stored by the layer). */
    private static Map<String, Object> describeTransformer(ElementwiseTransformer tr, String prefix,
            Map<String, Tensor> out) {
        Map<String, Object> d = new LinkedHashMap<>();
        if (tr instanceof AffineTransformer a) {
            d.put("type", "affine");
            d.put("scale", a.scale().name().toLowerCase(Locale.ROOT));
        } else if (tr instanceof AdditiveTransformer) {
            d.put("type", "additive");
        } else if (tr instanceof RationalQuadraticSpline s) {
            d.put("type", "rational_quadratic_spline");
            d.put("bins", s.bins());
            d.put("tail_bound", s.tailBound());
            d.put("min_bin_width", s.minBinWidth());
            d.put("min_bin_height", s.minBinHeight());
            d.put("min_derivative", s.minDerivative());
        } else if (tr instanceof ScaledTanhAffineTransformer st) {
            d.put("type", "scaled_tanh_affine");
            d.put("alphas", st.logAlpha().numel());
            if (prefix != null) {
                params(prefix, st, out);
            }
        } else {
            throw unsupported("transformer", tr);
        }
        return d;
    }

    private static void params(String prefix, Module m, Map<String, Tensor> out) {
        List<Tensor> ps = m.parameters();
        for (int k = 0; k < ps.size(); k++) {
            out.put(prefix + "param." + k, ps.get(k).detach());
        }
    }

    private static IllegalArgumentException unsupported(String what, Object o) {
        return new IllegalArgumentException("cannot save a flow with a " + o.getClass().getSimpleName() + " " + what
                + ": the model format does not support it yet");
    }

    // ------------------------------------------------------------------ decoding

    static Distribution buildBase(Spec spec, int dim, Source src) throws ModelFormatException {
        switch (spec.string("type")) {
            case "standard_normal":
                return new StandardNormal(dim);
            case "diagonal_normal":
                src.expectShape("base.param.0", dim);
                return src.fill("base.", new DiagonalNormal(dim, src.dtype));
            case "gaussian_mixture": {
                int k = spec.integer("components");
                if (k < 1 || k > 1_000_000) {
                    throw spec.bad("a mixture of " + k + " components");
                }
                src.expectShape("base.param.1", k, dim);
                return src.fill("base.", new GaussianMixture(k, dim, new Rng(STRUCTURE_SEED), src.dtype));
            }
            default:
                throw spec.bad("unknown base distribution \"" + SafeTensors.shorten(spec.string("type")) + "\"");
        }
    }

    static Transform build(Spec spec, String prefix, int dim, Source src, int depth) throws ModelFormatException {
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
                double[] mean = src.take(prefix + "mean", new int[] {dim}, null).toDoubleArray();
                double[] std = src.take(prefix + "std", new int[] {dim}, null).toDoubleArray();
                return new Standardize(mean, std, src.dtype);
            }
            case "coupling":
                return buildCoupling(spec, prefix, dim, src);
            case "masked_autoregressive": {
                ElementwiseTransformer tr = buildTransformer(spec.object("transformer"), dim, src, null);
                Spec cond = spec.object("conditioner");
                cond.requireType("made");
                int[] hidden = cond.ints("hidden");
                for (int h : hidden) {
                    if (h < 1 || h > 1 << 20) {
                        throw cond.bad("a hidden width is " + h);
                    }
                }
                int contextDim = cond.integer("context_dim");
                if (contextDim < 0 || contextDim > 1 << 20) {
                    throw cond.bad("context width " + contextDim);
                }
                int[] widths = new int[hidden.length + 2];
                widths[0] = dim + contextDim;
                System.arraycopy(hidden, 0, widths, 1, hidden.length);
                widths[widths.length - 1] = tr.paramsPerDim() * dim;
                for (int k = 0; k + 1 < widths.length; k++) {
                    src.expectShape(prefix + "param." + 2 * k, widths[k + 1], widths[k]);
                }
                MadeConditioner made = new MadeConditioner(dim, contextDim, hidden, tr.paramsPerDim(),
                        cond.activation(), new Rng(STRUCTURE_SEED), src.dtype);
                return src.fill(prefix, new MaskedAutoregressive(made, tr));
            }
            case "inverse":
                return new Inverse(build(spec.object("inner"), prefix + "inner.", dim, src, depth + 1));
            case "embedded_context": {
                Transform inner = build(spec.object("inner"), prefix + "inner.", dim, src, depth + 1);
                return new EmbeddedContext(inner, buildMlp(spec.object("embedding"), prefix + "embedding.", src));
            }
            case "permutation":
                return new Permutation(spec.ints("perm"));
            case "lu_linear": {
                int[] perm = spec.ints("perm");
                if (perm.length != dim) {
                    throw spec.bad("a permutation of " + perm.length + " entries for dimension " + dim);
                }
                long lu = (long) dim * (dim - 1) / 2;
                if (lu > Integer.MAX_VALUE) {
                    throw spec.bad("an LU layer of dimension " + dim + " is too large");
                }
                int m = (int) lu;
                src.expectShape(prefix + "param.0", dim > 1 ? m : dim);
                return src.fill(prefix, new LuLinear(perm, Tensor.zeros(src.dtype, m), Tensor.zeros(src.dtype, m),
                        Tensor.zeros(src.dtype, dim), Tensor.zeros(src.dtype, dim)));
            }
            case "actnorm": {
                src.expectShape(prefix + "param.0", dim);
                ActNorm a = src.fill(prefix, new ActNorm(dim, src.dtype));
                if (spec.bool("initialized")) {
                    a.markInitialized();
                }
                return a;
            }
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
        ElementwiseTransformer transformer = buildTransformer(spec.object("transformer"), dim, src,
                prefix + "transformer.");
        Spec cond = spec.object("conditioner");
        int contextDim = cond.integer("context_dim");
        Mlp net = buildMlp(cond, prefix + "net.", src);
        if (contextDim < 0 || net.in() != dim + contextDim) {
            throw cond.bad("conditioner input width " + net.in() + " does not match dimension " + dim
                    + " plus context " + contextDim);
        }
        if (net.out() != transformer.paramsPerDim() * dim) {
            throw cond.bad("conditioner output width " + net.out() + " does not match "
                    + transformer.paramsPerDim() + " parameters for each of " + dim + " coordinates");
        }
        return new Coupling(mask, new MlpConditioner(net, contextDim), transformer, src.dtype);
    }

    private static Mlp buildMlp(Spec spec, String prefix, Source src) throws ModelFormatException {
        spec.requireType("mlp");
        Activation act = spec.activation();
        int[] sizes = spec.ints("sizes");
        if (sizes.length < 2) {
            throw spec.bad("an MLP needs at least an input and an output size");
        }
        List<Linear> layers = new ArrayList<>();
        for (int k = 0; k + 1 < sizes.length; k++) {
            if (sizes[k] < 1 || sizes[k + 1] < 1) {
                throw spec.bad("an MLP width is " + Math.min(sizes[k], sizes[k + 1]));
            }
            Tensor w = src.take(prefix + k + ".weight", new int[] {sizes[k + 1], sizes[k]}, src.dtype);
            Tensor b = src.take(prefix + k + ".bias", new int[] {sizes[k + 1]}, src.dtype);
            layers.add(new Linear(w, b));
        }
        return new Mlp(layers, act);
    }

    /** A transformer; trainable ones take their tensors from {@code prefix} (null: the layer's {@code param.<k>}). */
    private static ElementwiseTransformer buildTransformer(Spec tr, int dim, Source src, String prefix)
            throws ModelFormatException {
        switch (tr.string("type")) {
            case "affine":
                return new AffineTransformer(switch (tr.string("scale")) {
                    case "tanh" -> AffineTransformer.Scale.TANH;
                    case "identity" -> AffineTransformer.Scale.IDENTITY;
                    default -> throw tr.bad("unknown affine scale \"" + SafeTensors.shorten(tr.string("scale")) + "\"");
                });
            case "additive":
                return new AdditiveTransformer();
            case "rational_quadratic_spline": {
                int bins = tr.integer("bins");
                if (bins > 1 << 16) {
                    throw tr.bad(bins + " spline bins");
                }
                return new RationalQuadraticSpline(bins, tr.number("tail_bound"), tr.number("min_bin_width"),
                        tr.number("min_bin_height"), tr.number("min_derivative"));
            }
            case "scaled_tanh_affine": {
                int alphas = tr.integer("alphas");
                if (alphas != 1 && alphas != dim) {
                    throw tr.bad(alphas + " alphas for dimension " + dim);
                }
                if (prefix != null) {
                    src.expectShape(prefix + "param.0", alphas);
                }
                ScaledTanhAffineTransformer st = alphas == 1 ? ScaledTanhAffineTransformer.perLayer(src.dtype)
                        : ScaledTanhAffineTransformer.perDimension(dim, src.dtype);
                return prefix == null ? st : src.fill(prefix, st);
            }
            default:
                throw tr.bad("unknown transformer \"" + SafeTensors.shorten(tr.string("type")) + "\"");
        }
    }

    /** The file's tensors, handed out once each after checking shape, dtype and values. */
    static final class Source {
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

        /** The tensor {@code name} of shape {@code shape}, of dtype {@code dtype} (null: F32 or F64). */
        Tensor take(String name, int[] shape, DType dtype) throws ModelFormatException {
            Tensor t = tensors.get(name);
            String what = where + "tensor \"" + name + "\" ";
            if (t == null) {
                throw new ModelFormatException(what + "is missing");
            }
            if (!consumed.add(name)) {
                throw new ModelFormatException(what + "is used twice");
            }
            if (!Arrays.equals(t.shape(), shape)) {
                throw new ModelFormatException(what + "has shape " + Arrays.toString(t.shape())
                        + " but the architecture needs " + Arrays.toString(shape));
            }
            if (dtype != null && t.dtype() != dtype) {
                throw new ModelFormatException(what + "is " + t.dtype().safetensorsName() + " in a "
                        + dtype.name().toLowerCase(Locale.ROOT) + " model");
            }
            if (!t.allFinite()) {
                throw new ModelFormatException(what + "holds NaN or infinite values (corrupted file?)");
            }
            return t;
        }

        /**
         * Checks, before a layer of that size is built, that tensor {@code name} exists with this
         * shape: a corrupted size in the description cannot make us allocate a huge layer.
         */
        void expectShape(String name, int... shape) throws ModelFormatException {
            Tensor t = tensors.get(name);
            if (t == null || !Arrays.equals(t.shape(), shape)) {
                throw new ModelFormatException(where + "tensor \"" + name + "\" " + (t == null ? "is missing"
                        : "has shape " + Arrays.toString(t.shape()) + " but the architecture needs "
                        + Arrays.toString(shape)));
            }
        }

        /** Overwrites the parameters of {@code m} with the tensors {@code prefix + "param.<k>"}. */
        <M extends Module> M fill(String prefix, M m) throws ModelFormatException {
            List<Tensor> ps = m.parameters();
            for (int k = 0; k < ps.size(); k++) {
                Tensor p = ps.get(k);
                Tensor t = take(prefix + "param." + k, p.shape(), p.dtype());
                if (p.rawFloats() != null) {
                    System.arraycopy(t.rawFloats(), 0, p.rawFloats(), 0, p.numel());
                } else {
                    System.arraycopy(t.rawDoubles(), 0, p.rawDoubles(), 0, p.numel());
                }
            }
            return m;
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

        void requireType(String type) throws ModelFormatException {
            if (!string("type").equals(type)) {
                throw bad("expected a " + type + ", found \"" + SafeTensors.shorten(string("type")) + "\"");
            }
        }

        boolean bool(String key) throws ModelFormatException {
            if (!(get(key) instanceof Boolean b)) {
                throw bad("\"" + key + "\" is not true or false");
            }
            return b;
        }

        double number(String key) throws ModelFormatException {
            if (!(get(key) instanceof BigDecimal b) || b.precision() - b.scale() > 400) {
                throw bad("\"" + key + "\" is not a number");
            }
            return b.doubleValue();
        }

        Activation activation() throws ModelFormatException {
            try {
                return Activation.valueOf(string("activation").toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw bad("unknown activation \"" + SafeTensors.shorten(string("activation")) + "\"");
            }
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
