package org.flows4j.io;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flows4j.data.Standardization;
import org.flows4j.distributions.StandardNormal;
import org.flows4j.flows.Flow;
import org.flows4j.flows.Standardized;
import org.flows4j.nn.Activation;
import org.flows4j.nn.Linear;
import org.flows4j.nn.Mlp;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Tensor;
import org.flows4j.transforms.AffineTransformer;
import org.flows4j.transforms.Composite;
import org.flows4j.transforms.Coupling;
import org.flows4j.transforms.MlpConditioner;
import org.flows4j.transforms.Transform;

/**
 * Imports the seed's PyTorch RealNVP from a .safetensors file of its {@code state_dict}:
 * {@code layers.<i>.mask} and {@code layers.<i>.net.<j>.{weight,bias}} (an {@code nn.Sequential} of
 * Linear layers at even j with ReLU between; weight is [out, in]), optionally with
 * {@code data.mean} and {@code data.std}, the standardisation the model was trained behind. Layer
 * count, hidden widths and depth come from the tensors. Each layer is an affine coupling with a
 * tanh-bounded log-scale, exactly the seed's; with a standardisation the imported flow works on the
 * original data (a {@link org.flows4j.transforms.Standardize} layer first).
 */
public final class TorchImport {
    private static final Pattern LAYER = Pattern.compile("layers\\.(\\d{1,6})\\.(mask|net\\.(\\d{1,6})\\.(weight|bias))");

    private TorchImport() {}

    /** The flow of the file, in the file's dtype. */
    public static Flow load(Path file) throws ModelFormatException {
        return load(file, null);
    }

    /** The flow of the file, computing in {@code dtype} (null: the file's). */
    public static Flow load(Path file, DType dtype) throws ModelFormatException {
        SafeTensors.Contents c = SafeTensors.read(file);
        if (FlowFiles.FORMAT.equals(c.metadata().get("format"))) {
            throw new ModelFormatException(file + ": already a flows4j model (nothing to import)");
        }
        return convert(c.tensors(), dtype, file + ": ");
    }

    static Flow convert(Map<String, Tensor> tensors, DType requested, String where) throws ModelFormatException {
        TreeMap<Integer, Tensor> masks = new TreeMap<>();
        TreeMap<Integer, TreeMap<Integer, Tensor[]>> nets = new TreeMap<>();
        Tensor mean = null;
        Tensor std = null;
        DType fileDType = null;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String name = e.getKey();
            Tensor t = e.getValue();
            if (!t.allFinite()) {
                throw new ModelFormatException(where + "tensor \"" + SafeTensors.shorten(name) + "\" holds NaN or "
                        + "infinite values");
            }
            if (name.equals("data.mean")) {
                mean = t;
                continue;
            }
            if (name.equals("data.std")) {
                std = t;
                continue;
            }
            Matcher m = LAYER.matcher(name);
            if (!m.matches()) {
                throw new ModelFormatException(where + "unexpected tensor \"" + SafeTensors.shorten(name)
                        + "\" (expected layers.<i>.mask, layers.<i>.net.<j>.weight/bias, data.mean, data.std)");
            }
            int layer = Integer.parseInt(m.group(1));
            if (m.group(2).equals("mask")) {
                masks.put(layer, t);
                continue;
            }
            if (fileDType == null) {
                fileDType = t.dtype();
            } else if (fileDType != t.dtype()) {
                throw new ModelFormatException(where + "network tensors mix F32 and F64");
            }
            int j = Integer.parseInt(m.group(3));
            Tensor[] wb = nets.computeIfAbsent(layer, k -> new TreeMap<>()).computeIfAbsent(j, k -> new Tensor[2]);
            wb[m.group(4).equals("weight") ? 0 : 1] = t;
        }
        if (masks.isEmpty()) {
            throw new ModelFormatException(where + "no coupling layers (no layers.<i>.mask tensors): not a RealNVP "
                    + "state_dict");
        }
        if (!masks.keySet().equals(nets.keySet()) || masks.lastKey() != masks.size() - 1) {
            throw new ModelFormatException(where + "coupling layers are not numbered 0.." + (masks.size() - 1)
                    + " with a mask and a network each (masks " + new TreeSet<>(masks.keySet()) + ", networks "
                    + new TreeSet<>(nets.keySet()) + ")");
        }
        DType dtype = requested != null ? requested : fileDType;
        Tensor firstMask = masks.firstEntry().getValue();
        if (firstMask.rank() != 1 || firstMask.size(0) < 2) {
            throw new ModelFormatException(where + "layers.0.mask must be a vector of length >= 2, got shape "
                    + Arrays.toString(firstMask.shape()));
        }
        int dim = firstMask.size(0);
        List<Transform> parts = new ArrayList<>();
        try {
            for (int i = 0; i < masks.size(); i++) {
                Tensor mask = masks.get(i);
                if (!Arrays.equals(mask.shape(), new int[] {dim})) {
                    throw new ModelFormatException(where + "layers." + i + ".mask has shape "
                            + Arrays.toString(mask.shape()) + ", layer 0's has [" + dim + "]");
                }
                Mlp net = new Mlp(linears(nets.get(i), i, dim, dtype, where), Activation.RELU);
                parts.add(new Coupling(mask.toDoubleArray(), new MlpConditioner(net, 0), AffineTransformer.tanhScaled(),
                        dtype));
            }
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(where + "invalid model: " + e.getMessage(), e);
        }
        Flow flow = new Flow(new StandardNormal(dim), new Composite(parts), dtype);
        if (mean == null && std == null) {
            return flow;
        }
        if (mean == null || std == null || !Arrays.equals(mean.shape(), new int[] {dim})
                || !Arrays.equals(std.shape(), new int[] {dim})) {
            throw new ModelFormatException(where + "data.mean and data.std must both be present, of shape [" + dim
                    + "]");
        }
        try {
            return Standardized.wrap(flow, new Standardization(mean.toDoubleArray(), std.toDoubleArray()));
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(where + "invalid standardisation: " + e.getMessage(), e);
        }
    }

    private static List<Linear> linears(TreeMap<Integer, Tensor[]> net, int layer, int dim, DType dtype, String where)
            throws ModelFormatException {
        List<Linear> out = new ArrayList<>();
        int expectedIn = dim;
        int index = 0;
        for (Map.Entry<Integer, Tensor[]> e : net.entrySet()) {
            String name = "layers." + layer + ".net." + e.getKey();
            if (e.getKey() != 2 * index) {
                throw new ModelFormatException(where + name + ": expected Linear layers at net.0, net.2, net.4, ... "
                        + "(ReLU between), found net." + e.getKey() + " as linear layer " + index);
            }
            Tensor w = e.getValue()[0];
            Tensor b = e.getValue()[1];
            if (w == null || b == null) {
                throw new ModelFormatException(where + name + " needs both a weight and a bias");
            }
            if (w.rank() != 2 || w.size(1) != expectedIn || b.rank() != 1 || b.size(0) != w.size(0)) {
                throw new ModelFormatException(where + name + ".weight " + Arrays.toString(w.shape()) + " / bias "
                        + Arrays.toString(b.shape()) + " do not fit: expected weight [out, " + expectedIn
                        + "] and bias [out]");
            }
            out.add(new Linear(w.to(dtype), b.to(dtype)));
            expectedIn = w.size(0);
            index++;
        }
        if (expectedIn != 2 * dim) {
            throw new ModelFormatException(where + "layers." + layer + ".net ends with " + expectedIn
                    + " outputs; a coupling of dimension " + dim + " needs " + 2 * dim + " (scale and shift)");
        }
        return out;
    }
}
